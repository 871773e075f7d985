// Allowlisted CORS proxy for the MSRC CVRF API (https://api.msrc.microsoft.com/cvrf/v3.0).
// MSRC sends no CORS headers (docs/msrc-cvrf.md §1.4), so a browser page cannot read its answers
// directly. This handler forwards only GET/HEAD under /cvrf/v3.0/ to one fixed upstream origin,
// adds CORS headers, gzips, and caches answers. It uses only the standard Request, Response,
// fetch and CompressionStream, so it deploys unchanged to edge runtimes (see proxy/README.md).

import { createMemoryCache } from './memory-cache.js';

/** @typedef {import('./memory-cache.js').AnswerCache} AnswerCache */
/** @typedef {import('./memory-cache.js').CachedAnswer} CachedAnswer */

/** Default bound on one upstream exchange (headers and body), in milliseconds. */
export const UPSTREAM_TIMEOUT_MS = 30_000;
/** Longest request target (path and query) accepted, in characters. */
export const MAX_REQUEST_TARGET_CHARS = 512;
/** Longest `Accept` header value forwarded, in characters. */
export const MAX_ACCEPT_HEADER_CHARS = 256;
/** Largest upstream body read (the biggest MSRC month is about 11 MB of XML), in bytes. */
export const MAX_UPSTREAM_BODY_BYTES = 48 * 1024 * 1024;
/** Bodies smaller than this are sent uncompressed, in bytes. */
export const MIN_COMPRESSIBLE_BODY_BYTES = 1024;
/** Most comma-separated entries read from `Accept-Encoding`. */
export const MAX_ACCEPT_ENCODING_ENTRIES = 16;
/** The only path prefix forwarded upstream. */
export const API_PATH_PREFIX = '/cvrf/v3.0/';

/** Default cache lifetimes in seconds: the index changes often, documents rarely. */
export const DEFAULT_CACHE_TTL_SECONDS = Object.freeze({ updates: 300, documents: 3600 });

const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const INFO_PATHS = new Set(['/', '/healthz']);
const CACHE_STATUS_HEADER = 'X-Mullion-Proxy-Cache';
const EXPOSED_HEADERS = [
	'Content-Type',
	'Content-Length',
	'Last-Modified',
	'ETag',
	'Date',
	CACHE_STATUS_HEADER
].join(', ');
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;
// A path segment: no leading dot (rules out "." and ".."), no "%" (rules out encoded tricks).
const SAFE_PATH_SEGMENT = /^[A-Za-z0-9_~()'$,:-][A-Za-z0-9._~()'$,:-]*$/;
// OData queries such as ?$filter=CurrentReleaseDate%20gt%202023-01-01 or ?api-version=2023-11-01.
const SAFE_QUERY = /^[A-Za-z0-9%$=&'()+,.:_~-]*$/;
const SAFE_HEADER_VALUE = /^[\x20-\x7e]*$/;

/**
 * @typedef {object} CacheTtlSeconds
 * @property {number} updates lifetime of `/cvrf/v3.0/updates…` answers
 * @property {number} documents lifetime of every other answer (CVRF documents)
 */

/**
 * @typedef {object} ProxyOptions
 * @property {string} [upstream] upstream origin; only its origin is used
 * @property {string[]} [allowedOrigins] page origins allowed to read answers; `'*'` allows all
 * @property {number | Partial<CacheTtlSeconds>} [cacheTtlSeconds] one lifetime or one per kind
 * @property {number} [upstreamTimeoutMs] bound on one upstream exchange
 * @property {typeof fetch} [fetchImpl] fetch used for upstream calls
 * @property {AnswerCache} [cache] answer cache; defaults to a {@link createMemoryCache} LRU
 * @property {(event: UpstreamFailure) => void} [onUpstreamFailure] told of every failed upstream
 *   exchange (unreachable, timeout, error status, oversized body), e.g. to log it
 */

/**
 * @typedef {object} UpstreamFailure
 * @property {string} url the upstream URL
 * @property {number} status the status the client gets (502 or 504)
 * @property {string} code the client's `error` code
 * @property {string} reason what went wrong, e.g. the network error's message
 */

/**
 * Extra facts a host can pass beside the Request. `rawTarget` is the request target exactly as
 * received (before URL normalisation), so traversal such as `/cvrf/v3.0/../x` is seen and refused.
 * @typedef {object} ProxyContext
 * @property {string} [rawTarget]
 */

/**
 * @typedef {object} Settings
 * @property {string} upstreamOrigin
 * @property {ReadonlySet<string>} allowedOrigins
 * @property {boolean} allowAnyOrigin
 * @property {CacheTtlSeconds} ttl
 * @property {number} upstreamTimeoutMs
 * @property {typeof fetch} fetchImpl
 * @property {AnswerCache} cache
 * @property {(event: UpstreamFailure) => void} onUpstreamFailure
 * @property {Map<string, Promise<CachedAnswer | Failure>>} inFlight
 */

/**
 * A refusal or upstream failure, answered as a short JSON error.
 * @typedef {object} Failure
 * @property {number} status
 * @property {string} code
 * @property {string} message
 * @property {number} [upstreamStatus]
 */

/** @typedef {{ pathname: string, search: string }} Target */

/**
 * Creates the proxy as a Fetch handler `(request, context?) => Promise<Response>`.
 * The handler never throws and never fetches any origin but `upstream`: paths outside
 * `/cvrf/v3.0/` get 404, malformed targets 400 (414 when too long), other methods 405,
 * disallowed origins 403, upstream failures 502 (404 passes as 404) and upstream timeouts 504.
 * @param {ProxyOptions} [options]
 * @returns {(request: Request, context?: ProxyContext) => Promise<Response>}
 * @throws {TypeError} when `upstream` is not an http(s) URL
 */
export function createProxyHandler(options = {}) {
	const settings = resolveSettings(options);
	return async function handleProxyRequest(request, context) {
		try {
			return await route(settings, request, context);
		} catch {
			return errorResponse(failure(500, 'internal_error', 'The proxy failed.'), { Vary: 'Origin' });
		}
	};
}

/**
 * @param {ProxyOptions} options
 * @returns {Settings}
 */
function resolveSettings(options) {
	const upstreamUrl = new URL(options.upstream ?? 'https://api.msrc.microsoft.com');
	if (upstreamUrl.protocol !== 'https:' && upstreamUrl.protocol !== 'http:') {
		throw new TypeError(`upstream must be an http(s) URL, got ${upstreamUrl.protocol}`);
	}
	const allowedOrigins = new Set(options.allowedOrigins ?? ['*']);
	return {
		upstreamOrigin: upstreamUrl.origin,
		allowedOrigins,
		allowAnyOrigin: allowedOrigins.has('*'),
		ttl: resolveTtl(options.cacheTtlSeconds),
		upstreamTimeoutMs: options.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS,
		fetchImpl: options.fetchImpl ?? ((input, init) => fetch(input, init)),
		cache: options.cache ?? createMemoryCache(),
		onUpstreamFailure: options.onUpstreamFailure ?? (() => {}),
		inFlight: new Map()
	};
}

/**
 * @param {number | Partial<CacheTtlSeconds> | undefined} value
 * @returns {CacheTtlSeconds}
 */
function resolveTtl(value) {
	if (typeof value === 'number') return { updates: value, documents: value };
	return { ...DEFAULT_CACHE_TTL_SECONDS, ...value };
}

/**
 * @param {Settings} settings
 * @param {Request} request
 * @param {ProxyContext | undefined} context
 * @returns {Promise<Response>}
 */
async function route(settings, request, context) {
	const cors = corsHeaders(settings, request.headers.get('Origin'));
	if (cors === null) {
		return errorResponse(failure(403, 'origin_not_allowed', 'This origin may not use the proxy.'), {
			Vary: 'Origin'
		});
	}
	const target = screenTarget(rawTargetOf(request, context));
	if ('code' in target) return errorResponse(target, cors);
	if (!ALLOWED_METHODS.has(request.method)) {
		const refusal = failure(405, 'method_not_allowed', 'Only GET, HEAD and OPTIONS are served.');
		return errorResponse(refusal, { ...cors, Allow: 'GET, HEAD, OPTIONS' });
	}
	if (request.method === 'OPTIONS') return preflightResponse(cors);
	if (INFO_PATHS.has(target.pathname)) return infoResponse(settings, request, cors);
	if (!target.pathname.startsWith(API_PATH_PREFIX)) {
		const message = `Only ${API_PATH_PREFIX}… is forwarded.`;
		return errorResponse(failure(404, 'not_found', message), cors);
	}
	return proxyResponse(settings, request, target, cors);
}

/**
 * @param {Request} request
 * @param {ProxyContext | undefined} context
 * @returns {string}
 */
function rawTargetOf(request, context) {
	if (typeof context?.rawTarget === 'string') return context.rawTarget;
	const url = new URL(request.url);
	return url.pathname + url.search;
}

/**
 * Checks a request target (origin-form path and query) against the allowlist grammar.
 * Refuses absolute-form and asterisk targets, backslashes, empty segments (`//`), dot segments,
 * any percent-encoding in the path, unexpected query characters and over-long targets.
 * @param {string} rawTarget
 * @returns {Target | Failure}
 */
export function screenTarget(rawTarget) {
	if (rawTarget.length > MAX_REQUEST_TARGET_CHARS) {
		return failure(
			414,
			'target_too_long',
			`Request targets are limited to ${MAX_REQUEST_TARGET_CHARS} characters.`
		);
	}
	if (!rawTarget.startsWith('/')) return badTarget('The request target must be a path.');
	const queryStart = rawTarget.indexOf('?');
	const pathname = queryStart === -1 ? rawTarget : rawTarget.slice(0, queryStart);
	const search = queryStart === -1 ? '' : rawTarget.slice(queryStart);
	if (
		pathname !== '/' &&
		!pathname
			.slice(1)
			.split('/')
			.every((s) => SAFE_PATH_SEGMENT.test(s))
	) {
		return badTarget('The path holds characters or segments the proxy does not forward.');
	}
	if (!SAFE_QUERY.test(search.slice(1))) {
		return badTarget('The query holds characters the proxy does not forward.');
	}
	return { pathname, search };
}

/** @param {string} message */
function badTarget(message) {
	return failure(400, 'bad_target', message);
}

/**
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @param {number} [upstreamStatus]
 * @returns {Failure}
 */
function failure(status, code, message, upstreamStatus) {
	return upstreamStatus === undefined
		? { status, code, message }
		: { status, code, message, upstreamStatus };
}

/**
 * CORS headers for a request's Origin, or null when the origin is not on the allowlist.
 * Requests without Origin (same-origin or not from a browser) are served.
 * @param {Settings} settings
 * @param {string | null} origin
 * @returns {Record<string, string> | null}
 */
function corsHeaders(settings, origin) {
	const base = { Vary: 'Origin', 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
	if (settings.allowAnyOrigin) return { ...base, 'Access-Control-Allow-Origin': '*' };
	if (origin === null) return base;
	if (!settings.allowedOrigins.has(origin)) return null;
	return { ...base, 'Access-Control-Allow-Origin': origin };
}

/**
 * @param {Record<string, string>} cors
 * @returns {Response}
 */
function preflightResponse(cors) {
	const headers = {
		...cors,
		'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
		'Access-Control-Allow-Headers': 'Accept',
		'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS)
	};
	return new Response(null, { status: 204, headers });
}

/**
 * @param {Settings} settings
 * @param {Request} request
 * @param {Record<string, string>} cors
 * @returns {Response}
 */
function infoResponse(settings, request, cors) {
	const info = {
		name: 'mullion-msrc-proxy',
		status: 'ok',
		purpose: 'Allowlisted CORS proxy for the MSRC CVRF API, which sends no CORS headers.',
		upstream: settings.upstreamOrigin,
		forwards: `${API_PATH_PREFIX}*`,
		methods: ['GET', 'HEAD', 'OPTIONS']
	};
	const response = jsonResponse(200, info, cors);
	return request.method === 'HEAD' ? withoutBody(response) : response;
}

/**
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} headers
 * @returns {Response}
 */
function jsonResponse(status, body, headers) {
	const allHeaders = {
		...headers,
		'Content-Type': 'application/json; charset=utf-8',
		'Cache-Control': 'no-store'
	};
	return new Response(JSON.stringify(body), { status, headers: allHeaders });
}

/**
 * A refusal as JSON: `{ error, message, upstreamStatus? }`.
 * @param {Failure} refusal
 * @param {Record<string, string>} headers
 * @returns {Response}
 */
function errorResponse(refusal, headers) {
	const { status, code, ...details } = refusal;
	return jsonResponse(status, { error: code, ...details }, headers);
}

/** @param {Response} response */
function withoutBody(response) {
	return new Response(null, { status: response.status, headers: response.headers });
}

/**
 * Serves one API request from the cache or the upstream.
 * @param {Settings} settings
 * @param {Request} request
 * @param {Target} target
 * @param {Record<string, string>} cors
 * @returns {Promise<Response>}
 */
async function proxyResponse(settings, request, target, cors) {
	const accept = request.headers.get('Accept');
	if (
		accept !== null &&
		(accept.length > MAX_ACCEPT_HEADER_CHARS || !SAFE_HEADER_VALUE.test(accept))
	) {
		return errorResponse(
			failure(400, 'bad_accept', 'The Accept header is too long or malformed.'),
			cors
		);
	}
	const key = `${target.pathname}${target.search}\n${accept ?? ''}`;
	const ttlSeconds = ttlFor(settings, target.pathname);
	const cached = await readCache(settings.cache, key);
	if (cached !== undefined) return answerResponse(request, cached, ttlSeconds, cors, 'HIT');
	const fetched = await fetchOnce(settings, key, target, accept, ttlSeconds);
	if ('code' in fetched) return errorResponse(fetched, cors);
	return answerResponse(request, fetched, ttlSeconds, cors, 'MISS');
}

/**
 * @param {Settings} settings
 * @param {string} pathname
 */
function ttlFor(settings, pathname) {
	const isIndex = pathname.slice(API_PATH_PREFIX.length).toLowerCase().startsWith('updates');
	return isIndex ? settings.ttl.updates : settings.ttl.documents;
}

/**
 * Cache reads that fail (a platform cache may) count as misses.
 * @param {AnswerCache} cache
 * @param {string} key
 * @returns {Promise<CachedAnswer | undefined>}
 */
async function readCache(cache, key) {
	try {
		return await cache.get(key);
	} catch {
		return undefined;
	}
}

/**
 * Fetches and caches one answer; concurrent requests for the same key share one upstream call.
 * @param {Settings} settings
 * @param {string} key
 * @param {Target} target
 * @param {string | null} accept
 * @param {number} ttlSeconds
 * @returns {Promise<CachedAnswer | Failure>}
 */
function fetchOnce(settings, key, target, accept, ttlSeconds) {
	const pending = settings.inFlight.get(key);
	if (pending !== undefined) return pending;
	const started = fetchUpstream(settings, target, accept).then(async (result) => {
		if (!('code' in result)) await writeCache(settings.cache, key, result, ttlSeconds);
		return result;
	});
	const tracked = started.finally(() => settings.inFlight.delete(key));
	settings.inFlight.set(key, tracked);
	return tracked;
}

/**
 * @param {AnswerCache} cache
 * @param {string} key
 * @param {CachedAnswer} answer
 * @param {number} ttlSeconds
 */
async function writeCache(cache, key, answer, ttlSeconds) {
	try {
		await cache.set(key, answer, ttlSeconds);
	} catch {
		// A failing platform cache only costs a later upstream call.
	}
}

/**
 * One bounded upstream GET. Redirects are not followed: the proxy talks to one origin only.
 * @param {Settings} settings
 * @param {Target} target
 * @param {string | null} accept
 * @returns {Promise<CachedAnswer | Failure>}
 */
async function fetchUpstream(settings, target, accept) {
	const outcome = await exchangeUpstream(settings, target, accept);
	if (!('code' in outcome)) return outcome;
	const { reason, ...refusal } = outcome;
	if (refusal.status >= 500) {
		const url = settings.upstreamOrigin + target.pathname + target.search;
		try {
			settings.onUpstreamFailure({
				url,
				status: refusal.status,
				code: refusal.code,
				reason: reason ?? refusal.message
			});
		} catch {
			// A failing logger must not change the answer.
		}
	}
	return refusal;
}

/**
 * @param {Settings} settings
 * @param {Target} target
 * @param {string | null} accept
 * @returns {Promise<CachedAnswer | (Failure & { reason?: string })>}
 */
async function exchangeUpstream(settings, target, accept) {
	const url = settings.upstreamOrigin + target.pathname + target.search;
	if (new URL(url).origin !== settings.upstreamOrigin) {
		return failure(400, 'bad_target', 'The target does not stay on the upstream origin.');
	}
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), settings.upstreamTimeoutMs);
	try {
		/** @type {Record<string, string>} */
		const headers = accept === null ? {} : { Accept: accept };
		const init = {
			method: 'GET',
			headers,
			redirect: /** @type {const} */ ('manual'),
			signal: controller.signal
		};
		const response = await settings.fetchImpl(url, init);
		return await readUpstreamAnswer(response);
	} catch (error) {
		if (controller.signal.aborted) {
			const message = `The upstream did not answer within ${settings.upstreamTimeoutMs} ms.`;
			return failure(504, 'upstream_timeout', message);
		}
		const cause =
			error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
		const reason = `${error instanceof Error ? error.message : String(error)}${cause}`;
		return {
			...failure(502, 'upstream_unreachable', 'The upstream could not be reached.'),
			reason
		};
	} finally {
		clearTimeout(timer);
	}
}

/**
 * @param {Response} response
 * @returns {Promise<CachedAnswer | Failure>}
 */
async function readUpstreamAnswer(response) {
	if (response.status < 200 || response.status > 299) {
		await response.body?.cancel().catch(() => undefined);
		return upstreamStatusFailure(response.status);
	}
	const body = await readBodyWithLimit(response);
	if (body === null) {
		const message = `The upstream body exceeds ${MAX_UPSTREAM_BODY_BYTES} bytes.`;
		return failure(502, 'upstream_too_large', message, response.status);
	}
	return {
		status: response.status,
		contentType: response.headers.get('Content-Type'),
		etag: response.headers.get('ETag'),
		lastModified: response.headers.get('Last-Modified'),
		body,
		storedAtMs: Date.now()
	};
}

/**
 * Upstream 404 stays 404 (an unknown document ID); every other non-2xx becomes 502.
 * @param {number} upstreamStatus
 * @returns {Failure}
 */
function upstreamStatusFailure(upstreamStatus) {
	if (upstreamStatus === 404) {
		return failure(404, 'upstream_not_found', 'The upstream has no such resource.', 404);
	}
	const message = `The upstream answered HTTP ${upstreamStatus}.`;
	return failure(502, 'upstream_error', message, upstreamStatus);
}

/**
 * Reads a body (fetch has already removed any Content-Encoding) up to MAX_UPSTREAM_BODY_BYTES.
 * @param {Response} response
 * @returns {Promise<Uint8Array<ArrayBuffer> | null>} the bytes, or null when the body is too large
 */
async function readBodyWithLimit(response) {
	if (response.body === null) return new Uint8Array(0);
	const reader = response.body.getReader();
	/** @type {Uint8Array[]} */
	const chunks = [];
	let totalBytes = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		totalBytes += value.byteLength;
		if (totalBytes > MAX_UPSTREAM_BODY_BYTES) {
			await reader.cancel();
			return null;
		}
		chunks.push(value);
	}
	return concatenate(chunks, totalBytes);
}

/**
 * @param {Uint8Array[]} chunks
 * @param {number} totalBytes
 */
function concatenate(chunks, totalBytes) {
	const joined = new Uint8Array(totalBytes);
	let offset = 0;
	for (const chunk of chunks) {
		joined.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return joined;
}

/**
 * Builds the client answer: upstream metadata, caching and CORS headers, gzip when accepted.
 * @param {Request} request
 * @param {CachedAnswer} answer
 * @param {number} ttlSeconds
 * @param {Record<string, string>} cors
 * @param {'HIT' | 'MISS'} cacheStatus
 * @returns {Response}
 */
function answerResponse(request, answer, ttlSeconds, cors, cacheStatus) {
	const headers = new Headers(cors);
	headers.set('Vary', 'Origin, Accept, Accept-Encoding');
	headers.set('Cache-Control', `public, max-age=${ttlSeconds}`);
	headers.set(CACHE_STATUS_HEADER, cacheStatus);
	if (answer.contentType !== null) headers.set('Content-Type', answer.contentType);
	if (answer.etag !== null) headers.set('ETag', answer.etag);
	if (answer.lastModified !== null) headers.set('Last-Modified', answer.lastModified);
	const compress = answer.body.byteLength >= MIN_COMPRESSIBLE_BODY_BYTES && acceptsGzip(request);
	if (compress) headers.set('Content-Encoding', 'gzip');
	else headers.set('Content-Length', String(answer.body.byteLength));
	if (request.method === 'HEAD') return new Response(null, { status: answer.status, headers });
	if (!compress) return new Response(answer.body, { status: answer.status, headers });
	// Workers would gzip the body again unless told it is encoded; other runtimes ignore this.
	/** @type {ResponseInit & { encodeBody: 'manual' }} */
	const init = { status: answer.status, headers, encodeBody: 'manual' };
	return new Response(gzipStream(answer.body), init);
}

/**
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @returns {ReadableStream<Uint8Array>}
 */
function gzipStream(bytes) {
	return new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
}

/**
 * True when `Accept-Encoding` lists gzip (or `*`) without `q=0`.
 * @param {Request} request
 */
export function acceptsGzip(request) {
	const header = request.headers.get('Accept-Encoding');
	if (header === null) return false;
	const entries = header.split(',').slice(0, MAX_ACCEPT_ENCODING_ENTRIES);
	return entries.some((entry) => {
		const [coding = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
		const refused = parameters.some((parameter) => /^q=0(\.0*)?$/.test(parameter));
		return (coding === 'gzip' || coding === '*') && !refused;
	});
}
