// End-to-end over real sockets: `node proxy/server.js` as a child process in front of the MSRC
// stand-in, both on 127.0.0.1, talking HTTP/1.1 with raw request targets (no URL normalisation).

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMsrcStandin, type MsrcStandin } from '../../helpers/msrc-standin';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const fixtures = path.join(repoRoot, 'tests/fixtures/proxy');
const documentFile = path.join(fixtures, 'cvrf-2022-Dec.excerpt-3cves.raw-20260706.xml');
const updatesFile = path.join(fixtures, 'updates-index.raw-20260706.json');
const documentBytes = readFileSync(documentFile);
const updatesBytes = readFileSync(updatesFile);
const UPSTREAM_TIMEOUT_FOR_TEST_MS = 400;
const PROXY_START_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;

interface RawAnswer {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

/** One HTTP/1.1 exchange with the target sent byte-for-byte as given. */
function rawRequest(
	origin: string,
	method: string,
	target: string,
	headers: Record<string, string> = {}
): Promise<RawAnswer> {
	const { hostname, port } = new URL(origin);
	return new Promise((resolve, reject) => {
		const outgoing = httpRequest({ hostname, port, method, path: target, headers, agent: false });
		outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => outgoing.destroy(new Error('request timed out')));
		outgoing.on('error', reject);
		outgoing.on('response', (incoming) => {
			const chunks: Buffer[] = [];
			incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
			incoming.on('end', () =>
				resolve({
					status: incoming.statusCode ?? 0,
					headers: incoming.headers,
					body: Buffer.concat(chunks)
				})
			);
			incoming.on('error', reject);
		});
		outgoing.end();
	});
}

function startProxyProcess(upstream: string): Promise<{ child: ChildProcess; url: string }> {
	const child = spawn(
		process.execPath,
		[
			'proxy/server.js',
			'--port',
			'0',
			'--upstream',
			upstream,
			'--upstream-timeout-ms',
			String(UPSTREAM_TIMEOUT_FOR_TEST_MS)
		],
		{ cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }
	);
	return new Promise((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error('proxy did not start')),
			PROXY_START_TIMEOUT_MS
		);
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const url = /listening on (http:\/\/[0-9.:]+)/.exec(output)?.[1];
			if (url === undefined) return;
			clearTimeout(timer);
			resolve({ child, url });
		});
		child.on('exit', (code) => reject(new Error(`proxy exited early with ${code}`)));
	});
}

function stopProcess(child: ChildProcess): Promise<number | null> {
	return new Promise((resolve) => {
		if (child.exitCode !== null) return resolve(child.exitCode);
		const timer = setTimeout(() => child.kill('SIGKILL'), PROXY_START_TIMEOUT_MS);
		child.once('exit', (code) => {
			clearTimeout(timer);
			resolve(code);
		});
		child.kill('SIGTERM');
	});
}

let standin: MsrcStandin;
let proxy: { child: ChildProcess; url: string };

beforeAll(async () => {
	standin = await startMsrcStandin({
		documentsDir: fixtures,
		updates: JSON.parse(updatesBytes.toString('utf8'))
	});
	proxy = await startProxyProcess(standin.url);
});

afterAll(async () => {
	const exitCode = proxy === undefined ? null : await stopProcess(proxy.child);
	await standin?.close();
	// Proves SIGTERM leads to a clean exit.
	expect(exitCode).toBe(0);
});

function requestsFor(target: string) {
	return standin.requests.filter((seen) => seen === target).length;
}

describe('proxy/server.js in front of the MSRC stand-in', () => {
	it('answers /healthz with what it is', async () => {
		const answer = await rawRequest(proxy.url, 'GET', '/healthz');
		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body.toString())).toMatchObject({
			name: 'mullion-msrc-proxy',
			status: 'ok'
		});
	});

	it('passes /cvrf/v3.0/updates through unchanged with CORS headers', async () => {
		const answer = await rawRequest(proxy.url, 'GET', '/cvrf/v3.0/updates', {
			Origin: 'http://localhost:5173',
			Accept: 'application/json'
		});
		expect(answer.status).toBe(200);
		expect(answer.body.equals(updatesBytes)).toBe(true);
		expect(answer.headers['access-control-allow-origin']).toBe('*');
		expect(answer.headers.vary).toMatch(/Origin/);
		expect(answer.headers['access-control-expose-headers']).toMatch(/ETag/);
		expect(answer.headers['cache-control']).toBe('public, max-age=300');
		expect(answer.headers['content-type']).toMatch(/^application\/json/);
	});

	it('gzips a document when accepted: gunzipped it is byte-identical; Accept is forwarded, cookies and auth are not', async () => {
		const target = '/cvrf/v3.0/cvrf/2022-Dec';
		const answer = await rawRequest(proxy.url, 'GET', target, {
			Accept: 'application/xml',
			'Accept-Encoding': 'gzip',
			Cookie: 'session=secret',
			Authorization: 'Bearer secret'
		});
		expect(answer.status).toBe(200);
		expect(answer.headers['content-encoding']).toBe('gzip');
		expect(answer.body.byteLength).toBeLessThan(documentBytes.byteLength / 5);
		expect(gunzipSync(answer.body).equals(documentBytes)).toBe(true);
		expect(answer.headers['cache-control']).toBe('public, max-age=3600');
		expect(answer.headers.etag).toMatch(/^"[0-9a-f]{40}"$/);
		const seen = standin.log.filter((entry) => entry.target === target);
		expect(seen).toHaveLength(1);
		expect(seen[0]?.headers.accept).toBe('application/xml');
		expect(seen[0]?.headers.cookie).toBeUndefined();
		expect(seen[0]?.headers.authorization).toBeUndefined();
		// The stand-in gzipped its answer too: the proxy must send one clean gzip layer, not two.
		expect(seen[0]?.headers['accept-encoding']).toMatch(/gzip/);
	});

	it('serves a repeated request from its cache (the stand-in sees nothing new)', async () => {
		const target = '/cvrf/v3.0/cvrf/2022-Dec';
		const before = requestsFor(target);
		const answer = await rawRequest(proxy.url, 'GET', target, { Accept: 'application/xml' });
		expect(answer.status).toBe(200);
		expect(answer.headers['x-mullion-proxy-cache']).toBe('HIT');
		expect(answer.headers['content-encoding']).toBeUndefined();
		expect(answer.body.equals(documentBytes)).toBe(true);
		expect(requestsFor(target)).toBe(before);
	});

	it('keys the cache by Accept: no Accept is its own upstream call, answered as XML', async () => {
		const target = '/cvrf/v3.0/cvrf/2022-Dec';
		const before = requestsFor(target);
		const answer = await rawRequest(proxy.url, 'GET', target);
		expect(answer.status).toBe(200);
		expect(answer.headers['content-type']).toMatch(/^application\/xml/);
		expect(Number(answer.headers['content-length'])).toBe(documentBytes.byteLength);
		expect(requestsFor(target)).toBe(before + 1);
		// Node's fetch sends `*/*` when no Accept is given (curl does too); MSRC answers XML to both.
		expect([undefined, '*/*']).toContain(standin.log.at(-1)?.headers.accept);
	});

	it('answers a CORS preflight without contacting the upstream', async () => {
		const before = standin.requests.length;
		const answer = await rawRequest(proxy.url, 'OPTIONS', '/cvrf/v3.0/cvrf/2022-Dec', {
			Origin: 'https://mullion.example',
			'Access-Control-Request-Method': 'GET',
			'Access-Control-Request-Headers': 'accept'
		});
		expect(answer.status).toBe(204);
		expect(answer.headers['access-control-allow-origin']).toBe('*');
		expect(answer.headers['access-control-allow-methods']).toMatch(/GET/);
		expect(answer.headers['access-control-allow-headers']).toMatch(/Accept/);
		expect(standin.requests.length).toBe(before);
	});

	it('refuses POST with 405 and never forwards it', async () => {
		const before = standin.requests.length;
		const answer = await rawRequest(proxy.url, 'POST', '/cvrf/v3.0/updates');
		expect(answer.status).toBe(405);
		expect(answer.headers.allow).toBe('GET, HEAD, OPTIONS');
		expect(standin.requests.length).toBe(before);
	});

	const hostileTargets: Array<[string, number]> = [
		['/other', 404],
		['/cvrf/v2.0/updates', 404],
		['/cvrf/v3.0/../x', 400],
		['/cvrf/v3.0/cvrf/../../other', 400],
		['/cvrf/v3.0/%2e%2e/x', 400],
		['/cvrf/v3.0/%2E%2E%2Fother', 400],
		['/cvrf/v3.0/cvrf/2022-Dec%00', 400],
		['//evil.example/', 400],
		['/cvrf/v3.0//evil.example/x', 400],
		['/cvrf/v3.0/@evil.example/x', 400],
		['/cvrf/v3.0/cvrf\\..\\..\\other', 400],
		['http://evil.example/cvrf/v3.0/updates', 400],
		['/cvrf/v3.0/updates?x=<script>', 400],
		[`/cvrf/v3.0/cvrf/${'A'.repeat(600)}`, 414]
	];
	it.each(hostileTargets)(
		'rejects %s with %i and the stand-in never sees it',
		async (target, status) => {
			const before = standin.requests.length;
			const answer = await rawRequest(proxy.url, 'GET', target);
			expect(answer.status).toBe(status);
			expect(JSON.parse(answer.body.toString())).toHaveProperty('error');
			expect(standin.requests.length).toBe(before);
		}
	);

	it('turns an upstream 500 into 502 naming the upstream status', async () => {
		standin.faults.set('/cvrf/v3.0/cvrf/2099-Jan', { status: 500 });
		const answer = await rawRequest(proxy.url, 'GET', '/cvrf/v3.0/cvrf/2099-Jan');
		expect(answer.status).toBe(502);
		expect(JSON.parse(answer.body.toString())).toEqual({
			error: 'upstream_error',
			message: 'The upstream answered HTTP 500.',
			upstreamStatus: 500
		});
		expect(answer.headers['cache-control']).toBe('no-store');
	});

	it('passes an unknown document ID through as 404', async () => {
		const answer = await rawRequest(proxy.url, 'GET', '/cvrf/v3.0/cvrf/1990-Jan');
		expect(answer.status).toBe(404);
		expect(JSON.parse(answer.body.toString())).toMatchObject({ upstreamStatus: 404 });
	});

	it('answers 504 within the configured timeout when the upstream hangs', async () => {
		standin.faults.set('/cvrf/v3.0/cvrf/2099-Feb', { hang: true });
		const startedMs = Date.now();
		const answer = await rawRequest(proxy.url, 'GET', '/cvrf/v3.0/cvrf/2099-Feb');
		const elapsedMs = Date.now() - startedMs;
		expect(answer.status).toBe(504);
		expect(JSON.parse(answer.body.toString())).toMatchObject({ error: 'upstream_timeout' });
		expect(elapsedMs).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_FOR_TEST_MS - 50);
		expect(elapsedMs).toBeLessThan(UPSTREAM_TIMEOUT_FOR_TEST_MS + 3000);
	});
});
