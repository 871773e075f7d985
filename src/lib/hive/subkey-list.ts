/**
 * Subkey lists: `lf` and `lh` (offset + name hint/hash pairs), `li` (offsets) and `ri` (an index
 * of leaf lists; an `ri` may not contain another `ri`). Spec: msuhanov "Windows registry file
 * format specification", section "Subkeys list".
 */

import { MullionError, checkLimit } from '../errors';
import { cellSignature, readCell, requireCellSize, type Cell, type CellSpace } from './cell';

/** Most subkeys one key may have, summed over all leaves of an index. */
export const MAX_SUBKEYS_PER_KEY = 1_000_000;
/** Most leaf lists one `ri` index may refer to. */
export const MAX_LEAVES_PER_INDEX = 0xffff;
/** Levels of `ri` nesting allowed: an `ri` points at leaves only. */
export const MAX_INDEX_NESTING_LEVELS = 1;

const LIST_HEADER_SIZE_BYTES = 4;

/*
 * Layout: 0 signature ('lf' | 'lh' | 'li' | 'ri') | 2 count u16 | 4 entries:
 *   lf/lh: count x (key node offset u32, name hint or hash u32)
 *   li:    count x key node offset u32
 *   ri:    count x leaf list offset u32 (each an lf, lh or li)
 */
/**
 * Reads the subkey list at `listOffset` and returns the key node offsets in on-disk order.
 * Throws HIVE_BAD_CELL for an unknown signature, a count larger than the cell, or an `ri` inside
 * an `ri`; LIMIT_EXCEEDED past MAX_SUBKEYS_PER_KEY; and the errors of `readCell`.
 */
export function readSubkeyList(space: CellSpace, listOffset: number): number[] {
	const cell = readCell(space, listOffset, 'subkey list');
	const signature = cellSignature(space, cell);
	if (signature !== 'ri') return readLeaf(space, cell, signature, []);
	const offsets: number[] = [];
	const seenLeaves = new Set<number>();
	for (const leafOffset of readEntries(space, cell, 4, 'subkey index')) {
		if (seenLeaves.has(leafOffset)) continue;
		seenLeaves.add(leafOffset);
		const leaf = readCell(space, leafOffset, 'subkey leaf');
		const leafSignature = cellSignature(space, leaf);
		if (leafSignature === 'ri') {
			throw new MullionError(
				'HIVE_BAD_CELL',
				`an ri index inside an ri index (more than ${MAX_INDEX_NESTING_LEVELS} level)`,
				leaf.dataOffset
			);
		}
		readLeaf(space, leaf, leafSignature, offsets);
	}
	return offsets;
}

function readLeaf(space: CellSpace, cell: Cell, signature: string, into: number[]): number[] {
	let stride: number;
	if (signature === 'lf' || signature === 'lh') stride = 8;
	else if (signature === 'li') stride = 4;
	else {
		throw new MullionError(
			'HIVE_BAD_CELL',
			`unknown subkey list signature '${signature}'`,
			cell.dataOffset
		);
	}
	for (const offset of readEntries(space, cell, stride, 'subkey list')) {
		into.push(offset);
		checkLimit(into.length, MAX_SUBKEYS_PER_KEY, 'MAX_SUBKEYS_PER_KEY', cell.dataOffset);
	}
	return into;
}

function readEntries(space: CellSpace, cell: Cell, stride: number, what: string): number[] {
	requireCellSize(cell, LIST_HEADER_SIZE_BYTES, what);
	const count = space.reader.u16(cell.dataOffset + 2, `${what} count`);
	checkLimit(count, MAX_LEAVES_PER_INDEX, 'MAX_LEAVES_PER_INDEX', cell.dataOffset);
	requireCellSize(cell, LIST_HEADER_SIZE_BYTES + count * stride, what);
	const entries = new Array<number>(count);
	const first = cell.dataOffset + LIST_HEADER_SIZE_BYTES;
	for (let index = 0; index < count; index++) {
		entries[index] = space.reader.u32(first + index * stride, `${what} entry`);
	}
	return entries;
}
