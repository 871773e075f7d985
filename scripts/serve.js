#!/usr/bin/env node
// Serves the built static site (build/) on 127.0.0.1 and prints its URL.
// Usage: node scripts/serve.js [--port 4173] [--host 127.0.0.1]; PORT and HOST work too.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sirv from 'sirv';

const { values } = parseArgs({
	options: {
		host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
		port: { type: 'string', default: process.env.PORT ?? '4173' }
	}
});
const root = fileURLToPath(new URL('../build', import.meta.url));
if (!existsSync(root)) {
	console.error('No build/ folder: run `npm run build` first (npm start does both).');
	process.exit(1);
}

const serve = sirv(root, { dev: false, etag: true, gzip: false, single: false });
const server = createServer((request, response) => {
	// The service worker must be revalidated on every load so that updates are seen.
	if (request.url?.startsWith('/service-worker.js'))
		response.setHeader('Cache-Control', 'no-cache');
	serve(request, response, () => {
		response.statusCode = 404;
		response.end('Not found');
	});
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	console.error(`--port/PORT must be a port number (0–65535), got "${values.port}".`);
	process.exit(1);
}
server.on('error', (/** @type {NodeJS.ErrnoException} */ error) => {
	if (error.code === 'EADDRINUSE') {
		console.error(
			`Port ${port} on ${values.host} is already in use (another \`npm start\`?). ` +
				`Stop it, or pick another port: PORT=4180 npm start, or npm start -- --port 4180.`
		);
	} else {
		console.error(`Cannot serve on ${values.host}:${port}: ${error.message}`);
	}
	process.exit(1);
});
server.listen(port, values.host, () => {
	const address = server.address();
	const bound = typeof address === 'object' && address !== null ? address.port : port;
	const shownHost = values.host.includes(':') ? `[${values.host}]` : values.host;
	console.log(`Mullion is running at http://${shownHost}:${bound}/`);
	console.log('Open it, then press "Try a sample layer" or drop a Windows layer. Ctrl+C stops.');
});
for (const signal of ['SIGINT', 'SIGTERM'])
	process.on(signal, () => server.close(() => process.exit(0)));
