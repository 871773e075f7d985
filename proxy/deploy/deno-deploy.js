// Deno Deploy entry; deploy with deployctl as shown in ../README.md.
import { createProxyHandler } from '../handler.js';

const handle = createProxyHandler({ allowedOrigins: ['https://mullion.example'] });
// @ts-ignore Deno is the Deno runtime's global; this file never runs under Node.
Deno.serve((/** @type {Request} */ request) => handle(request));
