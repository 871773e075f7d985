import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	decompressedStream,
	describeNonArchive,
	detectFormat
} from '../../../src/lib/archive/compression';
import { openTar } from '../../../src/lib/archive/layer';
import { isMullionError } from '../../../src/lib/errors';
import { scanLayer } from '../../../src/lib/archive/layer';
import { bytesSource, type ByteSource } from '../../../src/lib/archive/source';
import { concatParts, gzip, headerBlock, writeTar } from '../../helpers/tar-writer';
import { FILES_SOFTWARE, windowsLayerTar } from './windows-layer';

const zstdFixture = readFileSync(
	path.resolve(import.meta.dirname, '../../fixtures/archive/windows-layer.tar.zst')
);

/** Byte equality without vitest's element-by-element diffing (slow on megabytes). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
	expect(actual.length).toBe(expected.length);
	expect(Buffer.compare(actual, expected)).toBe(0);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
	const chunks: Uint8Array[] = [];
	for await (const chunk of stream) chunks.push(chunk);
	return concatParts(chunks);
}

/** A native decoder that behaves like Chromium's on multi-member input: it emits some output
 * (here: the first 64 KiB of the real result) and then fails. */
function failingNative(): TransformStream<Uint8Array, Uint8Array> {
	const inner = new DecompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>;
	let emitted = 0;
	const cut = new TransformStream<Uint8Array, Uint8Array>({
		transform(chunk, controller) {
			const room = 65_536 - emitted;
			if (room > 0) controller.enqueue(chunk.subarray(0, room));
			emitted += Math.min(room, chunk.length);
			if (chunk.length >= room) throw new TypeError('Junk found after end of compressed data.');
		}
	});
	return { writable: inner.writable, readable: inner.readable.pipeThrough(cut) };
}

describe('detectFormat', () => {
	it('recognises formats by magic bytes only', () => {
		// Proves: gzip, zstd, ustar tar, magic-less v7 tar (valid checksum), and 'unknown'.
		const v7 = headerBlock({ name: 'old.txt', v7: true });
		expect(detectFormat(gzip(new Uint8Array(10)))).toBe('gzip');
		expect(detectFormat(zstdFixture)).toBe('zstd');
		expect(detectFormat(writeTar([{ path: 'a' }]))).toBe('tar');
		expect(detectFormat(v7)).toBe('tar');
		expect(detectFormat(new Uint8Array(1024))).toBe('unknown');
		expect(detectFormat(new TextEncoder().encode('PK\u0003\u0004 a zip'))).toBe('unknown');
	});
});

describe('describeNonArchive', () => {
	const bytes = (...values: number[]) => new Uint8Array([...values, ...new Array(600).fill(0x41)]);
	const text = (value: string) => new TextEncoder().encode(value);

	it.each([
		['an empty file', new Uint8Array(0), /^The file is empty \(0 bytes\)$/],
		['a zip', bytes(0x50, 0x4b, 0x03, 0x04), /zip file, not a tar/],
		['bzip2', bytes(0x42, 0x5a, 0x68, 0x39), /bzip2/],
		['xz', bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), /xz-compressed/],
		['7z', bytes(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c), /7-Zip/],
		['a VHDX', bytes(...text('vhdxfile')), /VHDX disk image/],
		['a bare hive', bytes(...text('regf')), /registry hive, not a layer/],
		['a manifest alone', text('  [{"Config":"x.json"}]'), /JSON file, not a layer/],
		['a short text', text('hello'), /too short to be a layer \(5 bytes/],
		['anything else', bytes(0x00, 0x01), /not a tar, gzip or zstd file/]
	])('names %s', (_name, head, message) => {
		expect(describeNonArchive(head)).toMatch(message);
	});

	it('is what openTar says, with no offset noise in the message', async () => {
		let caught: unknown;
		await openTar(bytesSource(new Uint8Array(0))).catch((error: unknown) => (caught = error));
		expect(isMullionError(caught, 'NOT_AN_ARCHIVE')).toBe(true);
		expect((caught as Error).message).toBe('The file is empty (0 bytes)');
	});
});

describe('decompressedStream', () => {
	const tar = windowsLayerTar(300);

	it('restarts with fflate when the native decoder fails, keeping the output seamless', async () => {
		// Proves: after a native failure mid-stream, fflate re-decodes from the start and skips
		// what native already emitted, so the tar bytes come out once and in order.
		const input = gzip(tar, { members: 3 });
		const stream = decompressedStream(bytesSource(input), 'gzip', { nativeGunzip: failingNative });
		expectSameBytes(await readAll(stream), tar);
	});

	it('decodes multi-member gzip with zero padding through fflate', async () => {
		const input = gzip(tar, { members: 5, trailingZeros: 3 });
		const stream = decompressedStream(bytesSource(input), 'gzip', { nativeGunzip: null });
		expectSameBytes(await readAll(stream), tar);
	});

	it('matches the committed zstd fixture to the current test layer', async () => {
		// Proves: the CLI-made fixture still holds windowsLayerTar() (regenerate it if this fails).
		const stream = decompressedStream(bytesSource(zstdFixture), 'zstd');
		expectSameBytes(await readAll(stream), windowsLayerTar());
	});

	it('reports a cut or corrupt zstd stream as ZSTD_CORRUPT', async () => {
		// Proves: a cut frame ends in ZSTD_CORRUPT (the decoder, not the tar parser, sees the end);
		// junk after the frame too.
		const cut = zstdFixture.subarray(0, zstdFixture.length - 100);
		await expect(scanLayer(bytesSource(cut))).rejects.toMatchObject({ code: 'ZSTD_CORRUPT' });
		const junk = new Uint8Array([...zstdFixture, 1, 2, 3, 4, 5, 6, 7, 8]);
		const stream = decompressedStream(bytesSource(junk), 'zstd');
		await expect(readAll(stream)).rejects.toMatchObject({ code: 'ZSTD_CORRUPT' });
	});

	it('caps zstd output too', async () => {
		const options = { limits: { maxDecompressedBytes: 100_000 } };
		await expect(scanLayer(bytesSource(zstdFixture), options)).rejects.toMatchObject({
			code: 'LIMIT_EXCEEDED'
		});
	});

	it('still finds the hive through the native-failure fallback in scanLayer', async () => {
		const input = gzip(windowsLayerTar(), { members: 2 });
		const result = await scanLayer(bytesSource(input), { nativeGunzip: failingNative });
		expect(result.software?.bytes).toEqual(FILES_SOFTWARE);
		expect(result.bytesRead).toBeGreaterThan(input.length / 2);
	});

	it('pulls compressed input only as fast as decoded output is taken (bounded read-ahead)', async () => {
		// 48 MiB of incompressible data: without flow control, Node's DecompressionStream adapter
		// queues thousands of input chunks, and the whole file is read ahead of the consumer.
		const plain = new Uint8Array(48 * 1024 * 1024);
		for (let at = 0; at < plain.length; at += 65_536) {
			crypto.getRandomValues(plain.subarray(at, at + 65_536));
		}
		const compressed = gzip(plain);
		// A file-like source in 1 MiB pieces (Node's Blob.stream() hands over a whole in-memory
		// Blob as one chunk, which would say nothing about read-ahead).
		let pulled = 0;
		const counted: ByteSource = {
			size: compressed.length,
			read: async (offset, length) => compressed.slice(offset, offset + length),
			stream(offset = 0, end = compressed.length) {
				let position = offset;
				return new ReadableStream<Uint8Array>(
					{
						pull(controller) {
							if (position >= end) return controller.close();
							const piece = compressed.subarray(position, Math.min(end, position + 1024 * 1024));
							position += piece.length;
							pulled += piece.length;
							controller.enqueue(piece);
						}
					},
					{ highWaterMark: 0 }
				);
			}
		};
		const reader = decompressedStream(counted, 'gzip').getReader();
		let taken = 0;
		while (taken < 1024 * 1024) {
			const { done, value } = await reader.read();
			if (done) break;
			taken += value.length;
		}
		// Let any eager pipe run on before looking.
		await new Promise((resolve) => setTimeout(resolve, 200));
		await reader.cancel();
		expect(taken).toBeGreaterThanOrEqual(1024 * 1024);
		expect(pulled).toBeLessThan(16 * 1024 * 1024);
	});

	it('keeps to the native decoder when it succeeds (no silent fallback to fflate)', async () => {
		const plain = writeTar([
			{ path: 'Files/big.bin', data: new Uint8Array(3 * 1024 * 1024).fill(7) }
		]);
		let nativeBytes = 0;
		const countingNative = () => {
			const inner = new DecompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>;
			const counter = new TransformStream<Uint8Array, Uint8Array>({
				transform(chunk, controller) {
					nativeBytes += chunk.length;
					controller.enqueue(chunk);
				}
			});
			return { writable: inner.writable, readable: inner.readable.pipeThrough(counter) };
		};
		const output = await readAll(
			decompressedStream(bytesSource(gzip(plain)), 'gzip', { nativeGunzip: countingNative })
		);
		expectSameBytes(output, plain);
		expect(nativeBytes).toBe(plain.length);
	});
});
