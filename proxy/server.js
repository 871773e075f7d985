#!/usr/bin/env node
// Node entry for the MSRC CORS proxy: `node proxy/server.js [--host H] [--port P] [--upstream URL]
// [--upstream-timeout-ms MS] [--allowed-origins A,B]`. Flags win over the environment variables
// HOST, PORT, MSRC_UPSTREAM, UPSTREAM_TIMEOUT_MS and ALLOWED_ORIGINS. Defaults: 127.0.0.1:8787,
// upstream https://api.msrc.microsoft.com, any origin.

import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createProxyHandler } from './handler.js';
import { createNodeListener } from './node-bridge.js';

/** Default listening address: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';
/** Default listening port. */
export const DEFAULT_PORT = 8787;
/** How long shutdown waits for open connections before exiting anyway, in milliseconds. */
export const SHUTDOWN_GRACE_MS = 2000;

/**
 * @typedef {object} ProxyServerOptions
 * @property {string} [host]
 * @property {number} [port] 0 picks a free port
 * @property {import('./handler.js').ProxyOptions} [proxy] options for createProxyHandler
 */

/**
 * Starts the proxy on node:http. Resolves once listening; rejects when the port cannot be bound.
 * @param {ProxyServerOptions} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function startProxyServer(options = {}) {
	const host = options.host ?? DEFAULT_HOST;
	const handler = createProxyHandler(options.proxy);
	/** @type {import('node:http').Server} */
	const server = createServer();
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? DEFAULT_PORT, host, () => {
			const address = server.address();
			const port = typeof address === 'object' && address !== null ? address.port : 0;
			const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
			server.on('request', createNodeListener(handler, url));
			resolve({ url, close: () => closeServer(server) });
		});
	});
}

/**
 * @param {import('node:http').Server} server
 * @returns {Promise<void>}
 */
function closeServer(server) {
	return new Promise((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections();
	});
}

/**
 * Reads flags and environment into server options. Throws a TypeError naming a bad value.
 * @param {string[]} argv
 * @param {Record<string, string | undefined>} env
 * @returns {ProxyServerOptions}
 */
export function readServerOptions(argv, env) {
	const { values } = parseArgs({
		args: argv,
		options: {
			host: { type: 'string' },
			port: { type: 'string' },
			upstream: { type: 'string' },
			'upstream-timeout-ms': { type: 'string' },
			'allowed-origins': { type: 'string' }
		}
	});
	const timeout = values['upstream-timeout-ms'] ?? env.UPSTREAM_TIMEOUT_MS;
	const origins = values['allowed-origins'] ?? env.ALLOWED_ORIGINS;
	return {
		host: values.host ?? env.HOST ?? DEFAULT_HOST,
		port: readInteger('port', values.port ?? env.PORT) ?? DEFAULT_PORT,
		proxy: {
			upstream: values.upstream ?? env.MSRC_UPSTREAM,
			upstreamTimeoutMs: readInteger('upstream-timeout-ms', timeout),
			allowedOrigins: origins?.split(',').map((origin) => origin.trim())
		}
	};
}

/**
 * @param {string} name
 * @param {string | undefined} text
 * @returns {number | undefined}
 */
function readInteger(name, text) {
	if (text === undefined || text === '') return undefined;
	const value = Number(text);
	if (!Number.isInteger(value) || value < 0)
		throw new TypeError(`--${name} must be a whole number`);
	return value;
}

/** @param {import('./handler.js').UpstreamFailure} event */
function logUpstreamFailure(event) {
	const time = new Date().toISOString();
	process.stderr.write(`${time} ${event.status} ${event.code} ${event.url}: ${event.reason}\n`);
}

async function main() {
	const options = readServerOptions(process.argv.slice(2), process.env);
	options.proxy = { ...options.proxy, onUpstreamFailure: logUpstreamFailure };
	const { url, close } = await startProxyServer(options);
	const upstream = options.proxy?.upstream ?? 'https://api.msrc.microsoft.com';
	process.stdout.write(`MSRC CORS proxy listening on ${url} (upstream ${upstream})\n`);
	const shutdown = () => {
		setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
		close().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main().catch((error) => {
		process.stderr.write(`MSRC CORS proxy failed to start: ${error?.message ?? error}\n`);
		process.exit(1);
	});
}
