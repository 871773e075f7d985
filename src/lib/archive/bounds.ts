/**
 * The one bounds-checked helper every archive module reads untrusted bytes through. A field is
 * taken only after checking, with integer arithmetic that cannot overflow, that it lies inside
 * the buffer; a field that does not fit throws TAR_BAD_HEADER (or the code the caller names).
 */

import { MullionError, type ErrorCode } from '../errors';

/** True when `[start, start + length)` lies inside a buffer of `total` bytes. */
export function isInRange(start: number, length: number, total: number): boolean {
	return (
		Number.isSafeInteger(start) &&
		Number.isSafeInteger(length) &&
		start >= 0 &&
		length >= 0 &&
		start <= total &&
		length <= total - start
	);
}

/**
 * Returns the view `bytes[start, start + length)` (no copy). Throws `code` (TAR_BAD_HEADER by
 * default) naming `what`, at `baseOffset + start`, when the range does not fit.
 */
export function field(
	bytes: Uint8Array,
	start: number,
	length: number,
	what: string,
	baseOffset = 0,
	code: ErrorCode = 'TAR_BAD_HEADER'
): Uint8Array {
	if (!isInRange(start, length, bytes.length)) {
		throw new MullionError(code, `${what}: ${length} bytes do not fit`, baseOffset + start);
	}
	return bytes.subarray(start, start + length);
}

/** Joins byte chunks into one new array of their total length. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
	if (chunks.length === 1 && chunks[0]) return chunks[0];
	const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
	const joined = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		joined.set(chunk, offset);
		offset += chunk.length;
	}
	return joined;
}

/** Throws CANCELLED when `signal` has been aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new MullionError('CANCELLED', 'The scan was cancelled');
}
