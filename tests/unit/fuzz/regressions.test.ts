/**
 * Regression tests for what the fuzzer (scripts/fuzz.ts) found, each with its minimal input.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanLayer } from '../../../src/lib/archive/layer';
import { bytesSource } from '../../../src/lib/archive/source';
import { MAX_ZSTD_WINDOW_BYTES, ZstdFrameGuard } from '../../../src/lib/archive/zstd-frames';
import { isMullionError } from '../../../src/lib/errors';

const zstdFixture = new Uint8Array(
	readFileSync(new URL('../../fixtures/archive/windows-layer.tar.zst', import.meta.url))
);

async function codeOf(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
		return 'ok';
	} catch (error) {
		return isMullionError(error) ? error.code : `untyped: ${String(error)}`;
	}
}

/** A zstd frame header (no checksum, no dictionary) with this window descriptor byte. */
function zstdFrameHeader(windowDescriptor: number): number[] {
	return [0x28, 0xb5, 0x2f, 0xfd, 0x00, windowDescriptor];
}

describe('zstd window sizes (fuzz case 1884714855, seed 7)', () => {
	it('refuses a 576 MiB window at once instead of allocating it (the fuzz input)', async () => {
		// Proves: the committed layer with its window descriptor byte flipped (0x68 → 0x99, a
		// 576 MiB window) and cut short ends with LIMIT_EXCEEDED in milliseconds; before the fix
		// fzstd allocated the window and took 2.4 s and 600 MB for this 12 KB input.
		const mutated = zstdFixture.slice(0, 11_807);
		mutated[5] = 0x99;
		const started = performance.now();
		expect(await codeOf(scanLayer(bytesSource(mutated)))).toBe('LIMIT_EXCEEDED');
		expect(performance.now() - started).toBeLessThan(1000);
	});

	it('refuses a 1.9 GiB window followed by thousands of tiny RLE blocks (minimal crafted input)', async () => {
		// Proves: 6 header bytes + 4-byte RLE blocks could make fzstd shift a 1.9 GiB window per
		// block (minutes); the frame guard stops at the header.
		const blocks = Array.from({ length: 4000 }, () => [0x02 | ((128 * 1024) << 3), 0, 0, 0]);
		const bomb = new Uint8Array([...zstdFrameHeader(0xf7), ...blocks.flat()]);
		const started = performance.now();
		expect(await codeOf(scanLayer(bytesSource(bomb)))).toBe('LIMIT_EXCEEDED');
		expect(performance.now() - started).toBeLessThan(1000);
		expect(MAX_ZSTD_WINDOW_BYTES).toBe(128 * 1024 * 1024);
	});

	it('follows real and skippable frames of a valid stream without a false alarm', async () => {
		// Proves: the guard walks the committed layer, a skippable frame and the layer again, fed
		// in 1-byte and 7-byte pieces, without throwing; the scan of layer + skippable frame
		// still gives the same hive.
		const skippable = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
		const stream = new Uint8Array([...zstdFixture, ...skippable, ...zstdFixture]);
		for (const pieceBytes of [1, 7]) {
			const guard = new ZstdFrameGuard();
			for (let start = 0; start < stream.length; start += pieceBytes) {
				guard.push(stream.subarray(start, start + pieceBytes));
			}
		}
		const plain = await scanLayer(bytesSource(zstdFixture));
		const withSkippable = new Uint8Array([...zstdFixture, ...skippable]);
		expect((await scanLayer(bytesSource(withSkippable))).software?.bytes).toEqual(
			plain.software?.bytes
		);
	});
});
