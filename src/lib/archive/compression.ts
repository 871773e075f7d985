/**
 * Recognises a layer's compression by its magic bytes (never by file name or media type,
 * layers-and-hives.md §2.5) and turns a gzip or zstd source into a stream of tar bytes.
 * Gzip uses the native `DecompressionStream` when there is one and falls back to fflate's
 * streaming `Gunzip` when the native stream fails (Chromium rejects multi-member gzip and
 * trailing bytes, toolchain.md "Gotchas" 11); zstd uses fzstd's streaming `Decompress`.
 */

import { Gunzip } from 'fflate';
import { Decompress as ZstdDecompress } from 'fzstd';
import { MullionError, isMullionError } from '../errors';
import { throwIfCancelled } from './bounds';
import type { ByteSource } from './source';
import {
	TAR_BLOCK_BYTES,
	USTAR_MAGIC,
	USTAR_MAGIC_OFFSET,
	hasValidChecksum,
	isZeroBlock
} from './tar-header';
import { ZstdFrameGuard } from './zstd-frames';

export type ArchiveFormat = 'tar' | 'gzip' | 'zstd' | 'unknown';
export type CompressedFormat = 'gzip' | 'zstd';

/** Bytes `detectFormat` needs to see (one tar header block). */
export const FORMAT_SNIFF_BYTES = TAR_BLOCK_BYTES;
/** Decompressed bytes allowed per compressed input byte, on top of the floor below. */
export const MAX_DECOMPRESSION_RATIO = 200;
/** Decompressed bytes always allowed, whatever the input size (1 GiB). */
export const MIN_DECOMPRESSED_LIMIT_BYTES = 1024 * 1024 * 1024;
/**
 * Largest piece of compressed input handed to a decompressor at once. Deflate expands at most
 * about 1032:1, so this bounds the output of one step to about 66 MiB before the limit is checked.
 */
export const MAX_DECOMPRESSOR_INPUT_PIECE_BYTES = 64 * 1024;

/**
 * Input pieces the native gzip decoder may hold at once: enough to keep an asynchronous decoder
 * (Node's runs on its thread pool) busy, few enough that its input and output stay small.
 */
export const NATIVE_GUNZIP_WRITES_IN_FLIGHT = 4;

/**
 * Decompressed chunks produced ahead of the reader, so that reading and inflating the next chunk
 * overlap with the tar parser's work on this one (bounded: chunks are small).
 */
export const DECOMPRESSED_READ_AHEAD_CHUNKS = 4;

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** fflate's error code for a bad gzip header ("invalid gzip data"). */
const FFLATE_INVALID_HEADER = 6;

/**
 * Names the format of data that starts with `first` (give at least FORMAT_SNIFF_BYTES): gzip
 * (1F 8B), zstd (28 B5 2F FD), tar (`ustar` at offset 257, or an old v7 header whose checksum
 * holds), else 'unknown'. Never throws.
 */
export function detectFormat(first: Uint8Array): ArchiveFormat {
	if (startsWith(first, GZIP_MAGIC, 0)) return 'gzip';
	if (startsWith(first, ZSTD_MAGIC, 0)) return 'zstd';
	if (startsWith(first, USTAR_MAGIC, USTAR_MAGIC_OFFSET)) return 'tar';
	const block = first.subarray(0, TAR_BLOCK_BYTES);
	if (block.length === TAR_BLOCK_BYTES && !isZeroBlock(block) && hasValidChecksum(block)) {
		return 'tar';
	}
	return 'unknown';
}

/** Formats people drop by mistake, recognised by magic bytes, with what to do instead. */
const KNOWN_OTHER_FORMATS: readonly { magic: readonly number[]; at: number; message: string }[] = [
	{
		magic: [0x50, 0x4b, 0x03, 0x04],
		at: 0,
		message: 'This is a zip file, not a tar. Unzip it and drop the layer tar or saved image inside'
	},
	{
		magic: [0x42, 0x5a, 0x68],
		at: 0,
		message:
			'This is bzip2-compressed data; only gzip and zstd layers are read. Decompress it first'
	},
	{
		magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
		at: 0,
		message: 'This is xz-compressed data; only gzip and zstd layers are read. Decompress it first'
	},
	{
		magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
		at: 0,
		message: 'This is a 7-Zip archive, not a tar. Extract the layer tar or saved image from it'
	},
	{
		// "vhdxfile": a VHDX disk, the form Windows keeps layers in on a host.
		magic: [0x76, 0x68, 0x64, 0x78, 0x66, 0x69, 0x6c, 0x65],
		at: 0,
		message:
			'This is a VHDX disk image, not a layer tar. Export the image with docker save or skopeo copy instead'
	},
	{
		magic: [0x72, 0x65, 0x67, 0x66],
		at: 0,
		message:
			'This is a registry hive, not a layer. Drop the layer tar (or saved image) that contains it'
	}
];

/**
 * Says what an input that is not tar, gzip or zstd is, as well as its first bytes tell: an empty
 * file, a known other format (zip, bzip2, xz, 7z, VHDX, a bare hive), JSON, or unknown.
 */
export function describeNonArchive(first: Uint8Array): string {
	if (first.length === 0) return 'The file is empty (0 bytes)';
	for (const known of KNOWN_OTHER_FORMATS) {
		if (startsWith(first, known.magic, known.at)) return known.message;
	}
	const text = new TextDecoder().decode(first.subarray(0, 64)).trimStart();
	if (text.startsWith('{') || text.startsWith('[')) {
		return 'This is a JSON file, not a layer. A manifest or config only helps together with its layers: drop them all at once';
	}
	if (first.length < TAR_BLOCK_BYTES) {
		return `The file is too short to be a layer (${first.length} bytes; a tar has at least one 512-byte header)`;
	}
	return 'The input is not a tar, gzip or zstd file';
}

function startsWith(bytes: Uint8Array, magic: readonly number[], at: number): boolean {
	return magic.every((byte, index) => bytes[at + index] === byte);
}

/** The decompressed-size limit for an input of `inputBytes` (a gzip/zstd bomb guard). */
export function maxDecompressedBytesFor(inputBytes: number): number {
	return MIN_DECOMPRESSED_LIMIT_BYTES + MAX_DECOMPRESSION_RATIO * inputBytes;
}

/** Options of `decompressedStream`. */
export interface DecompressOptions {
	/** Overrides `maxDecompressedBytesFor(source.size)` (tests lower it). */
	maxOutputBytes?: number;
	/** Checked between input chunks: aborting errors the stream with CANCELLED. */
	signal?: AbortSignal;
	/** Called with the compressed bytes consumed so far by the current pass over the input. */
	onInputBytes?: (consumed: number) => void;
	/**
	 * Makes the native gzip decoder; `null` disables it (fflate only). Defaults to
	 * `new DecompressionStream('gzip')` where that exists.
	 */
	nativeGunzip?: (() => TransformStream<Uint8Array, Uint8Array>) | null;
}

/**
 * A stream of the decompressed bytes of `source`. It errors with GZIP_CORRUPT / ZSTD_CORRUPT on a
 * corrupt or cut stream (trailing zero padding after the last gzip member is tolerated),
 * LIMIT_EXCEEDED past the decompressed-size limit, CANCELLED when the signal aborts.
 */
export function decompressedStream(
	source: ByteSource,
	format: CompressedFormat,
	options: DecompressOptions = {}
): ReadableStream<Uint8Array> {
	const maxOutputBytes = options.maxOutputBytes ?? maxDecompressedBytesFor(source.size);
	const chunks = format === 'gzip' ? gunzipChunks(source, options) : unzstdChunks(source, options);
	return generatorStream(capOutput(chunks, maxOutputBytes));
}

/** A pull-driven stream over an async generator; cancelling the stream ends the generator. */
function generatorStream(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				const { done, value } = await chunks.next();
				if (done) controller.close();
				else controller.enqueue(value);
			},
			async cancel() {
				await chunks.return(undefined);
			}
		},
		{ highWaterMark: DECOMPRESSED_READ_AHEAD_CHUNKS }
	);
}

/** Passes chunks through, throwing LIMIT_EXCEEDED once their total passes `maxBytes`. */
async function* capOutput(chunks: AsyncGenerator<Uint8Array>, maxBytes: number) {
	let total = 0;
	for await (const chunk of chunks) {
		total += chunk.length;
		if (total > maxBytes) {
			throw new MullionError(
				'LIMIT_EXCEEDED',
				`Decompressed data passes ${maxBytes} bytes (MAX_DECOMPRESSION_RATIO): a compression bomb?`
			);
		}
		yield chunk;
	}
}

/** The compressed input in pieces of at most MAX_DECOMPRESSOR_INPUT_PIECE_BYTES. */
async function* inputPieces(source: ByteSource, options: DecompressOptions) {
	const reader = source.stream().getReader();
	let consumed = 0;
	try {
		for (;;) {
			throwIfCancelled(options.signal);
			const { done, value } = await reader.read();
			if (done) return;
			for (let start = 0; start < value.length; start += MAX_DECOMPRESSOR_INPUT_PIECE_BYTES) {
				const piece = value.subarray(start, start + MAX_DECOMPRESSOR_INPUT_PIECE_BYTES);
				consumed += piece.length;
				options.onInputBytes?.(consumed);
				yield piece;
			}
		}
	} finally {
		await reader.cancel().catch(() => undefined);
	}
}

/** Gzip: native first; on a native failure, fflate from the start, skipping what was emitted. */
async function* gunzipChunks(source: ByteSource, options: DecompressOptions) {
	const makeNative = nativeGunzipFactory(options);
	let emitted = 0;
	if (makeNative) {
		try {
			for await (const chunk of nativeGunzipChunks(source, options, makeNative)) {
				emitted += chunk.length;
				yield chunk;
			}
			return;
		} catch (error) {
			if (isMullionError(error)) throw error;
			// The native decoder gave up (multi-member, trailing bytes, corrupt): let fflate decide.
		}
	}
	await checkGzipHeader(source);
	let produced = emitted;
	for await (const chunk of skipLeadingBytes(fflateGunzipChunks(source, options), emitted)) {
		produced += chunk.length;
		yield chunk;
	}
	// fflate ends quietly inside a header (cut after the magic, a file name with no end): a gzip
	// that decodes to nothing at all is damaged, not an empty tar.
	if (produced === 0) {
		throw new MullionError(
			'GZIP_CORRUPT',
			'The gzip stream ends before any data (cut short inside its header?)'
		);
	}
}

/**
 * Longest file name or comment accepted in the first gzip member's header, in bytes. fflate scans
 * a header again each time more input arrives, so a name that never ends (32 MiB took 41 s)
 * costs time quadratic in its length; real names are a few dozen bytes.
 */
export const MAX_GZIP_HEADER_FIELD_BYTES = 64 * 1024;

const GZIP_FLAG_EXTRA = 0x04;
const GZIP_FLAG_NAME = 0x08;
const GZIP_FLAG_COMMENT = 0x10;

/** Throws GZIP_CORRUPT when the first member's FNAME or FCOMMENT does not end in time. */
async function checkGzipHeader(source: ByteSource): Promise<void> {
	const fixed = 10;
	const head = await source.read(0, fixed + 2 + 0xffff + 2 * (MAX_GZIP_HEADER_FIELD_BYTES + 1));
	const flags = head[3] ?? 0;
	let at = fixed;
	if (flags & GZIP_FLAG_EXTRA) at += 2 + ((head[at] ?? 0) | ((head[at + 1] ?? 0) << 8));
	for (const [flag, what] of [
		[GZIP_FLAG_NAME, 'file name'],
		[GZIP_FLAG_COMMENT, 'comment']
	] as const) {
		if (!(flags & flag)) continue;
		const end = head.indexOf(0, at);
		if (end < 0 || end - at > MAX_GZIP_HEADER_FIELD_BYTES) {
			throw new MullionError(
				'GZIP_CORRUPT',
				`The gzip header's ${what} does not end within ${MAX_GZIP_HEADER_FIELD_BYTES} bytes (MAX_GZIP_HEADER_FIELD_BYTES)`
			);
		}
		at = end + 1;
	}
}

function nativeGunzipFactory(options: DecompressOptions) {
	if (options.nativeGunzip !== undefined) return options.nativeGunzip;
	if (typeof DecompressionStream === 'undefined') return null;
	return () => new DecompressionStream('gzip') as TransformStream<Uint8Array, Uint8Array>;
}

/**
 * The native decoder, fed by demand: an input piece is written only when every output chunk so
 * far has been taken and fewer than NATIVE_GUNZIP_WRITES_IN_FLIGHT writes are unsettled, so only a
 * few pieces and their output wait in memory. Piping into the decoder instead relies on the
 * platform's backpressure, and Node's web-stream adapter counts queued chunks, not bytes (16 384
 * of them on each side): a 2 GiB layer was read into memory ahead of the tar parser. Input pieces are capped at
 * MAX_DECOMPRESSOR_INPUT_PIECE_BYTES so that one piece's output stays bounded too.
 */
async function* nativeGunzipChunks(
	source: ByteSource,
	options: DecompressOptions,
	makeNative: () => TransformStream<Uint8Array, Uint8Array>
) {
	const native = makeNative();
	const writer = native.writable.getWriter();
	const reader = native.readable.getReader();
	const pieces = inputPieces(source, options);
	let inputDone = false;
	const writing = new Set<Promise<void>>();
	// A rejected write is reported by the reader too; this keeps it from going unhandled.
	const settle = (write: Promise<void>) => write.catch(() => undefined);
	try {
		let read = reader.read();
		for (;;) {
			const ready = await Promise.race([read, NOT_READY]);
			if (ready !== NOT_READY_VALUE) {
				if (ready.done) return;
				yield ready.value;
				read = reader.read();
				continue;
			}
			// Nothing decoded is waiting. With the decoder full, wait for a write to settle (or for
			// output) and look again; otherwise give it the next input piece.
			if (writing.size >= NATIVE_GUNZIP_WRITES_IN_FLIGHT || (inputDone && writing.size > 0)) {
				await Promise.race([...writing, read]);
				continue;
			}
			if (inputDone) {
				await read;
				continue;
			}
			const next = await pieces.next();
			if (next.done) {
				inputDone = true;
				void settle(writer.close());
			} else {
				const write: Promise<void> = settle(writer.write(next.value)).then(() => {
					writing.delete(write);
				});
				writing.add(write);
			}
		}
	} finally {
		await pieces.return(undefined);
		await reader.cancel().catch(() => undefined);
		writer.releaseLock();
	}
}

/** Already settled: `Promise.race([pending, NOT_READY])` tells whether `pending` has settled. */
const NOT_READY_VALUE = Symbol('not ready');
const NOT_READY = Promise.resolve(NOT_READY_VALUE);

/** Drops the first `count` bytes of a chunk sequence. */
async function* skipLeadingBytes(chunks: AsyncGenerator<Uint8Array>, count: number) {
	let remaining = count;
	for await (const chunk of chunks) {
		if (remaining >= chunk.length) {
			remaining -= chunk.length;
			continue;
		}
		yield chunk.subarray(remaining);
		remaining = 0;
	}
}

/**
 * fflate's streaming Gunzip (multi-member aware). Zero bytes at the end of each input piece are
 * held back until non-zero data follows, so that zero padding after the last member can be told
 * apart from junk: fflate rejects it as a bad next-member header, which is tolerated only when
 * nothing but held-back zeros remained.
 */
async function* fflateGunzipChunks(source: ByteSource, options: DecompressOptions) {
	const output: Uint8Array[] = [];
	const decoder = new Gunzip((data) => void output.push(data));
	let heldZeros = 0;
	for await (const piece of inputPieces(source, options)) {
		const end = lastNonZeroIndex(piece) + 1;
		if (end === 0) {
			heldZeros += piece.length;
			continue;
		}
		guardGzip(() => pushZeros(decoder, heldZeros));
		guardGzip(() => decoder.push(piece.subarray(0, end)));
		heldZeros = piece.length - end;
		yield* output.splice(0);
	}
	finishGunzip(decoder, heldZeros);
	yield* output.splice(0);
}

function finishGunzip(decoder: Gunzip, heldZeros: number): void {
	try {
		pushZeros(decoder, heldZeros);
		decoder.push(new Uint8Array(0), true);
	} catch (error) {
		if (heldZeros > 0 && fflateErrorCode(error) === FFLATE_INVALID_HEADER) return;
		throw corrupt('GZIP_CORRUPT', error);
	}
}

const ZERO_PIECE = new Uint8Array(MAX_DECOMPRESSOR_INPUT_PIECE_BYTES);

function pushZeros(decoder: Gunzip, count: number): void {
	for (let remaining = count; remaining > 0; remaining -= ZERO_PIECE.length) {
		decoder.push(ZERO_PIECE.subarray(0, Math.min(remaining, ZERO_PIECE.length)));
	}
}

function lastNonZeroIndex(bytes: Uint8Array): number {
	for (let index = bytes.length - 1; index >= 0; index--) if (bytes[index] !== 0) return index;
	return -1;
}

function guardGzip(step: () => void): void {
	try {
		step();
	} catch (error) {
		throw corrupt('GZIP_CORRUPT', error);
	}
}

/** Zstd through fzstd (multiple frames supported; windows over MAX_ZSTD_WINDOW_BYTES refused). */
async function* unzstdChunks(source: ByteSource, options: DecompressOptions) {
	const output: Uint8Array[] = [];
	const decoder = new ZstdDecompress((data) => void output.push(data));
	const frames = new ZstdFrameGuard();
	const push = (piece: Uint8Array, final: boolean) => {
		try {
			decoder.push(piece, final);
		} catch (error) {
			throw corrupt('ZSTD_CORRUPT', error);
		}
	};
	for await (const piece of inputPieces(source, options)) {
		frames.push(piece);
		push(piece, false);
		yield* output.splice(0);
	}
	push(new Uint8Array(0), true);
	yield* output.splice(0);
}

function fflateErrorCode(error: unknown): number | undefined {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'number' ? code : undefined;
}

function corrupt(code: 'GZIP_CORRUPT' | 'ZSTD_CORRUPT', error: unknown): MullionError {
	if (isMullionError(error)) return error;
	const reason = error instanceof Error ? error.message : String(error);
	const format = code === 'GZIP_CORRUPT' ? 'gzip' : 'zstd';
	return new MullionError(code, `The ${format} stream is corrupt or cut short (${reason})`);
}
