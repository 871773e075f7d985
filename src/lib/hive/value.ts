/**
 * Key values (`vk` cells), the value list of a key, value data, and decoders for the common
 * types. Spec: msuhanov "Windows registry file format specification", sections "Key values
 * list", "Key value", "Big data".
 */

import { MullionError, checkLimit } from '../errors';
import { RegType, type RegValue } from './types';
import { addWarning, readCell, requireCellSize, NO_CELL, type CellSpace } from './cell';
import { isBigData, readBigData } from './big-data';
import { decodeName, decodeUtf16 } from './text';

/** Most values one key may have. */
export const MAX_VALUES_PER_KEY = 1_000_000;
/** Value flag: the name is stored compressed (one byte per character). */
export const VALUE_FLAG_COMPRESSED_NAME = 0x0001;
/** Value flag: the value is deleted in this layer (differencing hives). */
export const VALUE_FLAG_TOMBSTONE = 0x0002;
/** Data size bit: the data (4 bytes or less) is stored in the data offset field. */
export const DATA_INLINE_BIT = 0x80000000;
/** Most bytes of inline data. */
export const MAX_INLINE_DATA_SIZE_BYTES = 4;
/** Fixed part of a value key before the name, in bytes. */
export const VALUE_KEY_FIXED_SIZE_BYTES = 20;

/** The decoded fields of one value key. */
export interface ValueKeyRecord {
	cellOffset: number;
	/** File offset of the `vk` signature (the cell payload). */
	fileOffset: number;
	name: string;
	/** Raw data size field, including the inline bit. */
	rawDataSize: number;
	dataOffset: number;
	type: number;
	flags: number;
}

/*
 * Layout: the value list is a cell of `count` value key offsets (u32), count from the key node.
 */
/**
 * Reads the value key offsets of a value list. Throws LIMIT_EXCEEDED past MAX_VALUES_PER_KEY,
 * HIVE_BAD_CELL when the list cell is smaller than `count` entries, and the errors of `readCell`.
 */
export function readValueList(space: CellSpace, listOffset: number, count: number): number[] {
	checkLimit(count, MAX_VALUES_PER_KEY, 'MAX_VALUES_PER_KEY');
	if (count === 0) return [];
	const cell = readCell(space, listOffset, 'value list');
	requireCellSize(cell, count * 4, 'value list');
	const offsets = new Array<number>(count);
	for (let index = 0; index < count; index++) {
		offsets[index] = space.reader.u32(cell.dataOffset + index * 4, 'value list entry');
	}
	return offsets;
}

/*
 * Layout (from the 'vk' signature): 0 'vk' | 2 name size u16 | 4 data size u32 (bit 31 = inline) |
 * 8 data offset u32 (or the inline data) | 12 type u32 | 16 flags u16 | 18 spare u16 | 20 name
 */
/**
 * Parses the value key at `cellOffset`. Throws HIVE_BAD_CELL when the cell is not a `vk` or is
 * too small for its name, and the errors of `readCell`.
 */
export function parseValueKey(space: CellSpace, cellOffset: number): ValueKeyRecord {
	const cell = readCell(space, cellOffset, 'value key');
	const reader = space.reader;
	const at = cell.dataOffset;
	requireCellSize(cell, VALUE_KEY_FIXED_SIZE_BYTES, 'value key');
	if (reader.u16(at, 'value key signature') !== 0x6b76) {
		throw new MullionError('HIVE_BAD_CELL', 'expected a value key (vk)', at);
	}
	const nameSize = reader.u16(at + 2, 'value name size');
	requireCellSize(cell, VALUE_KEY_FIXED_SIZE_BYTES + nameSize, 'value name');
	const flags = reader.u16(at + 16, 'value flags');
	const nameBytes = reader.slice(at + VALUE_KEY_FIXED_SIZE_BYTES, nameSize, 'value name');
	return {
		cellOffset,
		fileOffset: at,
		name: decodeName(nameBytes, (flags & VALUE_FLAG_COMPRESSED_NAME) !== 0),
		rawDataSize: reader.u32(at + 4, 'value data size'),
		dataOffset: reader.u32(at + 8, 'value data offset'),
		type: reader.u32(at + 12, 'value type'),
		flags
	};
}

/**
 * Reads the data of a value: inline bytes, one data cell, or big data segments. Returns a view
 * into the hive buffer when possible (do not modify it). Data shorter than declared is truncated
 * with a HIVE_VALUE_DATA_SHORT warning; inline data declared over 4 bytes reads as empty with a
 * HIVE_BAD_INLINE_DATA warning (strict: both throw HIVE_BAD_CELL). Throws the errors of `readCell`.
 */
export function readValueData(space: CellSpace, record: ValueKeyRecord): Uint8Array {
	const inline = (record.rawDataSize & DATA_INLINE_BIT) !== 0;
	const length = record.rawDataSize & ~DATA_INLINE_BIT;
	if (length === 0) return new Uint8Array(0);
	if (inline) return readInlineData(space, record, length);
	if (record.dataOffset === NO_CELL && (record.flags & VALUE_FLAG_TOMBSTONE) !== 0) {
		return new Uint8Array(0);
	}
	const cell = readCell(space, record.dataOffset, 'value data');
	const data = isBigData(space, cell, length)
		? readBigData(space, cell, length)
		: space.reader.slice(cell.dataOffset, Math.min(length, cell.size), 'value data');
	if (data.length < length) reportShortData(space, record, length, data.length);
	return data;
}

function readInlineData(space: CellSpace, record: ValueKeyRecord, length: number): Uint8Array {
	if (length > MAX_INLINE_DATA_SIZE_BYTES) {
		const message = `value '${record.name}': inline data of ${length} bytes (at most 4); read as empty`;
		if (space.strict) throw new MullionError('HIVE_BAD_CELL', message, record.fileOffset + 4);
		addWarning(space, { code: 'HIVE_BAD_INLINE_DATA', message, offset: record.fileOffset + 4 });
		return new Uint8Array(0);
	}
	return space.reader.slice(record.fileOffset + 8, length, 'inline value data');
}

function reportShortData(
	space: CellSpace,
	record: ValueKeyRecord,
	declared: number,
	actual: number
): void {
	const message = `value '${record.name}': ${declared} bytes declared, ${actual} stored`;
	if (space.strict) throw new MullionError('HIVE_BAD_CELL', message, record.fileOffset);
	addWarning(space, { code: 'HIVE_VALUE_DATA_SHORT', message, offset: record.fileOffset });
}

/**
 * REG_SZ / REG_EXPAND_SZ / REG_LINK data as text: UTF-16LE, cut at the first NUL, an odd last
 * byte ignored. Returns `undefined` for other types.
 */
export function valueString(value: RegValue): string | undefined {
	const { type } = value;
	if (type !== RegType.SZ && type !== RegType.EXPAND_SZ && type !== RegType.LINK) return undefined;
	const text = decodeUtf16(value.data);
	const end = text.indexOf('\0');
	return end === -1 ? text : text.slice(0, end);
}

/**
 * REG_MULTI_SZ data as a list of strings (split at NULs; the terminating empty strings are
 * dropped). Returns `undefined` for other types.
 */
export function valueMultiString(value: RegValue): string[] | undefined {
	if (value.type !== RegType.MULTI_SZ) return undefined;
	const parts = decodeUtf16(value.data).split('\0');
	while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
	return parts;
}

/**
 * REG_DWORD (little-endian) or REG_DWORD_BIG_ENDIAN data as an unsigned number. Returns
 * `undefined` for other types or data shorter than 4 bytes.
 */
export function valueDword(value: RegValue): number | undefined {
	const { type, data } = value;
	if (data.length < 4) return undefined;
	const view = new DataView(data.buffer, data.byteOffset, 4);
	if (type === RegType.DWORD) return view.getUint32(0, true);
	if (type === RegType.DWORD_BIG_ENDIAN) return view.getUint32(0, false);
	return undefined;
}

/** REG_QWORD data as an unsigned bigint; `undefined` for other types or data under 8 bytes. */
export function valueQword(value: RegValue): bigint | undefined {
	const { type, data } = value;
	if (type !== RegType.QWORD || data.length < 8) return undefined;
	return new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
}
