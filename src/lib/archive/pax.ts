/**
 * PAX extended headers (POSIX.1-2017 `pax`, "pax Extended Header") and GNU long-name entries
 * (GNU tar manual, typeflags 'L' and 'K'). Go's archive/tar writes PAX `path`, `linkpath`,
 * `size`, `mtime` plus the Windows records `MSWINDOWS.*` and `LIBARCHIVE.creationtime`
 * (layers-and-hives.md §1.3).
 */

import { MullionError, checkLimit } from '../errors';
import { field } from './bounds';

/** Largest PAX extended header body (all its records together) read into memory, in bytes. */
export const MAX_PAX_RECORD_BYTES = 1024 * 1024;
/** Most records one PAX extended header may hold. */
export const MAX_PAX_RECORDS = 4096;
/**
 * Most distinct keys the global ('g') PAX records of a whole tar may set. Every entry inherits
 * them, so they are copied per entry; real layers set none or a few.
 */
export const MAX_GLOBAL_PAX_KEYS = 64;
/** Longest GNU 'L'/'K' long name accepted, in bytes (Windows paths are at most 32,767 UTF-16 units). */
export const MAX_LONG_NAME_BYTES = 128 * 1024;

/** Limits applied while decoding PAX and GNU long-name bodies. */
export interface PaxLimits {
	maxPaxRecordBytes: number;
	maxPaxRecords: number;
	maxLongNameBytes: number;
}

export const DEFAULT_PAX_LIMITS: PaxLimits = {
	maxPaxRecordBytes: MAX_PAX_RECORD_BYTES,
	maxPaxRecords: MAX_PAX_RECORDS,
	maxLongNameBytes: MAX_LONG_NAME_BYTES
};

const utf8 = new TextDecoder('utf-8');
const SPACE = 0x20;
const NEWLINE = 0x0a;
const EQUALS = 0x3d;
/** Digits in a record's decimal length; 10 covers any length below MAX_PAX_RECORD_BYTES. */
const MAX_LENGTH_DIGITS = 10;

/*
 * Record layout, repeated to the end of the body (trailing NULs tolerated):
 *   "<length> <key>=<value>\n"  where <length> is decimal and counts the whole record,
 *   including its own digits, the space and the newline. Values may contain '=' and newlines.
 */
/**
 * Decodes the records of one PAX extended header body whose data starts at `offset` in the tar.
 * Later records with the same key replace earlier ones. Throws TAR_BAD_HEADER on a malformed
 * record and LIMIT_EXCEEDED past `maxPaxRecords`.
 */
export function parsePaxRecords(
	body: Uint8Array,
	offset: number,
	limits: PaxLimits = DEFAULT_PAX_LIMITS
): Record<string, string> {
	const records: Record<string, string> = {};
	let position = 0;
	let count = 0;
	while (position < body.length && body[position] !== 0) {
		checkLimit(++count, limits.maxPaxRecords, 'MAX_PAX_RECORDS', offset + position);
		const length = readRecordLength(body, position, offset);
		const record = field(body, position, length, 'PAX record', offset);
		const [key, value] = splitRecord(record, offset + position);
		records[key] = value;
		position += length;
	}
	return records;
}

/** The decimal length that starts the record at `position`. */
function readRecordLength(body: Uint8Array, position: number, offset: number): number {
	let length = 0;
	let index = position;
	for (; index < body.length && body[index] !== SPACE; index++) {
		const byte = body[index] ?? 0;
		if (byte < 0x30 || byte > 0x39 || index - position >= MAX_LENGTH_DIGITS) {
			throw badRecord('length is not a decimal number', offset + position);
		}
		length = length * 10 + (byte - 0x30);
	}
	if (index === position || length <= index - position + 1) {
		throw badRecord('length is missing or too short', offset + position);
	}
	return length;
}

/** Splits "<length> key=value\n" into key and value. */
function splitRecord(record: Uint8Array, recordOffset: number): [string, string] {
	if (record[record.length - 1] !== NEWLINE) throw badRecord('no final newline', recordOffset);
	const keyStart = record.indexOf(SPACE) + 1;
	const equals = record.indexOf(EQUALS, keyStart);
	if (keyStart <= 0 || equals <= keyStart) throw badRecord('no key=value', recordOffset);
	const key = utf8.decode(record.subarray(keyStart, equals));
	const value = utf8.decode(record.subarray(equals + 1, record.length - 1));
	return [key, value];
}

function badRecord(reason: string, offset: number): MullionError {
	return new MullionError('TAR_BAD_HEADER', `Malformed PAX record: ${reason}`, offset);
}

/**
 * Decodes the body of a GNU 'L' (long name) or 'K' (long link name) entry: a name ended by NUL.
 * The caller bounds the body by `maxLongNameBytes` before reading it.
 */
export function parseLongName(body: Uint8Array): string {
	const end = body.indexOf(0);
	return utf8.decode(end < 0 ? body : body.subarray(0, end));
}
