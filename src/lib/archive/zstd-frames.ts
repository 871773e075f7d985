/**
 * Walks the frame structure of a zstd stream next to the decoder (RFC 8878 §3.1) to refuse a
 * frame whose window is larger than MAX_ZSTD_WINDOW_BYTES before the decoder allocates it: fzstd
 * allocates the whole window up front and shifts it once per block, so a 12-byte header claiming
 * a 2 GiB window followed by tiny RLE blocks would cost gigabytes and minutes (found by fuzzing).
 */

import { MullionError } from '../errors';

/** Largest zstd window accepted, in bytes: 128 MiB, the reference decoder's default limit (2^27). */
export const MAX_ZSTD_WINDOW_BYTES = 128 * 1024 * 1024;
/**
 * fzstd moves its whole window after each block, so a stream costs about (blocks × window) bytes
 * of copying: 6.5 ms a block at 128 MiB. Real layers stay far below this budget (an 8 MiB window
 * with 128 KiB blocks compressed to 40 KiB is about 200 bytes per input byte; a 128 MiB window at
 * 10:1 about 13 000); a crafted stream of 3-byte blocks with a 128 MiB window is 44 million.
 */
export const MAX_ZSTD_SHIFT_BYTES_PER_INPUT_BYTE = 16 * 1024;
/** Window copying always allowed, whatever the input size (32 GiB: a few seconds). */
export const MIN_ZSTD_SHIFT_BUDGET_BYTES = 32 * 1024 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/*
 * Frame: magic u32 LE | Frame_Header_Descriptor u8 (FCS flag bits 7-6, Single_Segment bit 5,
 * Checksum flag bit 2, Dictionary_ID flag bits 1-0) | Window_Descriptor u8 (unless single
 * segment; exponent bits 7-3, mantissa bits 2-0) | Dictionary_ID 0/1/2/4 | Frame_Content_Size
 * 0/1/2/4/8 | blocks: header u24 LE (last bit 0, type bits 2-1, size bits 23-3) + content
 * (raw/compressed: size bytes; RLE: 1 byte) | checksum u32 when flagged.
 * Skippable frame: magic 0x184D2A5? u32 | size u32 | size bytes.
 */
type Step =
	| { kind: 'magic' }
	| { kind: 'descriptor' }
	| { kind: 'header'; descriptor: number }
	| { kind: 'block'; checksum: boolean }
	| { kind: 'skippable-size' };

/** Follows frame boundaries over input pieces; throws LIMIT_EXCEEDED for an oversized window. */
export class ZstdFrameGuard {
	private step: Step = { kind: 'magic' };
	private pending: number[] = [];
	private skip = 0;
	private position = 0;
	private window = 0;
	private shiftBytes = 0;

	/** Looks at the next piece of compressed input. */
	push(piece: Uint8Array): void {
		for (let index = 0; index < piece.length;) {
			if (this.skip > 0) {
				const skipped = Math.min(this.skip, piece.length - index);
				this.skip -= skipped;
				index += skipped;
				continue;
			}
			this.pending.push(piece[index] ?? 0);
			index++;
			if (this.pending.length === this.wanted()) this.advance();
		}
		this.position += piece.length;
	}

	/** Bytes the current step needs before it can be decoded. */
	private wanted(): number {
		const step = this.step;
		if (step.kind === 'magic' || step.kind === 'skippable-size') return 4;
		if (step.kind === 'descriptor') return 1;
		if (step.kind === 'block') return 3;
		return headerRemainderBytes(step.descriptor);
	}

	private advance(): void {
		const bytes = this.pending;
		this.pending = [];
		const step = this.step;
		if (step.kind === 'magic') {
			const magic = littleEndian(bytes);
			const skippable = (magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC;
			// Anything else is left for the decoder to reject.
			this.step = skippable
				? { kind: 'skippable-size' }
				: { kind: magic === ZSTD_MAGIC ? 'descriptor' : 'magic' };
			if (!skippable && magic !== ZSTD_MAGIC) this.skip = Infinity;
		} else if (step.kind === 'skippable-size') {
			this.skip = littleEndian(bytes);
			this.step = { kind: 'magic' };
		} else if (step.kind === 'descriptor') {
			this.step = { kind: 'header', descriptor: bytes[0] ?? 0 };
		} else if (step.kind === 'header') {
			this.window = checkWindow(step.descriptor, bytes, this.position);
			this.step = { kind: 'block', checksum: (step.descriptor & 0x04) !== 0 };
		} else {
			this.nextBlock(littleEndian(bytes), step.checksum);
		}
	}

	private nextBlock(header: number, checksum: boolean): void {
		// fzstd moves its whole window after every block: count that work against the budget.
		this.shiftBytes += this.window;
		const budget =
			MIN_ZSTD_SHIFT_BUDGET_BYTES + MAX_ZSTD_SHIFT_BYTES_PER_INPUT_BYTE * this.position;
		if (this.shiftBytes > budget) {
			throw new MullionError(
				'LIMIT_EXCEEDED',
				`The zstd stream has too many blocks for its ${this.window}-byte window ` +
					'(MAX_ZSTD_SHIFT_BYTES_PER_INPUT_BYTE): a crafted stream?',
				this.position
			);
		}
		const last = (header & 1) === 1;
		const type = (header >>> 1) & 3;
		const size = header >>> 3;
		this.skip = type === 1 ? 1 : size;
		if (last) {
			this.skip += checksum ? 4 : 0;
			this.step = { kind: 'magic' };
		}
	}
}

/** Window_Descriptor + Dictionary_ID + Frame_Content_Size bytes after the descriptor. */
function headerRemainderBytes(descriptor: number): number {
	const singleSegment = (descriptor & 0x20) !== 0;
	const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] ?? 0;
	const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >>> 6] ?? 0;
	return (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
}

function checkWindow(descriptor: number, header: number[], position: number): number {
	const singleSegment = (descriptor & 0x20) !== 0;
	let window: number;
	if (singleSegment) {
		const contentSizeBytes = [1, 2, 4, 8][descriptor >>> 6] ?? 1;
		const start = header.length - contentSizeBytes;
		window = littleEndian(header.slice(start)) + (contentSizeBytes === 2 ? 256 : 0);
	} else {
		const windowLog = 10 + ((header[0] ?? 0) >>> 3);
		const base = 2 ** windowLog;
		window = base + (base / 8) * ((header[0] ?? 0) & 7);
	}
	if (window > MAX_ZSTD_WINDOW_BYTES) {
		throw new MullionError(
			'LIMIT_EXCEEDED',
			`A zstd frame asks for a ${window}-byte window (MAX_ZSTD_WINDOW_BYTES is ${MAX_ZSTD_WINDOW_BYTES})`,
			position
		);
	}
	return window;
}

/** Unsigned little-endian number of up to 8 bytes (exact up to 2^53). */
function littleEndian(bytes: readonly number[]): number {
	let value = 0;
	for (let index = bytes.length - 1; index >= 0; index--) value = value * 256 + (bytes[index] ?? 0);
	return value;
}
