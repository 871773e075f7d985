// The in-memory LRU: bounded by entries, bytes and age, with a fake clock.

import { describe, expect, it } from 'vitest';
import { createMemoryCache, type CachedAnswer } from '../../../proxy/memory-cache.js';

function answerOf(byteLength: number): CachedAnswer {
	return {
		status: 200,
		contentType: 'application/xml',
		etag: null,
		lastModified: null,
		body: new Uint8Array(byteLength),
		storedAtMs: 0
	};
}

describe('createMemoryCache', () => {
	it('evicts the least recently used entry when the entry bound is passed', () => {
		const cache = createMemoryCache({ maxEntries: 2 });
		cache.set('a', answerOf(1), 60);
		cache.set('b', answerOf(1), 60);
		cache.get('a'); // "a" is now the most recently used
		cache.set('c', answerOf(1), 60);
		expect(cache.get('b')).toBeUndefined();
		expect(cache.get('a')).toBeDefined();
		expect(cache.get('c')).toBeDefined();
		expect(cache.size).toBe(2);
	});

	it('evicts until the byte bound holds and never stores an answer larger than it', () => {
		const cache = createMemoryCache({ maxBytes: 100 });
		cache.set('a', answerOf(60), 60);
		cache.set('b', answerOf(60), 60);
		expect(cache.get('a')).toBeUndefined();
		expect(cache.bytes).toBe(60);
		cache.set('huge', answerOf(101), 60);
		expect(cache.get('huge')).toBeUndefined();
		expect(cache.get('b')).toBeDefined();
	});

	it('forgets answers once their lifetime has passed', () => {
		let nowMs = 1_000;
		const cache = createMemoryCache({ now: () => nowMs });
		cache.set('a', answerOf(10), 5);
		nowMs += 4_999;
		expect(cache.get('a')).toBeDefined();
		nowMs += 1;
		expect(cache.get('a')).toBeUndefined();
		expect(cache.bytes).toBe(0);
	});

	it('replaces an entry stored under the same key without double-counting bytes', () => {
		const cache = createMemoryCache();
		cache.set('a', answerOf(10), 60);
		cache.set('a', answerOf(30), 60);
		expect(cache.bytes).toBe(30);
		expect(cache.size).toBe(1);
	});
});
