// Starts the TypeScript fuzz worker inside a worker thread (Node 20 does not apply the tsx
// loader of the parent thread to a worker's entry module).
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
