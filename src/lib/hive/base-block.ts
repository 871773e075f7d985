/**
 * The regf base block: the first 4096 bytes of a primary hive file.
 * Spec: msuhanov "Windows registry file format specification", section "Base block".
 */

import { MullionError } from '../errors';
import type { Warning } from '../warnings';
import type { ByteReader } from './bounds';
import { decodeUtf16 } from './text';

/** Size of the base block, in bytes; hive bins start right after it. */
export const BASE_BLOCK_SIZE_BYTES = 4096;
/** Bytes covered by the XOR-32 checksum (127 dwords). */
export const CHECKSUM_COVERED_BYTES = 508;
/** Base block flag: the hive supports layered keys (differencing hives). */
export const BASE_BLOCK_FLAG_LAYERED_KEYS = 0x2;
/** File type value of a primary hive file (transaction logs use 1, 2 and 6). */
export const FILE_TYPE_PRIMARY = 0;

const SIGNATURE_REGF = 0x66676572; // 'regf' read as a little-endian u32
const SUPPORTED_MAJOR_VERSION = 1;
const LOWEST_MINOR_VERSION = 1;
const HIGHEST_MINOR_VERSION = 6;
const FILE_NAME_OFFSET = 48;
const FILE_NAME_SIZE_BYTES = 64;

/** The decoded fields of a base block. */
export interface BaseBlock {
	primarySequenceNumber: number;
	secondarySequenceNumber: number;
	/** Last written time as a FILETIME (100 ns ticks since 1601-01-01 UTC). */
	lastWritten: bigint;
	majorVersion: number;
	/** 1..6; 6 = differencing ("delta") hive of Windows containers. */
	minorVersion: number;
	/** 0 for a primary file. */
	fileType: number;
	/** Root key node offset, relative to the start of the hive bins data. */
	rootCellOffset: number;
	/** Declared size of the hive bins data, in bytes. */
	hiveBinsDataSize: number;
	/** Raw base block flags. */
	flags: number;
	/** Flag 0x2: the hive supports layered keys. */
	supportsLayeredKeys: boolean;
	/** Stored XOR-32 checksum. */
	checksum: number;
	/** Checksum computed over the first 508 bytes. */
	computedChecksum: number;
	/** Embedded (often partial) file name, UTF-16LE, cut at the first NUL. */
	fileName: string;
}

/*
 * Layout (offsets in bytes): 0 'regf' | 4 primary sequence u32 | 8 secondary sequence u32 |
 * 12 last written FILETIME u64 | 20 major u32 | 24 minor u32 | 28 file type u32 |
 * 32 file format u32 | 36 root cell offset u32 | 40 hive bins data size u32 |
 * 44 clustering factor u32 | 48 file name 64 bytes | 144 flags u32 | 508 checksum u32
 */
/**
 * Parses and validates the base block at offset 0. Throws HIVE_BAD_SIGNATURE (no `regf`),
 * HIVE_OUT_OF_BOUNDS (shorter than 4096 bytes), HIVE_BAD_VERSION (not 1.1..1.6),
 * HIVE_BAD_BASE_BLOCK (a transaction log, or a bad checksum in strict mode). Adds the warnings
 * HIVE_DIRTY (sequence numbers differ) and HIVE_BAD_CHECKSUM (lenient mode) to `warnings`.
 */
export function parseBaseBlock(
	reader: ByteReader,
	warnings: Warning[],
	strict: boolean
): BaseBlock {
	checkSignature(reader);
	reader.check(0, BASE_BLOCK_SIZE_BYTES, 'base block');
	const block = readFields(reader);
	checkVersion(block);
	checkFileType(block);
	checkSequence(block, warnings);
	checkChecksum(block, warnings, strict);
	return block;
}

function checkSignature(reader: ByteReader): void {
	if (reader.length < 4 || reader.u32(0, 'base block signature') !== SIGNATURE_REGF) {
		throw new MullionError('HIVE_BAD_SIGNATURE', 'not a registry hive (no regf signature)', 0);
	}
}

function readFields(reader: ByteReader): BaseBlock {
	const flags = reader.u32(144, 'base block flags');
	return {
		primarySequenceNumber: reader.u32(4, 'primary sequence number'),
		secondarySequenceNumber: reader.u32(8, 'secondary sequence number'),
		lastWritten: reader.u64(12, 'base block last written'),
		majorVersion: reader.u32(20, 'major version'),
		minorVersion: reader.u32(24, 'minor version'),
		fileType: reader.u32(28, 'file type'),
		rootCellOffset: reader.u32(36, 'root cell offset'),
		hiveBinsDataSize: reader.u32(40, 'hive bins data size'),
		flags,
		supportsLayeredKeys: (flags & BASE_BLOCK_FLAG_LAYERED_KEYS) !== 0,
		checksum: reader.u32(CHECKSUM_COVERED_BYTES, 'base block checksum'),
		computedChecksum: computeChecksum(reader),
		fileName: readFileName(reader)
	};
}

/**
 * XOR of the 127 dwords before the checksum field; 0xFFFFFFFF becomes 0xFFFFFFFE and 0 becomes 1.
 */
export function computeChecksum(reader: ByteReader): number {
	let checksum = 0;
	for (let offset = 0; offset < CHECKSUM_COVERED_BYTES; offset += 4) {
		checksum ^= reader.u32(offset, 'base block');
	}
	checksum >>>= 0;
	if (checksum === 0xffffffff) return 0xfffffffe;
	if (checksum === 0) return 1;
	return checksum;
}

function readFileName(reader: ByteReader): string {
	const name = decodeUtf16(reader.slice(FILE_NAME_OFFSET, FILE_NAME_SIZE_BYTES, 'file name'));
	const end = name.indexOf('\0');
	return end === -1 ? name : name.slice(0, end);
}

function checkVersion(block: BaseBlock): void {
	const { majorVersion, minorVersion } = block;
	const minorOk = minorVersion >= LOWEST_MINOR_VERSION && minorVersion <= HIGHEST_MINOR_VERSION;
	if (majorVersion !== SUPPORTED_MAJOR_VERSION || !minorOk) {
		throw new MullionError(
			'HIVE_BAD_VERSION',
			`unsupported regf version ${majorVersion}.${minorVersion} (expected 1.1 to 1.6)`,
			20
		);
	}
}

function checkFileType(block: BaseBlock): void {
	if (block.fileType !== FILE_TYPE_PRIMARY) {
		throw new MullionError(
			'HIVE_BAD_BASE_BLOCK',
			`file type ${block.fileType} is a transaction log, not a primary hive file`,
			28
		);
	}
}

function checkSequence(block: BaseBlock, warnings: Warning[]): void {
	if (block.primarySequenceNumber !== block.secondarySequenceNumber) {
		warnings.push({
			code: 'HIVE_DIRTY',
			message: `hive was not cleanly written (sequence numbers ${block.primarySequenceNumber} and ${block.secondarySequenceNumber}); transaction logs are not replayed`,
			offset: 4
		});
	}
}

function checkChecksum(block: BaseBlock, warnings: Warning[], strict: boolean): void {
	if (block.checksum === block.computedChecksum) return;
	const message = `base block checksum 0x${block.checksum.toString(16)} does not match the computed 0x${block.computedChecksum.toString(16)}`;
	if (strict) throw new MullionError('HIVE_BAD_BASE_BLOCK', message, CHECKSUM_COVERED_BYTES);
	warnings.push({ code: 'HIVE_BAD_CHECKSUM', message, offset: CHECKSUM_COVERED_BYTES });
}
