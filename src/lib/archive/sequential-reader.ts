/**
 * The one way the tar parser reads its input: forward only, with `read(n)` and `skip(n)`.
 * Two implementations stand behind it. Over a random-access `ByteSource` (a plain tar) reads go
 * through large windows, so a header walk costs one source read per window rather than one per
 * header, and a skip only moves the offset, so file bodies that are skipped are never read. Over
 * a `ReadableStream` (decompressed gzip or zstd) chunks are buffered and a skip consumes and
 * discards them. See /work/shared/docs/toolchain.md "Measured limits" for why windows are ≥ 1 MiB.
 */

import type { ByteSource } from './source';
import { throwIfCancelled } from './bounds';

/**
 * Bytes fetched per window when walking a random-access source. One `Blob.slice` costs about
 * 1 ms in Chromium, so small reads per header would dominate a walk over 100k entries.
 */
export const TAR_WINDOW_BYTES = 1024 * 1024;
/**
 * Largest window. Where headers are dense (the next window starts within one window of the end
 * of the last), each window doubles up to this size: 8 MiB slices read about 1.5× faster than
 * 1 MiB ones in Chromium (toolchain.md). A long skip over file bodies falls back to
 * TAR_WINDOW_BYTES, so that bodies are not read for nothing.
 */
export const MAX_TAR_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * The size of the next window, given the current one and the gap between the end of the last
 * window and where the next read starts (negative when it starts inside the last window).
 */
export function nextWindowBytes(current: number, gap: number, base = TAR_WINDOW_BYTES): number {
	return gap <= current ? Math.min(current * 2, Math.max(base, MAX_TAR_WINDOW_BYTES)) : base;
}

/** A forward-only reader over a byte stream (a tar, plain or decompressed). */
export interface SequentialReader {
	/** Offset of the next byte `read` returns, from the start of this stream. */
	readonly position: number;
	/** Total length when known in advance (random-access sources), else undefined. */
	readonly size: number | undefined;
	/** Returns exactly `length` bytes, or fewer only at the end of the input. */
	read(length: number): Promise<Uint8Array>;
	/** Skips `length` bytes; returns how many were skipped (fewer only at the end). */
	skip(length: number): Promise<number>;
	/** Releases the input (cancels a stream). Safe to call more than once. */
	close(): Promise<void>;
}

/** Options shared by both readers. */
export interface SequentialReaderOptions {
	/** Called with the number of bytes of the underlying input consumed so far. */
	onProgress?: (inputBytesConsumed: number) => void;
	/** Checked before every read of the underlying input: aborting throws CANCELLED. */
	signal?: AbortSignal;
}

/** A reader over a random-access source that fetches `TAR_WINDOW_BYTES` (or more) at a time. */
export class SourceReader implements SequentialReader {
	position = 0;
	/** Bytes actually fetched from the source so far (what a scan costs in I/O). */
	bytesFetched = 0;
	/** Number of `source.read` calls made so far. */
	readCalls = 0;
	private window: Uint8Array = new Uint8Array(0);
	private windowStart = 0;
	private windowBytes: number;

	constructor(
		private readonly source: ByteSource,
		private readonly options: SequentialReaderOptions & { windowBytes?: number } = {}
	) {
		this.windowBytes = options.windowBytes ?? TAR_WINDOW_BYTES;
	}

	get size(): number {
		return this.source.size;
	}

	async read(length: number): Promise<Uint8Array> {
		const available = Math.max(0, Math.min(length, this.source.size - this.position));
		if (available === 0) return new Uint8Array(0);
		const windowOffset = this.position - this.windowStart;
		if (windowOffset < 0 || windowOffset + available > this.window.length) {
			await this.fetchWindow(available);
		}
		const start = this.position - this.windowStart;
		this.position += available;
		return this.window.subarray(start, start + available);
	}

	async skip(length: number): Promise<number> {
		const skipped = Math.max(0, Math.min(length, this.source.size - this.position));
		this.position += skipped;
		this.options.onProgress?.(this.position);
		return skipped;
	}

	async close(): Promise<void> {
		this.window = new Uint8Array(0);
	}

	/** Replaces the window by one starting at `position`, at least `minimumBytes` long. */
	private async fetchWindow(minimumBytes: number): Promise<void> {
		throwIfCancelled(this.options.signal);
		if (this.readCalls > 0) {
			const gap = this.position - (this.windowStart + this.window.length);
			const base = this.options.windowBytes ?? TAR_WINDOW_BYTES;
			this.windowBytes = nextWindowBytes(this.windowBytes, gap, base);
		}
		const length = Math.max(minimumBytes, this.windowBytes);
		this.window = await this.source.read(this.position, length);
		this.windowStart = this.position;
		this.bytesFetched += this.window.length;
		this.readCalls += 1;
		this.options.onProgress?.(this.position + this.window.length);
	}
}

/** A reader over a stream of chunks of any size (e.g. decompressed data). */
export class StreamReader implements SequentialReader {
	position = 0;
	readonly size = undefined;
	private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
	private chunks: Uint8Array[] = [];
	private buffered = 0;
	private ended = false;
	private consumed = 0;

	/**
	 * `inputPosition` reports how much of the underlying input has been consumed (e.g. compressed
	 * bytes); without it, progress is counted in bytes of this stream.
	 */
	constructor(
		stream: ReadableStream<Uint8Array>,
		private readonly options: SequentialReaderOptions & { inputPosition?: () => number } = {}
	) {
		this.reader = stream.getReader();
	}

	/**
	 * A view when the bytes lie in one chunk; otherwise one buffer filled as chunks arrive, each
	 * chunk let go once copied, so that a large body (a 50 MiB hive) is never held twice.
	 */
	async read(length: number): Promise<Uint8Array> {
		if (this.buffered === 0 && !(await this.pull())) return new Uint8Array(0);
		if ((this.chunks[0]?.length ?? 0) >= length) return this.take(length);
		const out = new Uint8Array(length);
		let filled = 0;
		while (filled < length) {
			if (this.buffered === 0 && !(await this.pull())) break;
			const piece = this.take(Math.min(length - filled, this.chunks[0]?.length ?? 0));
			out.set(piece, filled);
			filled += piece.length;
		}
		return filled === length ? out : out.slice(0, filled);
	}

	async skip(length: number): Promise<number> {
		let skipped = 0;
		while (skipped < length) {
			if (this.buffered === 0 && !(await this.pull())) break;
			skipped += this.drop(Math.min(length - skipped, this.buffered));
		}
		return skipped;
	}

	async close(): Promise<void> {
		this.chunks = [];
		this.buffered = 0;
		if (this.ended) return;
		this.ended = true;
		await this.reader.cancel().catch(() => undefined);
	}

	/** Reads one more chunk into the buffer; false at the end of the stream. */
	private async pull(): Promise<boolean> {
		if (this.ended) return false;
		throwIfCancelled(this.options.signal);
		const { done, value } = await this.reader.read();
		if (done) {
			this.ended = true;
			return false;
		}
		this.chunks.push(value);
		this.buffered += value.length;
		this.consumed += value.length;
		this.options.onProgress?.(this.options.inputPosition?.() ?? this.consumed);
		return true;
	}

	/**
	 * Removes and returns the first `length` bytes of the first chunk, as a view: `read` never asks
	 * for more than that chunk holds.
	 */
	private take(length: number): Uint8Array {
		const first = this.chunks[0] ?? new Uint8Array(0);
		this.chunks[0] = first.subarray(length);
		this.afterRemove(length);
		return first.subarray(0, length);
	}

	/** Discards up to `length` buffered bytes; returns how many were discarded. */
	private drop(length: number): number {
		let remaining = length;
		while (remaining > 0 && this.chunks.length > 0) {
			const chunk = this.chunks[0] ?? new Uint8Array(0);
			const dropped = Math.min(remaining, chunk.length);
			if (dropped === chunk.length) this.chunks.shift();
			else this.chunks[0] = chunk.subarray(dropped);
			remaining -= dropped;
		}
		this.afterRemove(length - remaining);
		return length - remaining;
	}

	private afterRemove(length: number): void {
		this.buffered -= length;
		this.position += length;
		if (this.chunks[0]?.length === 0) this.chunks.shift();
	}
}
