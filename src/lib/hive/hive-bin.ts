/**
 * Hive bins (`hbin`): the 4096-byte-aligned blocks that hold the cells, right after the base
 * block. Spec: msuhanov "Windows registry file format specification", section "Hive bin".
 */

import { MullionError } from '../errors';
import type { Warning } from '../warnings';
import type { ByteReader } from './bounds';
import { BASE_BLOCK_SIZE_BYTES } from './base-block';

/** Size of a hive bin header, in bytes. */
export const HIVE_BIN_HEADER_SIZE_BYTES = 32;
/** Hive bin sizes are multiples of this, in bytes. */
export const HIVE_BIN_ALIGNMENT_BYTES = 4096;
/** Most hive bins walked in one hive (a 4 GiB hive of 4 KiB bins). */
export const MAX_HIVE_BINS = 1 << 20;

const SIGNATURE_HBIN = 0x6e696268; // 'hbin' read as a little-endian u32

/** One hive bin header. Offsets are relative to the start of the hive bins data. */
export interface HiveBin {
	offset: number;
	size: number;
}

/** Result of walking the hive bins. */
export interface HiveBinsLayout {
	bins: HiveBin[];
	/** Bytes of hive bins data that are usable (from the file offset 4096). */
	usableSize: number;
}

/*
 * Layout: 0 'hbin' | 4 offset of this bin from the start of the hive bins data u32 |
 * 8 size of this bin u32 | 12 reserved 8 bytes | 20 timestamp u64 | 28 spare u32
 */
/**
 * Walks the hive bins from the first one while inside the declared hive bins data size. The first
 * bad header (signature, offset or size) or the file end stops the walk: cells after that point are
 * treated as absent. Lenient mode records a HIVE_BAD_BIN or HIVE_TRUNCATED warning; strict mode
 * throws HIVE_BAD_CELL or HIVE_OUT_OF_BOUNDS instead.
 *
 * With `trustDeclaredSize` false (the base block checksum is wrong, so its size field is
 * doubtful), the walk goes on past the declared size to the last valid bin in the file; a bad
 * header after the declared size then just ends the hive, without a warning.
 */
export function walkHiveBins(
	reader: ByteReader,
	declaredSize: number,
	warnings: Warning[],
	strict: boolean,
	trustDeclaredSize = true
): HiveBinsLayout {
	const bins: HiveBin[] = [];
	const available = Math.max(0, reader.length - BASE_BLOCK_SIZE_BYTES);
	const walkEnd = trustDeclaredSize ? declaredSize : Math.max(declaredSize, available);
	let position = 0;
	while (position < walkEnd && bins.length < MAX_HIVE_BINS) {
		const problem = binProblem(reader, position, available);
		if (problem !== undefined) {
			if (position < declaredSize) report(problem, position, warnings, strict);
			return { bins, usableSize: position };
		}
		const size = reader.u32(BASE_BLOCK_SIZE_BYTES + position + 8, 'hive bin size');
		if (position + size > available) {
			report(
				{ truncated: true, message: 'hive bin runs past the end of the file' },
				position,
				warnings,
				strict
			);
			return { bins, usableSize: available };
		}
		bins.push({ offset: position, size });
		position += size;
	}
	return { bins, usableSize: Math.min(position, walkEnd) };
}

interface BinProblem {
	truncated: boolean;
	message: string;
}

function binProblem(
	reader: ByteReader,
	position: number,
	available: number
): BinProblem | undefined {
	if (position + HIVE_BIN_HEADER_SIZE_BYTES > available) {
		return { truncated: true, message: 'file ends before the declared hive bins data size' };
	}
	const start = BASE_BLOCK_SIZE_BYTES + position;
	if (reader.u32(start, 'hive bin signature') !== SIGNATURE_HBIN) {
		return { truncated: false, message: 'no hbin signature' };
	}
	if (reader.u32(start + 4, 'hive bin offset') !== position) {
		return { truncated: false, message: 'hive bin offset field does not match its position' };
	}
	const size = reader.u32(start + 8, 'hive bin size');
	if (size < HIVE_BIN_ALIGNMENT_BYTES || size % HIVE_BIN_ALIGNMENT_BYTES !== 0) {
		return { truncated: false, message: `hive bin size ${size} is not a multiple of 4096` };
	}
	return undefined;
}

function report(problem: BinProblem, position: number, warnings: Warning[], strict: boolean): void {
	const offset = BASE_BLOCK_SIZE_BYTES + position;
	const message = `${problem.message}; cells from here on are not read`;
	if (strict) {
		throw new MullionError(
			problem.truncated ? 'HIVE_OUT_OF_BOUNDS' : 'HIVE_BAD_CELL',
			message,
			offset
		);
	}
	warnings.push({ code: problem.truncated ? 'HIVE_TRUNCATED' : 'HIVE_BAD_BIN', message, offset });
}
