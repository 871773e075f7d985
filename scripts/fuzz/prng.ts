/**
 * A small seeded pseudo-random generator (mulberry32) and a seed mixer (splitmix32), so that a
 * fuzz run is reproducible from its seed and every case from its own case seed.
 */

/** Mixes two 32-bit numbers into a well-spread 32-bit seed (splitmix32 finaliser). */
export function mixSeed(runSeed: number, index: number): number {
	let value = (Math.imul(runSeed | 0, 0x9e3779b1) + Math.imul(index | 0, 0x85ebca6b)) | 0;
	value = Math.imul(value ^ (value >>> 16), 0x21f0aaad);
	value = Math.imul(value ^ (value >>> 15), 0x735a2d97);
	return (value ^ (value >>> 15)) >>> 0;
}

/** Deterministic pseudo-random numbers from one 32-bit seed. */
export class Prng {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** The next unsigned 32-bit number. */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let value = this.state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return (value ^ (value >>> 14)) >>> 0;
	}

	/** An integer in `[0, bound)` (0 when bound is 0 or less). */
	below(bound: number): number {
		if (bound <= 0) return 0;
		return Math.floor((this.next() / 0x1_0000_0000) * bound);
	}

	/** True with probability `probability`. */
	chance(probability: number): boolean {
		return this.next() / 0x1_0000_0000 < probability;
	}

	/** One element of a non-empty list. */
	pick<T>(items: readonly T[]): T {
		return items[this.below(items.length)] as T;
	}
}
