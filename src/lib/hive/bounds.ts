/**
 * The one bounds-checked reader every hive module reads untrusted bytes through. Offsets are file
 * offsets (bytes from the start of the hive file). Every range is checked before the DataView read,
 * with integer arithmetic that cannot overflow (lengths and offsets are checked to be
 * non-negative safe integers first), so a hostile offset or count can never read outside the
 * buffer or wrap around.
 */

import { MullionError } from '../errors';

/** Bounds-checked little-endian reads over one hive file buffer, sharing one DataView. */
export class ByteReader {
	readonly bytes: Uint8Array;
	readonly length: number;
	private readonly view: DataView;

	constructor(bytes: Uint8Array) {
		this.bytes = bytes;
		this.length = bytes.length;
		this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	}

	/**
	 * Throws HIVE_OUT_OF_BOUNDS unless `[offset, offset + length)` lies inside the buffer.
	 * `what` names the structure being read, for the message.
	 */
	check(offset: number, length: number, what: string): void {
		if (!isInRange(offset, length, this.length)) {
			throw new MullionError(
				'HIVE_OUT_OF_BOUNDS',
				`${what}: ${length} bytes past the end of the ${this.length}-byte hive`,
				offset
			);
		}
	}

	/** Unsigned byte at `offset`. */
	u8(offset: number, what: string): number {
		this.check(offset, 1, what);
		return this.view.getUint8(offset);
	}

	/** Unsigned 16-bit little-endian integer at `offset`. */
	u16(offset: number, what: string): number {
		this.check(offset, 2, what);
		return this.view.getUint16(offset, true);
	}

	/** Unsigned 32-bit little-endian integer at `offset`. */
	u32(offset: number, what: string): number {
		this.check(offset, 4, what);
		return this.view.getUint32(offset, true);
	}

	/** Unsigned 32-bit big-endian integer at `offset`. */
	u32BigEndian(offset: number, what: string): number {
		this.check(offset, 4, what);
		return this.view.getUint32(offset, false);
	}

	/** Signed 32-bit little-endian integer at `offset`. */
	i32(offset: number, what: string): number {
		this.check(offset, 4, what);
		return this.view.getInt32(offset, true);
	}

	/** Unsigned 64-bit little-endian integer at `offset`, as a bigint. */
	u64(offset: number, what: string): bigint {
		this.check(offset, 8, what);
		return this.view.getBigUint64(offset, true);
	}

	/** A view (no copy) of `[offset, offset + length)`. Callers must not modify it. */
	slice(offset: number, length: number, what: string): Uint8Array {
		this.check(offset, length, what);
		return this.bytes.subarray(offset, offset + length);
	}
}

/** True when `[offset, offset + length)` lies inside `[0, limit)`; safe for any numbers. */
export function isInRange(offset: number, length: number, limit: number): boolean {
	if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) return false;
	if (offset < 0 || length < 0) return false;
	return length <= limit && offset <= limit - length;
}
