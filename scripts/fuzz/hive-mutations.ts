/**
 * Mutations of regf hives that aim at the parser's weak spots: bit flips and byte sets, cuts,
 * 32-bit fields set to edge values (0, 2^31 ± 1, 2^32 - 1, …), cell offsets that wrap into the
 * base block, subkey and value lists that point back at an ancestor, and counts of millions.
 * Field positions come from `indexHiveCells`, a plain walk of the hive bins of the clean hive.
 */

import { Prng } from './prng';

const BASE_BLOCK_BYTES = 4096;
const BIN_HEADER_BYTES = 32;
/** Most cells remembered per base hive (enough targets; bounds memory on huge hives). */
export const MAX_INDEXED_CELLS = 200_000;

/** File offsets of the cells of a clean hive, by signature (offset of the 4-byte size field). */
export interface HiveCellIndex {
	nk: number[];
	vk: number[];
	lists: number[];
	valueLists: number[];
	other: number[];
	/** Hive-bins-relative offset of the root key cell. */
	rootCell: number;
}

/** Interesting 32-bit values: zero, sign edges, all ones, the base block. */
const EDGE_VALUES = [
	0, 1, 4, 0x20, 0x7fff_fff8, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_f000, 0xffff_fff8,
	0xffff_fffe, 0xffff_ffff, 0x1000_0000, 0x0010_0000
];
const MILLIONS = [1_000_000, 1_000_001, 2_000_000, 16_777_215, 0x7fff_ffff, 0xffff_ffff];

/** Walks the hive bins of a clean hive and indexes its cells (never throws). */
export function indexHiveCells(bytes: Uint8Array): HiveCellIndex {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const index: HiveCellIndex = {
		nk: [],
		vk: [],
		lists: [],
		valueLists: [],
		other: [],
		rootCell: 0
	};
	if (bytes.length < BASE_BLOCK_BYTES) return index;
	index.rootCell = view.getUint32(36, true);
	let count = 0;
	for (let bin = BASE_BLOCK_BYTES; bin + BIN_HEADER_BYTES <= bytes.length;) {
		if (view.getUint32(bin, true) !== 0x6e696268) break;
		const binSize = view.getUint32(bin + 8, true);
		if (binSize < 4096 || bin + binSize > bytes.length) break;
		for (let cell = bin + BIN_HEADER_BYTES; cell + 8 <= bin + binSize;) {
			const size = view.getInt32(cell, true);
			if (size === 0 || Math.abs(size) > binSize) break;
			if (size < 0 && count++ < MAX_INDEXED_CELLS) classifyCell(bytes, cell, index);
			cell += Math.abs(size);
		}
		bin += binSize;
	}
	collectValueLists(view, index);
	return index;
}

function classifyCell(bytes: Uint8Array, cell: number, index: HiveCellIndex): void {
	const signature = String.fromCharCode(bytes[cell + 4] ?? 0, bytes[cell + 5] ?? 0);
	if (signature === 'nk') index.nk.push(cell);
	else if (signature === 'vk') index.vk.push(cell);
	else if (['lf', 'lh', 'li', 'ri'].includes(signature)) index.lists.push(cell);
	else index.other.push(cell);
}

/** Value lists have no signature: find them through the key nodes. */
function collectValueLists(view: DataView, index: HiveCellIndex): void {
	for (const cell of index.nk) {
		if (cell + 4 + 0x2c > view.byteLength) continue;
		const count = view.getUint32(cell + 4 + 0x24, true);
		const list = view.getUint32(cell + 4 + 0x28, true);
		const fileOffset = BASE_BLOCK_BYTES + list;
		if (count > 0 && list !== 0xffff_ffff && fileOffset + 8 <= view.byteLength) {
			index.valueLists.push(fileOffset);
		}
	}
}

/** One named mutation; returns a short description of what it did. */
type Mutation = (bytes: Uint8Array, cells: HiveCellIndex, random: Prng) => string;

function writeU32(bytes: Uint8Array, offset: number, value: number): boolean {
	if (offset < 0 || offset + 4 > bytes.length) return false;
	new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(
		offset,
		value >>> 0,
		true
	);
	return true;
}

function writeU16(bytes: Uint8Array, offset: number, value: number): boolean {
	if (offset < 0 || offset + 2 > bytes.length) return false;
	new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint16(offset, value, true);
	return true;
}

/** A random offset, biased towards the start of cells (where the fields are). */
function structuredOffset(bytes: Uint8Array, cells: HiveCellIndex, random: Prng): number {
	const pool = random.pick([cells.nk, cells.vk, cells.lists, cells.valueLists, cells.other]);
	if (pool.length === 0 || random.chance(0.2)) return random.below(bytes.length);
	return random.pick(pool) + random.below(96);
}

const bitFlip: Mutation = (bytes, cells, random) => {
	const offset = structuredOffset(bytes, cells, random);
	if (offset >= bytes.length) return 'bitflip (missed)';
	bytes[offset] = (bytes[offset] ?? 0) ^ (1 << random.below(8));
	return `bitflip@${offset}`;
};

const byteSet: Mutation = (bytes, cells, random) => {
	const offset = structuredOffset(bytes, cells, random);
	if (offset >= bytes.length) return 'byteset (missed)';
	bytes[offset] = random.pick([0, 0xff, 0x7f, 0x80, 0x01, random.below(256)]);
	return `byteset@${offset}`;
};

const edgeField: Mutation = (bytes, cells, random) => {
	const offset = structuredOffset(bytes, cells, random) & ~3;
	const value = random.chance(0.8) ? random.pick(EDGE_VALUES) : bytes.length - random.below(64);
	return writeU32(bytes, offset, value) ? `u32@${offset}=${value}` : 'u32 (missed)';
};

/** nk payload fields holding cell offsets: parent, subkey list, value list, security, class. */
const KEY_OFFSET_FIELDS = [0x10, 0x1c, 0x28, 0x2c, 0x30];

const intoBaseBlock: Mutation = (bytes, cells, random) => {
	const target = 0xffff_f000 + random.below(0x200) * 8; // wraps to file offsets 0 … 4095
	const useKey = cells.nk.length > 0 && random.chance(0.5);
	const pool = useKey ? cells.nk : cells.lists.length > 0 ? cells.lists : cells.vk;
	if (pool.length === 0) return 'into-base (no cell)';
	const cell = random.pick(pool);
	const field = useKey ? random.pick(KEY_OFFSET_FIELDS) : random.pick([0x04, 0x08, 0x0c]);
	writeU32(bytes, cell + 4 + field, random.chance(0.5) ? target : random.below(0x20));
	return `into-base@${cell + 4 + field}`;
};

/** Points an entry of a subkey list back at the root, the key itself or its parent. */
const subkeyCycle: Mutation = (bytes, cells, random) => {
	if (cells.nk.length === 0) return 'cycle (no key)';
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const key = random.pick(cells.nk);
	const listOffset = BASE_BLOCK_BYTES + view.getUint32(key + 4 + 0x1c, true);
	const count = view.getUint32(key + 4 + 0x14, true);
	if (count === 0 || listOffset + 12 > bytes.length) return 'cycle (leaf key)';
	const ancestors = [key - BASE_BLOCK_BYTES, view.getUint32(key + 4 + 0x10, true), cells.rootCell];
	const signature = String.fromCharCode(bytes[listOffset + 4] ?? 0, bytes[listOffset + 5] ?? 0);
	const stride = signature === 'lf' || signature === 'lh' ? 8 : 4;
	const entry = listOffset + 8 + stride * random.below(Math.min(count, 64));
	const target =
		signature === 'ri' && random.chance(0.5)
			? listOffset - BASE_BLOCK_BYTES
			: random.pick(ancestors);
	return writeU32(bytes, entry, target) ? `cycle@${entry}->${target}` : 'cycle (missed)';
};

/** Points a value list entry at its own key, the list itself or the root key. */
const valueCycle: Mutation = (bytes, cells, random) => {
	if (cells.valueLists.length === 0) return 'value-cycle (none)';
	const list = random.pick(cells.valueLists);
	const targets = [
		cells.rootCell,
		list - BASE_BLOCK_BYTES,
		random.pick(cells.nk) - BASE_BLOCK_BYTES
	];
	const entry = list + 4 + 4 * random.below(4);
	return writeU32(bytes, entry, random.pick(targets))
		? `value-cycle@${entry}`
		: 'value-cycle (missed)';
};

const hugeCount: Mutation = (bytes, cells, random) => {
	const choice = random.below(4);
	if (choice === 0 && cells.nk.length > 0) {
		const field = random.pick([0x14, 0x18, 0x24]);
		const at = random.pick(cells.nk) + 4 + field;
		writeU32(bytes, at, random.pick(MILLIONS));
		return `key-count@${at}`;
	}
	if (choice === 1 && cells.lists.length > 0) {
		const at = random.pick(cells.lists) + 6;
		writeU16(bytes, at, random.pick([0xffff, 0x8000, 0x1000, 0]));
		return `list-count@${at}`;
	}
	if (choice === 2 && cells.vk.length > 0) {
		const at = random.pick(cells.vk) + 4 + random.pick([2, 4]);
		if (at % 4 === 2) writeU16(bytes, at, 0xffff);
		else writeU32(bytes, at, random.pick([0x7fff_ffff, 0x8000_ffff, 16_344 * 9000, 0x0100_0000]));
		return `value-size@${at}`;
	}
	const cell = random.pick([...cells.nk, ...cells.vk, ...cells.lists, ...cells.other, 4128]);
	writeU32(bytes, cell, random.pick([0x8000_0000, 0x8000_0008, 0x7fff_fff8, 0xffff_fff8, 8]));
	return `cell-size@${cell}`;
};

/** Base block fields: root cell, hive bins size, sequence numbers, version, file type. */
const baseBlockField: Mutation = (bytes, _cells, random) => {
	const at = random.pick([4, 8, 20, 24, 28, 32, 36, 40, 44]);
	writeU32(bytes, at, random.chance(0.7) ? random.pick(EDGE_VALUES) : random.below(16));
	return `base@${at}`;
};

/** Recomputes the base block checksum (XOR of the first 127 dwords), as a writer would. */
export function fixBaseBlockChecksum(bytes: Uint8Array): void {
	if (bytes.length < 512) return;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let checksum = 0;
	for (let offset = 0; offset < 508; offset += 4) checksum ^= view.getUint32(offset, true);
	checksum >>>= 0;
	if (checksum === 0xffff_ffff) checksum = 0xffff_fffe;
	if (checksum === 0) checksum = 1;
	view.setUint32(508, checksum, true);
}

const MUTATIONS: readonly Mutation[] = [
	bitFlip,
	bitFlip,
	byteSet,
	edgeField,
	edgeField,
	intoBaseBlock,
	subkeyCycle,
	subkeyCycle,
	valueCycle,
	hugeCount,
	hugeCount,
	baseBlockField
];

/**
 * Returns a mutated copy of `clean` (1–4 mutations, sometimes a cut, sometimes the base block
 * checksum recomputed so the declared sizes are trusted) and the list of what was done.
 */
export function mutateHive(
	clean: Uint8Array,
	cells: HiveCellIndex,
	random: Prng
): { bytes: Uint8Array; steps: string[] } {
	let bytes = clean.slice();
	const steps: string[] = [];
	const count = 1 + random.below(4);
	for (let step = 0; step < count; step++) steps.push(random.pick(MUTATIONS)(bytes, cells, random));
	if (random.chance(0.12)) {
		const cut = random.chance(0.5)
			? random.below(bytes.length)
			: (random.below(bytes.length >> 12) << 12) + random.below(3) * 4;
		bytes = bytes.subarray(0, cut).slice();
		steps.push(`cut@${cut}`);
	}
	if (random.chance(0.5)) fixBaseBlockChecksum(bytes);
	return { bytes, steps };
}
