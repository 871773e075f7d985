/**
 * Key nodes (`nk` cells). Spec: msuhanov "Windows registry file format specification", sections
 * "Key node" and "Layered keys".
 */

import { MullionError } from '../errors';
import { LayerSemantics, type LayerSemanticsValue } from './types';
import { cellSignature, readCell, requireCellSize, NO_CELL, type CellSpace } from './cell';
import { decodeName } from './text';

/** Key node flag: the name is stored compressed (one byte per character). */
export const KEY_FLAG_COMPRESSED_NAME = 0x0020;
/** Key node flag: the root key of the hive. */
export const KEY_FLAG_HIVE_ENTRY = 0x0004;
/** Fixed part of a key node before the name, in bytes. */
export const KEY_NODE_FIXED_SIZE_BYTES = 76;
/** Longest class name read, in bytes (the field is 16 bits wide). */
export const MAX_CLASS_NAME_SIZE_BYTES = 0xffff;

/** The decoded fields of one key node. Offsets of other cells are hive-bins-relative. */
export interface KeyNodeRecord {
	cellOffset: number;
	/** File offset of the `nk` signature (the cell payload). */
	fileOffset: number;
	flags: number;
	lastWritten: bigint;
	accessBits: number;
	/** Byte 1 of the access-bits field: the layered-key bit fields. */
	layeredKeyByte: number;
	/** Low two bits of the layered-key byte; 0 in hives without the layered-keys flag. */
	layerSemantics: LayerSemanticsValue;
	/** Most significant bit of the layered-key byte ("inherit class"). */
	inheritsClass: boolean;
	parentOffset: number;
	subkeyCount: number;
	subkeyListOffset: number;
	valueCount: number;
	valueListOffset: number;
	classNameOffset: number;
	classNameSize: number;
	name: string;
}

/*
 * Layout (from the 'nk' signature): 0 'nk' | 2 flags u16 | 4 last written u64 |
 * 12 access bits u8 | 13 layered-key byte u8 | 14 spare u16 | 16 parent u32 |
 * 20 subkey count u32 | 24 volatile subkey count u32 | 28 subkey list u32 |
 * 32 volatile subkey list u32 | 36 value count u32 | 40 value list u32 | 44 security u32 |
 * 48 class name u32 | 52..71 largest-size hints, work var | 72 name size u16 |
 * 74 class name size u16 | 76 name
 */
/**
 * Parses the key node at `cellOffset`. Throws HIVE_BAD_CELL when the cell is not an `nk` or too
 * small for its name, and the errors of `readCell`.
 */
export function parseKeyNode(space: CellSpace, cellOffset: number): KeyNodeRecord {
	const cell = readCell(space, cellOffset, 'key node');
	if (cellSignature(space, cell) !== 'nk') {
		throw new MullionError('HIVE_BAD_CELL', 'expected a key node (nk)', cell.dataOffset);
	}
	requireCellSize(cell, KEY_NODE_FIXED_SIZE_BYTES, 'key node');
	const reader = space.reader;
	const at = cell.dataOffset;
	const flags = reader.u16(at + 2, 'key node flags');
	const nameSize = reader.u16(at + 72, 'key name size');
	requireCellSize(cell, KEY_NODE_FIXED_SIZE_BYTES + nameSize, 'key node name');
	const nameBytes = reader.slice(at + KEY_NODE_FIXED_SIZE_BYTES, nameSize, 'key name');
	const layeredKeyByte = reader.u8(at + 13, 'layered key byte');
	return {
		cellOffset,
		fileOffset: at,
		flags,
		lastWritten: reader.u64(at + 4, 'key last written'),
		accessBits: reader.u8(at + 12, 'key access bits'),
		layeredKeyByte,
		layerSemantics: space.supportsLayeredKeys ? toLayerSemantics(layeredKeyByte) : 0,
		inheritsClass: space.supportsLayeredKeys && (layeredKeyByte & 0x80) !== 0,
		parentOffset: reader.u32(at + 16, 'key parent'),
		subkeyCount: reader.u32(at + 20, 'subkey count'),
		subkeyListOffset: reader.u32(at + 28, 'subkey list offset'),
		valueCount: reader.u32(at + 36, 'value count'),
		valueListOffset: reader.u32(at + 40, 'value list offset'),
		classNameOffset: reader.u32(at + 48, 'class name offset'),
		classNameSize: reader.u16(at + 74, 'class name size'),
		name: decodeName(nameBytes, (flags & KEY_FLAG_COMPRESSED_NAME) !== 0)
	};
}

function toLayerSemantics(layeredKeyByte: number): LayerSemanticsValue {
	const bits = layeredKeyByte & 0x3;
	if (bits === 1) return LayerSemantics.TOMBSTONE;
	if (bits === 2) return LayerSemantics.SUPERSEDE_LOCAL;
	if (bits === 3) return LayerSemantics.SUPERSEDE_TREE;
	return LayerSemantics.NORMAL;
}

/**
 * Reads the class name of a key node (UTF-16LE), or `undefined` when it has none. Throws the
 * errors of `readCell`, and HIVE_BAD_CELL when the cell is smaller than the class name size.
 */
export function readClassName(space: CellSpace, node: KeyNodeRecord): string | undefined {
	if (node.classNameOffset === NO_CELL || node.classNameSize === 0) return undefined;
	const cell = readCell(space, node.classNameOffset, 'class name');
	requireCellSize(cell, node.classNameSize, 'class name');
	const bytes = space.reader.slice(cell.dataOffset, node.classNameSize, 'class name');
	return decodeName(bytes, false);
}
