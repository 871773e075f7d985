// Cloudflare Workers entry; deploy with wrangler as shown in ../README.md.
import { createProxyHandler } from '../handler.js';

const handle = createProxyHandler({ allowedOrigins: ['https://mullion.example'] });
export default { fetch: (/** @type {Request} */ request) => handle(request) };
