/**
 * Test helper: writes small regf hives byte by byte, so tests can craft exactly the damage they
 * need (cycles, wild offsets, huge counts, odd cell sizes). Only what the tests use is supported:
 * one hive bin grown as needed, cells appended in order, and patching of any field afterwards.
 */

const BASE_BLOCK_SIZE = 4096;
const BIN_HEADER_SIZE = 32;

/** Options of `HiveWriter.nk`. */
export interface KeyNodeOptions {
	name: string;
	flags?: number;
	layeredByte?: number;
	subkeyCount?: number;
	subkeyList?: number;
	valueCount?: number;
	valueList?: number;
	lastWritten?: bigint;
}

/** Options of `HiveWriter.vk`. */
export interface ValueKeyOptions {
	name: string;
	type: number;
	/** Stored inline when 4 bytes or less (unless `rawSize`/`dataOffset` are given). */
	data?: Uint8Array;
	rawSize?: number;
	dataOffset?: number;
	flags?: number;
}

/** Builds a hive in memory. Offsets returned are hive-bins-relative cell offsets. */
export class HiveWriter {
	private buffer = new Uint8Array(1 << 16);
	private view = new DataView(this.buffer.buffer);
	/** Next free hive-bins-relative offset. */
	private end = BIN_HEADER_SIZE;

	/** Bytes of hive bins data written so far. */
	get size(): number {
		return this.end;
	}

	/** Appends an allocated cell holding `payload`; returns its offset. */
	cell(payload: Uint8Array, sizeField?: number): number {
		const size = Math.ceil((payload.length + 4) / 8) * 8;
		const offset = this.end;
		this.ensure(offset + size);
		this.view.setInt32(BASE_BLOCK_SIZE + offset, sizeField ?? -size, true);
		this.buffer.set(payload, BASE_BLOCK_SIZE + offset + 4);
		this.end += size;
		return offset;
	}

	/** Appends a key node. Name stored compressed when it is all Latin-1. */
	nk(options: KeyNodeOptions): number {
		const compressed = [...options.name].every((char) => char.charCodeAt(0) < 256);
		const name = compressed ? latin1(options.name) : utf16(options.name);
		const payload = new Uint8Array(76 + name.length);
		const view = new DataView(payload.buffer);
		payload.set([0x6e, 0x6b]);
		view.setUint16(2, (options.flags ?? 0) | (compressed ? 0x20 : 0), true);
		view.setBigUint64(4, options.lastWritten ?? 132000000000000000n, true);
		payload[13] = options.layeredByte ?? 0;
		view.setUint32(16, 0xffffffff, true);
		view.setUint32(20, options.subkeyCount ?? 0, true);
		view.setUint32(28, options.subkeyList ?? 0xffffffff, true);
		view.setUint32(32, 0xffffffff, true);
		view.setUint32(36, options.valueCount ?? 0, true);
		view.setUint32(40, options.valueList ?? 0xffffffff, true);
		view.setUint32(44, 0xffffffff, true);
		view.setUint32(48, 0xffffffff, true);
		view.setUint16(72, name.length, true);
		payload.set(name, 76);
		return this.cell(payload);
	}

	/** Appends a value key (and its data cell when the data is over 4 bytes). */
	vk(options: ValueKeyOptions): number {
		const data = options.data ?? new Uint8Array(0);
		let rawSize = options.rawSize ?? data.length;
		let dataOffset = options.dataOffset ?? 0;
		const inlineBytes = new Uint8Array(4);
		if (options.rawSize === undefined && options.dataOffset === undefined) {
			if (data.length <= 4) {
				rawSize = (data.length | 0x80000000) >>> 0;
				inlineBytes.set(data);
			} else dataOffset = this.cell(data);
		}
		const name = latin1(options.name);
		const payload = new Uint8Array(20 + name.length);
		const view = new DataView(payload.buffer);
		payload.set([0x76, 0x6b]);
		view.setUint16(2, name.length, true);
		view.setUint32(4, rawSize, true);
		if (dataOffset !== 0 || data.length > 4) view.setUint32(8, dataOffset, true);
		else payload.set(inlineBytes, 8);
		view.setUint32(12, options.type, true);
		view.setUint16(16, (options.flags ?? 0) | 0x0001, true);
		payload.set(name, 20);
		return this.cell(payload);
	}

	/** Appends a subkey list ('lf', 'lh', 'li' or 'ri') with these entries. */
	list(signature: 'lf' | 'lh' | 'li' | 'ri', offsets: number[], countField?: number): number {
		const stride = signature === 'lf' || signature === 'lh' ? 8 : 4;
		const payload = new Uint8Array(4 + offsets.length * stride);
		const view = new DataView(payload.buffer);
		payload.set([signature.charCodeAt(0), signature.charCodeAt(1)]);
		view.setUint16(2, countField ?? offsets.length, true);
		offsets.forEach((offset, index) => view.setUint32(4 + index * stride, offset, true));
		return this.cell(payload);
	}

	/** Appends a value list. */
	valueList(offsets: number[]): number {
		const payload = new Uint8Array(offsets.length * 4);
		const view = new DataView(payload.buffer);
		offsets.forEach((offset, index) => view.setUint32(index * 4, offset, true));
		return this.cell(payload);
	}

	/** Overwrites a u32 at `fieldOffset` bytes into the payload of the cell at `cellOffset`. */
	patchU32(cellOffset: number, fieldOffset: number, value: number): void {
		this.view.setUint32(BASE_BLOCK_SIZE + cellOffset + 4 + fieldOffset, value >>> 0, true);
	}

	/** Overwrites the size field of the cell at `cellOffset`. */
	patchCellSize(cellOffset: number, size: number): void {
		this.view.setInt32(BASE_BLOCK_SIZE + cellOffset, size, true);
	}

	/** Finishes the hive: base block, one hive bin covering all cells, a correct checksum. */
	build(
		root: number,
		options: { minor?: number; flags?: number; sequence?: [number, number] } = {}
	): Uint8Array {
		const binSize = Math.ceil(this.end / 4096) * 4096;
		const bytes = new Uint8Array(BASE_BLOCK_SIZE + binSize);
		bytes.set(this.buffer.subarray(0, BASE_BLOCK_SIZE + this.end));
		const view = new DataView(bytes.buffer);
		if (binSize > this.end) view.setInt32(BASE_BLOCK_SIZE + this.end, binSize - this.end, true);
		bytes.set(latin1('regf'));
		view.setUint32(4, options.sequence?.[0] ?? 1, true);
		view.setUint32(8, options.sequence?.[1] ?? 1, true);
		view.setUint32(20, 1, true);
		view.setUint32(24, options.minor ?? 5, true);
		view.setUint32(32, 1, true);
		view.setUint32(36, root, true);
		view.setUint32(40, binSize, true);
		view.setUint32(44, 1, true);
		view.setUint32(144, options.flags ?? 0, true);
		bytes.set(latin1('hbin'), BASE_BLOCK_SIZE);
		view.setUint32(BASE_BLOCK_SIZE + 8, binSize, true);
		writeChecksum(bytes);
		return bytes;
	}

	private ensure(relativeEnd: number): void {
		const needed = BASE_BLOCK_SIZE + relativeEnd;
		if (needed <= this.buffer.length) return;
		const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2));
		grown.set(this.buffer);
		this.buffer = grown;
		this.view = new DataView(grown.buffer);
	}
}

/** Recomputes the base block checksum in place (after patching header fields). */
export function writeChecksum(bytes: Uint8Array): void {
	const view = new DataView(bytes.buffer, bytes.byteOffset);
	let checksum = 0;
	for (let offset = 0; offset < 508; offset += 4) checksum ^= view.getUint32(offset, true);
	checksum >>>= 0;
	if (checksum === 0) checksum = 1;
	if (checksum === 0xffffffff) checksum = 0xfffffffe;
	view.setUint32(508, checksum, true);
}

/** One byte per character. */
export function latin1(text: string): Uint8Array {
	return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** UTF-16LE bytes. */
export function utf16(text: string): Uint8Array {
	const bytes = new Uint8Array(text.length * 2);
	const view = new DataView(bytes.buffer);
	for (let index = 0; index < text.length; index++)
		view.setUint16(index * 2, text.charCodeAt(index), true);
	return bytes;
}
