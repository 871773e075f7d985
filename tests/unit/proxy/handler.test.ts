// The Fetch handler in process: origin allowlist, target screening, single-flight caching,
// redirects, size limits and the pluggable cache, with a recording fetch in front of the stand-in.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	acceptsGzip,
	createProxyHandler,
	MAX_UPSTREAM_BODY_BYTES,
	screenTarget,
	type ProxyOptions,
	type UpstreamFailure
} from '../../../proxy/handler.js';
import { startMsrcStandin, type MsrcStandin } from '../../helpers/msrc-standin';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/proxy');
const documentBytes = readFileSync(
	path.join(fixtures, 'cvrf-2022-Dec.excerpt-3cves.raw-20260706.xml')
);

let standin: MsrcStandin;
beforeAll(async () => {
	standin = await startMsrcStandin({ documentsDir: fixtures, updates: { value: [] } });
});
afterAll(async () => {
	await standin?.close();
});

/** A fetch that records every URL it is asked for, then uses the real fetch. */
function recordingFetch() {
	const urls: string[] = [];
	const fetchImpl: typeof fetch = (input, init) => {
		urls.push(String(input));
		return fetch(input, init);
	};
	return { urls, fetchImpl };
}

function handlerWith(options: ProxyOptions = {}) {
	const recorder = recordingFetch();
	const handle = createProxyHandler({
		upstream: standin.url,
		fetchImpl: recorder.fetchImpl,
		...options
	});
	return { handle, urls: recorder.urls };
}

function get(target: string, headers: Record<string, string> = {}, method = 'GET') {
	return new Request(`http://proxy.test${target}`, { method, headers });
}

describe('createProxyHandler', () => {
	it('echoes an allowed origin, refuses others with 403 before any upstream call', async () => {
		const { handle, urls } = handlerWith({ allowedOrigins: ['https://mullion.example'] });
		const allowed = await handle(get('/cvrf/v3.0/updates', { Origin: 'https://mullion.example' }));
		expect(allowed.status).toBe(200);
		expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://mullion.example');
		expect(allowed.headers.get('Vary')).toContain('Origin');
		const refused = await handle(
			get('/cvrf/v3.0/cvrf/2022-Dec', { Origin: 'https://evil.example' })
		);
		expect(refused.status).toBe(403);
		expect(refused.headers.get('Access-Control-Allow-Origin')).toBeNull();
		expect(urls).toEqual([`${standin.url}/cvrf/v3.0/updates`]);
	});

	it('only ever fetches the upstream origin, even when the Request URL was normalised', async () => {
		const { handle, urls } = handlerWith();
		// new Request() already resolved "/cvrf/v3.0/cvrf/../updates" to "/cvrf/v3.0/updates".
		const normalised = await handle(get('/cvrf/v3.0/cvrf/../updates'));
		expect(normalised.status).toBe(200);
		const raw = await handle(get('/cvrf/v3.0/updates'), {
			rawTarget: '/cvrf/v3.0/cvrf/../updates'
		});
		expect(raw.status).toBe(400);
		expect(urls.every((url) => new URL(url).origin === standin.url)).toBe(true);
		expect(urls).toHaveLength(1);
	});

	it('shares one upstream call between concurrent identical requests', async () => {
		const { handle, urls } = handlerWith();
		const answers = await Promise.all([1, 2, 3].map(() => handle(get('/cvrf/v3.0/cvrf/2022-Dec'))));
		expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
		const bodies = await Promise.all(answers.map((answer) => answer.arrayBuffer()));
		expect(bodies.every((body) => Buffer.from(body).equals(documentBytes))).toBe(true);
		expect(urls).toHaveLength(1);
	});

	it('does not cache when the lifetime is 0, and says so in Cache-Control', async () => {
		const { handle, urls } = handlerWith({ cacheTtlSeconds: 0 });
		const first = await handle(get('/cvrf/v3.0/updates'));
		await handle(get('/cvrf/v3.0/updates'));
		expect(first.headers.get('Cache-Control')).toBe('public, max-age=0');
		expect(urls).toHaveLength(2);
	});

	it('answers HEAD with headers only and the identity length', async () => {
		const { handle } = handlerWith();
		const answer = await handle(get('/cvrf/v3.0/cvrf/2022-Dec', {}, 'HEAD'));
		expect(answer.status).toBe(200);
		expect(answer.body).toBeNull();
		expect(answer.headers.get('Content-Length')).toBe(String(documentBytes.byteLength));
	});

	it('does not follow an upstream redirect (it could point to another host)', async () => {
		const fetchImpl: typeof fetch = async () =>
			new Response(null, { status: 302, headers: { Location: 'https://evil.example/' } });
		const handle = createProxyHandler({ fetchImpl });
		const answer = await handle(get('/cvrf/v3.0/cvrf/2022-Dec'));
		expect(answer.status).toBe(502);
		expect(await answer.json()).toMatchObject({ error: 'upstream_error', upstreamStatus: 302 });
	});

	it('refuses an upstream body larger than MAX_UPSTREAM_BODY_BYTES with 502', async () => {
		const chunk = new Uint8Array(1024 * 1024);
		const chunkLimit = MAX_UPSTREAM_BODY_BYTES / chunk.byteLength + 1;
		let sentChunks = 0;
		const endless = new ReadableStream<Uint8Array>({
			pull(controller) {
				sentChunks += 1;
				if (sentChunks > chunkLimit) controller.close();
				else controller.enqueue(chunk);
			}
		});
		const handle = createProxyHandler({ fetchImpl: async () => new Response(endless) });
		const answer = await handle(get('/cvrf/v3.0/cvrf/2022-Dec'));
		expect(answer.status).toBe(502);
		expect(await answer.json()).toMatchObject({ error: 'upstream_too_large' });
	});

	it('answers 502 upstream_unreachable for a closed upstream port and tells onUpstreamFailure why', async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const { port } = closed.address() as AddressInfo;
		await new Promise((resolve) => closed.close(resolve));
		const events: UpstreamFailure[] = [];
		const handle = createProxyHandler({
			upstream: `http://127.0.0.1:${port}`,
			onUpstreamFailure: (event) => {
				events.push(event);
				throw new Error('a failing logger changes nothing');
			}
		});
		const answer = await handle(get('/cvrf/v3.0/updates'));
		expect(answer.status).toBe(502);
		const body = await answer.json();
		expect(body).toStrictEqual({
			error: 'upstream_unreachable',
			message: 'The upstream could not be reached.'
		});
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({
			url: `http://127.0.0.1:${port}/cvrf/v3.0/updates`,
			status: 502,
			code: 'upstream_unreachable'
		});
		expect(events[0]?.reason).toMatch(/ECONNREFUSED/);
	});

	it('keeps serving when a pluggable cache throws', async () => {
		const broken = {
			get: () => Promise.reject(new Error('cache down')),
			set: () => Promise.reject(new Error('cache down'))
		};
		const { handle } = handlerWith({ cache: broken });
		const answer = await handle(get('/cvrf/v3.0/updates'));
		expect(answer.status).toBe(200);
		expect(await answer.json()).toEqual({ value: [] });
	});

	it('uses a pluggable cache: a stored answer is served without an upstream call', async () => {
		const stored = new Map<string, unknown>();
		const cache = {
			get: (key: string) => stored.get(key) as never,
			set: (key: string, answer: unknown) => void stored.set(key, answer)
		};
		const { handle, urls } = handlerWith({ cache });
		await handle(get('/cvrf/v3.0/cvrf/2022-Dec', { Accept: 'application/xml' }));
		const second = await handle(get('/cvrf/v3.0/cvrf/2022-Dec', { Accept: 'application/xml' }));
		expect(second.headers.get('X-Mullion-Proxy-Cache')).toBe('HIT');
		expect([...stored.keys()]).toEqual(['/cvrf/v3.0/cvrf/2022-Dec\napplication/xml']);
		expect(urls).toHaveLength(1);
	});

	it('refuses an over-long or non-printable Accept header with 400', async () => {
		const { handle, urls } = handlerWith();
		const answer = await handle(get('/cvrf/v3.0/updates', { Accept: 'x'.repeat(300) }));
		expect(answer.status).toBe(400);
		expect(urls).toHaveLength(0);
	});

	it('rejects an invalid upstream setting at creation', () => {
		expect(() => createProxyHandler({ upstream: 'file:///etc/passwd' })).toThrow(TypeError);
	});
});

describe('screenTarget', () => {
	it('accepts the real MSRC request shapes', () => {
		const shapes = [
			'/cvrf/v3.0/updates',
			"/cvrf/v3.0/updates('2022-Dec')",
			'/cvrf/v3.0/Updates/$count',
			'/cvrf/v3.0/cvrf/2017-May-B',
			'/cvrf/v3.0/cvrf(2022-Dec)',
			'/cvrf/v3.0/Updates?$filter=CurrentReleaseDate%20gt%202023-01-01',
			'/cvrf/v3.0/cvrf/2022-Dec?api-version=2023-11-01'
		];
		for (const shape of shapes) expect(screenTarget(shape)).not.toHaveProperty('code');
	});

	it('splits path and query', () => {
		expect(screenTarget('/cvrf/v3.0/cvrf/2022-Dec?a=1')).toEqual({
			pathname: '/cvrf/v3.0/cvrf/2022-Dec',
			search: '?a=1'
		});
	});

	it('refuses dot segments, encodings, empty segments and non-path targets', () => {
		const hostile = [
			'*',
			'evil.example:443',
			'/a/./b',
			'/.hidden',
			'/a/%2e/b',
			'/a//b',
			'/a\\b',
			'/a b'
		];
		for (const target of hostile) expect(screenTarget(target)).toMatchObject({ status: 400 });
	});
});

describe('acceptsGzip', () => {
	it('reads gzip, * and q=0 refusals from Accept-Encoding', () => {
		const cases: Array<[string, boolean]> = [
			['gzip, deflate, br', true],
			['br;q=1.0, gzip;q=0.5', true],
			['*', true],
			['gzip;q=0', false],
			['identity', false],
			['GZIP', true]
		];
		for (const [header, expected] of cases) {
			expect(acceptsGzip(get('/', { 'Accept-Encoding': header }))).toBe(expected);
		}
	});
});
