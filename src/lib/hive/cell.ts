/**
 * Cells: the variable-size records inside hive bins. A cell starts with a signed 32-bit size
 * (negative = allocated) that includes the size field itself; cells are 8-byte aligned.
 * Spec: msuhanov "Windows registry file format specification", section "Cell".
 */

import { MullionError } from '../errors';
import type { Warning } from '../warnings';
import type { ByteReader } from './bounds';
import { BASE_BLOCK_SIZE_BYTES } from './base-block';

/** Offset value meaning "no cell". */
export const NO_CELL = 0xffffffff;
/** Cell alignment, in bytes. */
export const CELL_ALIGNMENT_BYTES = 8;
/** Size of the cell size field, in bytes. */
export const CELL_HEADER_SIZE_BYTES = 4;
/** Most warnings one hive collects; later ones are dropped (one HIVE_WARNINGS_DROPPED says so). */
export const MAX_WARNINGS_PER_HIVE = 1000;

/** What every cell-level reader needs: the buffer, where cells may be, and how to report. */
export interface CellSpace {
	readonly reader: ByteReader;
	/** File offset where usable hive bins data ends (exclusive). */
	readonly usableEnd: number;
	readonly minorVersion: number;
	readonly supportsLayeredKeys: boolean;
	readonly strict: boolean;
	readonly warnings: Warning[];
}

/** An allocated cell: where its payload starts (file offset) and how long it is. */
export interface Cell {
	/** Offset relative to the hive bins data, as stored in the referring field. */
	cellOffset: number;
	/** File offset of the first payload byte (after the size field). */
	dataOffset: number;
	/** Payload size in bytes (cell size minus the 4-byte size field). */
	size: number;
}

/*
 * Layout: 0 size i32 (negative when allocated; absolute value includes these 4 bytes) |
 * 4 payload (a record starting with a two-letter signature, or raw data)
 */
/**
 * Reads the cell at `cellOffset` (relative to the hive bins data). Throws HIVE_OUT_OF_BOUNDS when
 * the offset is outside the usable hive bins, HIVE_BAD_CELL for an impossible size. A free
 * (positive-size) cell or a misaligned offset is accepted with a HIVE_FREE_CELL_USED or
 * HIVE_UNALIGNED_CELL warning, or throws HIVE_BAD_CELL in strict mode.
 */
export function readCell(space: CellSpace, cellOffset: number, what: string): Cell {
	const fileOffset = BASE_BLOCK_SIZE_BYTES + cellOffset;
	checkCellOffset(space, cellOffset, fileOffset, what);
	const rawSize = space.reader.i32(fileOffset, what);
	const absoluteSize = Math.abs(rawSize);
	if (absoluteSize < CELL_ALIGNMENT_BYTES || absoluteSize > space.usableEnd - fileOffset) {
		throw new MullionError('HIVE_BAD_CELL', `${what}: impossible cell size ${rawSize}`, fileOffset);
	}
	if (rawSize > 0) reportFreeCell(space, fileOffset, what);
	const dataOffset = fileOffset + CELL_HEADER_SIZE_BYTES;
	return { cellOffset, dataOffset, size: absoluteSize - CELL_HEADER_SIZE_BYTES };
}

function checkCellOffset(
	space: CellSpace,
	cellOffset: number,
	fileOffset: number,
	what: string
): void {
	if (!Number.isSafeInteger(cellOffset) || cellOffset < 0 || cellOffset === NO_CELL) {
		throw new MullionError('HIVE_BAD_CELL', `${what}: no cell (offset ${cellOffset})`, fileOffset);
	}
	if (fileOffset + CELL_HEADER_SIZE_BYTES > space.usableEnd) {
		throw new MullionError(
			'HIVE_OUT_OF_BOUNDS',
			`${what}: cell offset 0x${cellOffset.toString(16)} is outside the hive bins data`,
			fileOffset
		);
	}
	if (cellOffset % CELL_ALIGNMENT_BYTES !== 0) {
		const message = `${what}: cell offset is not 8-byte aligned`;
		if (space.strict) throw new MullionError('HIVE_BAD_CELL', message, fileOffset);
		addWarning(space, { code: 'HIVE_UNALIGNED_CELL', message, offset: fileOffset });
	}
}

function reportFreeCell(space: CellSpace, fileOffset: number, what: string): void {
	const message = `${what}: refers to a free (unallocated) cell`;
	if (space.strict) throw new MullionError('HIVE_BAD_CELL', message, fileOffset);
	addWarning(space, { code: 'HIVE_FREE_CELL_USED', message, offset: fileOffset });
}

/** Reads the two-letter signature of a cell payload (e.g. 'nk'), or '' when the cell is too small. */
export function cellSignature(space: CellSpace, cell: Cell): string {
	if (cell.size < 2) return '';
	const first = space.reader.u8(cell.dataOffset, 'cell signature');
	const second = space.reader.u8(cell.dataOffset + 1, 'cell signature');
	return String.fromCharCode(first, second);
}

/** Throws HIVE_BAD_CELL unless the payload holds at least `minimum` bytes. */
export function requireCellSize(cell: Cell, minimum: number, what: string): void {
	if (cell.size < minimum) {
		throw new MullionError(
			'HIVE_BAD_CELL',
			`${what}: cell of ${cell.size} bytes is smaller than the ${minimum} bytes needed`,
			cell.dataOffset
		);
	}
}

/**
 * Adds a warning unless the same code at the same offset is already there, or
 * MAX_WARNINGS_PER_HIVE were already collected.
 */
export function addWarning(space: CellSpace, warning: Warning): void {
	const count = space.warnings.length;
	const duplicate = space.warnings.some(
		(known) => known.code === warning.code && known.offset === warning.offset
	);
	if (duplicate) return;
	if (count < MAX_WARNINGS_PER_HIVE) space.warnings.push(warning);
	else if (count === MAX_WARNINGS_PER_HIVE) {
		space.warnings.push({
			code: 'HIVE_WARNINGS_DROPPED',
			message: `more than ${MAX_WARNINGS_PER_HIVE} warnings; later ones were dropped`
		});
	}
}
