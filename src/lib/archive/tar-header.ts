/**
 * One 512-byte tar header block: POSIX ustar, GNU and old v7 (POSIX.1-2017 `pax` "ustar
 * Interchange Format"; GNU tar manual "Basic Tar Format"). Go's archive/tar, which writes Windows
 * layers, emits ustar headers preceded by PAX blocks (layers-and-hives.md §1.2–1.3).
 */

import { MullionError } from '../errors';
import { field } from './bounds';

/** Size of a tar header block and the unit that bodies are padded to. */
export const TAR_BLOCK_BYTES = 512;

/** Which header dialect a block carries, from its magic field. */
export type TarMagic = 'ustar' | 'gnu' | 'v7';

/** The fields of one header block, decoded but not yet combined with PAX or GNU long names. */
export interface TarHeader {
	name: string;
	mode: number;
	size: number;
	mtime: number;
	/** One character: '0' file, '1' hard link, '2' symlink, '5' directory, 'x', 'g', 'L', 'K', … */
	typeflag: string;
	linkName: string;
	magic: TarMagic;
	/** ustar `prefix` field, to be joined with `name` by a slash ('' when absent or GNU). */
	prefix: string;
}

const utf8 = new TextDecoder('utf-8');

/*
 * Header block layout (offsets in bytes, numbers are NUL/space-terminated octal unless the
 * first byte has bit 0x80 set, which means GNU base-256 big-endian binary):
 *   0 name[100]  100 mode[8]  108 uid[8]  116 gid[8]  124 size[12]  136 mtime[12]
 *   148 chksum[8]  156 typeflag[1]  157 linkname[100]  257 magic[6]  263 version[2]
 *   265 uname[32]  297 gname[32]  329 devmajor[8]  337 devminor[8]  345 prefix[155] (ustar only)
 */
const NAME = { start: 0, length: 100 };
const MODE = { start: 100, length: 8 };
const SIZE = { start: 124, length: 12 };
const MTIME = { start: 136, length: 12 };
const CHECKSUM = { start: 148, length: 8 };
const TYPEFLAG = 156;
const LINK_NAME = { start: 157, length: 100 };
const MAGIC = { start: 257, length: 8 };
const PREFIX = { start: 345, length: 155 };

/** True when all 512 bytes are zero (two of these in a row end the archive). */
export function isZeroBlock(block: Uint8Array): boolean {
	for (let index = 0; index < block.length; index++) if (block[index] !== 0) return false;
	return true;
}

/**
 * True when the stored checksum matches the sum of the block's bytes with the checksum field
 * counted as spaces, summed as unsigned bytes (POSIX) or as signed bytes (some old writers).
 */
export function hasValidChecksum(block: Uint8Array): boolean {
	if (block.length < TAR_BLOCK_BYTES) return false;
	const stored = parseOctal(field(block, CHECKSUM.start, CHECKSUM.length, 'checksum'));
	if (stored === undefined) return false;
	// One pass over the block (about 200 000 headers in a Server Core layer): the signed sum is the
	// unsigned one less 256 for each byte of 0x80 or more; the checksum field counts as spaces.
	let unsignedSum = 0;
	let highBytes = 0;
	for (let index = 0; index < TAR_BLOCK_BYTES; index++) {
		const byte = block[index] as number;
		unsignedSum += byte;
		highBytes += byte >> 7;
	}
	for (let index = CHECKSUM.start; index < CHECKSUM.start + CHECKSUM.length; index++) {
		const byte = block[index] as number;
		unsignedSum += 0x20 - byte;
		highBytes -= byte >> 7;
	}
	const signedSum = unsignedSum - 0x100 * highBytes;
	return stored === unsignedSum || stored === signedSum;
}

/** "ustar", the start of the magic field of POSIX and GNU headers. */
export const USTAR_MAGIC: readonly number[] = [0x75, 0x73, 0x74, 0x61, 0x72];
/** Offset of the magic field in a header block. */
export const USTAR_MAGIC_OFFSET = MAGIC.start;

/** The header dialect named by the magic field at offset 257. */
export function readMagic(block: Uint8Array): TarMagic {
	const magic = field(block, MAGIC.start, MAGIC.length, 'magic');
	for (let index = 0; index < USTAR_MAGIC.length; index++) {
		if (magic[index] !== USTAR_MAGIC[index]) return 'v7';
	}
	// GNU: "ustar  \0" (two spaces, NUL); POSIX: "ustar\0" then the version "00".
	return magic[5] === 0x20 && magic[6] === 0x20 && magic[7] === 0 ? 'gnu' : 'ustar';
}

/**
 * Decodes one non-zero header block found at `offset` in the tar stream.
 * Throws TAR_BAD_HEADER (with `offset`) on a bad checksum or a malformed number field.
 */
export function parseTarHeader(block: Uint8Array, offset: number): TarHeader {
	if (!hasValidChecksum(block)) {
		throw new MullionError('TAR_BAD_HEADER', 'Tar header checksum does not match', offset);
	}
	const magic = readMagic(block);
	return {
		name: readText(block, NAME, offset),
		mode: readNumber(block, MODE, 'mode', offset),
		size: readNumber(block, SIZE, 'size', offset),
		mtime: readNumber(block, MTIME, 'mtime', offset),
		typeflag: String.fromCharCode(block[TYPEFLAG] ?? 0),
		linkName: readText(block, LINK_NAME, offset),
		magic,
		prefix: magic === 'ustar' ? readText(block, PREFIX, offset) : ''
	};
}

/** A NUL-terminated UTF-8 text field. */
function readText(block: Uint8Array, range: { start: number; length: number }, offset: number) {
	const bytes = field(block, range.start, range.length, 'text field', offset);
	const end = bytes.indexOf(0);
	return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** A numeric field: octal text, or GNU base-256 when the first byte has bit 0x80 set. */
function readNumber(
	block: Uint8Array,
	range: { start: number; length: number },
	what: string,
	offset: number
): number {
	const bytes = field(block, range.start, range.length, what, offset);
	const value = (bytes[0] ?? 0) & 0x80 ? parseBase256(bytes) : parseOctal(bytes);
	if (value === undefined) {
		throw new MullionError('TAR_BAD_HEADER', `Tar header ${what} field is not a number`, offset);
	}
	return value;
}

/**
 * Octal digits, optionally surrounded by spaces and ended by NUL or space. An all-blank field
 * reads as 0. Returns undefined on any other character or a value past 2^53.
 */
export function parseOctal(bytes: Uint8Array): number | undefined {
	let value = 0;
	let index = 0;
	while (index < bytes.length && bytes[index] === 0x20) index++;
	for (; index < bytes.length; index++) {
		const byte = bytes[index] ?? 0;
		if (byte === 0 || byte === 0x20) break;
		if (byte < 0x30 || byte > 0x37) return undefined;
		value = value * 8 + (byte - 0x30);
	}
	for (; index < bytes.length; index++) {
		if (bytes[index] !== 0 && bytes[index] !== 0x20) return undefined;
	}
	return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * GNU base-256: bit 0x80 of the first byte marks it, the rest is a big-endian two's-complement
 * number. Negative values (first byte 0xFF) and values past 2^53 return undefined.
 */
export function parseBase256(bytes: Uint8Array): number | undefined {
	if ((bytes[0] ?? 0) & 0x40) return undefined;
	let value = (bytes[0] ?? 0) & 0x3f;
	for (let index = 1; index < bytes.length; index++) {
		value = value * 256 + (bytes[index] ?? 0);
		if (!Number.isSafeInteger(value)) return undefined;
	}
	return value;
}
