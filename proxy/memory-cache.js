// In-memory LRU cache for upstream answers, bounded by entry count, total body bytes and age.
// Plain ESM with JSDoc types and no platform imports, so it runs on Node and on edge runtimes.

/** Default number of answers the cache keeps before evicting the least recently used. */
export const DEFAULT_MAX_CACHE_ENTRIES = 48;

/** Default total body bytes the cache keeps (a month of MSRC XML is 1–11 MB). */
export const DEFAULT_MAX_CACHE_BYTES = 96 * 1024 * 1024;

/**
 * One cached upstream answer: the decoded (identity) body and the headers the proxy passes on.
 * @typedef {object} CachedAnswer
 * @property {number} status upstream HTTP status (only 2xx answers are cached)
 * @property {string | null} contentType upstream `Content-Type`
 * @property {string | null} etag upstream `ETag`
 * @property {string | null} lastModified upstream `Last-Modified`
 * @property {Uint8Array<ArrayBuffer>} body decoded body bytes
 * @property {number} storedAtMs wall-clock time (ms since epoch) the answer was fetched
 */

/**
 * The cache contract the proxy handler uses. An edge deployment can supply its own object
 * (for example one backed by the platform cache); both methods may return promises.
 * @typedef {object} AnswerCache
 * @property {(key: string) => CachedAnswer | undefined | Promise<CachedAnswer | undefined>} get
 *   returns a fresh answer, or undefined when absent or expired
 * @property {(key: string, answer: CachedAnswer, ttlSeconds: number) => void | Promise<void>} set
 *   stores an answer for at most `ttlSeconds`
 */

/**
 * @typedef {object} MemoryCacheOptions
 * @property {number} [maxEntries] most answers kept at once
 * @property {number} [maxBytes] most body bytes kept at once; larger single answers are not stored
 * @property {() => number} [now] clock in ms (injectable for tests)
 */

/**
 * Creates an LRU {@link AnswerCache} held in process memory. Reading an entry marks it recently
 * used; storing evicts least-recently-used entries until both bounds hold. Never throws.
 * @param {MemoryCacheOptions} [options]
 * @returns {AnswerCache & { readonly size: number, readonly bytes: number }}
 */
export function createMemoryCache(options = {}) {
	const maxEntries = options.maxEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
	const maxBytes = options.maxBytes ?? DEFAULT_MAX_CACHE_BYTES;
	const now = options.now ?? Date.now;
	/** @type {Map<string, { answer: CachedAnswer, expiresAtMs: number }>} */
	const entries = new Map();
	let totalBytes = 0;

	/** @param {string} key */
	function remove(key) {
		const entry = entries.get(key);
		if (entry === undefined) return;
		entries.delete(key);
		totalBytes -= entry.answer.body.byteLength;
	}

	function evictUntilWithinBounds() {
		for (const oldestKey of entries.keys()) {
			if (entries.size <= maxEntries && totalBytes <= maxBytes) return;
			remove(oldestKey);
		}
	}

	return {
		get(key) {
			const entry = entries.get(key);
			if (entry === undefined) return undefined;
			remove(key);
			if (entry.expiresAtMs <= now()) return undefined;
			entries.set(key, entry);
			totalBytes += entry.answer.body.byteLength;
			return entry.answer;
		},
		set(key, answer, ttlSeconds) {
			remove(key);
			if (ttlSeconds <= 0 || answer.body.byteLength > maxBytes) return;
			entries.set(key, { answer, expiresAtMs: now() + ttlSeconds * 1000 });
			totalBytes += answer.body.byteLength;
			evictUntilWithinBounds();
		},
		get size() {
			return entries.size;
		},
		get bytes() {
			return totalBytes;
		}
	};
}
