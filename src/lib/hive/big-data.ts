/**
 * Big data (`db` cells): value data larger than 16344 bytes in hives of minor version 4 and
 * later, split into segments. Spec: msuhanov "Windows registry file format specification",
 * section "Big data".
 */

import { MullionError, checkLimit } from '../errors';
import { cellSignature, readCell, requireCellSize, type Cell, type CellSpace } from './cell';

/** Data bytes carried by each segment but the last, in bytes. */
export const BIG_DATA_SEGMENT_SIZE_BYTES = 16344;
/** Most segments one big data record may have (8192 x 16344 bytes = about 128 MiB). */
export const MAX_BIG_DATA_SEGMENTS = 8192;
/** Smallest hive minor version that uses big data records. */
export const BIG_DATA_MINOR_VERSION = 4;

const BIG_DATA_HEADER_SIZE_BYTES = 8;

/** True when a value of `length` bytes at `cell` is stored as big data. */
export function isBigData(space: CellSpace, cell: Cell, length: number): boolean {
	if (length <= BIG_DATA_SEGMENT_SIZE_BYTES) return false;
	if (space.minorVersion < BIG_DATA_MINOR_VERSION) return false;
	return cellSignature(space, cell) === 'db';
}

/*
 * Layout: 0 'db' | 2 segment count u16 | 4 segment list offset u32.
 * The segment list cell holds `count` segment cell offsets (u32); each segment cell holds up to
 * 16344 data bytes.
 */
/**
 * Concatenates the segments of the `db` record in `cell`, truncated to `length` bytes. Returns
 * fewer bytes when the segments hold less than `length` (the caller decides whether that is an
 * error). Throws HIVE_BAD_CELL for a list shorter than its count, LIMIT_EXCEEDED past
 * MAX_BIG_DATA_SEGMENTS, and the errors of `readCell`.
 */
export function readBigData(space: CellSpace, cell: Cell, length: number): Uint8Array {
	requireCellSize(cell, BIG_DATA_HEADER_SIZE_BYTES, 'big data record');
	const count = space.reader.u16(cell.dataOffset + 2, 'big data segment count');
	checkLimit(count, MAX_BIG_DATA_SEGMENTS, 'MAX_BIG_DATA_SEGMENTS', cell.dataOffset);
	if (count === 0)
		throw new MullionError('HIVE_BAD_CELL', 'big data without segments', cell.dataOffset);
	const listOffset = space.reader.u32(cell.dataOffset + 4, 'big data segment list');
	const list = readCell(space, listOffset, 'big data segment list');
	requireCellSize(list, count * 4, 'big data segment list');
	const output = new Uint8Array(Math.min(length, count * BIG_DATA_SEGMENT_SIZE_BYTES));
	let filled = 0;
	for (let index = 0; index < count && filled < output.length; index++) {
		const segmentOffset = space.reader.u32(list.dataOffset + index * 4, 'big data segment');
		const segment = readCell(space, segmentOffset, 'big data segment');
		const take = Math.min(BIG_DATA_SEGMENT_SIZE_BYTES, segment.size, output.length - filled);
		output.set(space.reader.slice(segment.dataOffset, take, 'big data segment'), filled);
		filled += take;
	}
	return output.subarray(0, filled);
}
