/**
 * One error type for everything Mullion reads. A stable `code` says what went wrong, `offset`
 * says where in the input (bytes from the start of the structure being read), so that a message
 * can name the problem and the place. Errors cross `postMessage` as plain data: see `toErrorData`.
 */

import { clip } from './strings';

/** Every code a core module may throw. Add new codes here, never ad-hoc strings. */
export type ErrorCode =
	// input shape
	| 'NOT_AN_ARCHIVE' // not tar, gzip, zstd, or a saved image
	| 'LINUX_LAYER' // a tar without Files/ (a Linux or non-Windows layer)
	| 'NO_SOFTWARE_HIVE' // a Windows layer with no SOFTWARE hive or delta
	| 'UNSUPPORTED' // a known format this version cannot read
	// tar
	| 'TAR_TRUNCATED'
	| 'TAR_BAD_HEADER'
	// compression
	| 'GZIP_CORRUPT'
	| 'ZSTD_CORRUPT'
	// registry hive
	| 'HIVE_BAD_SIGNATURE'
	| 'HIVE_BAD_BASE_BLOCK'
	| 'HIVE_OUT_OF_BOUNDS'
	| 'HIVE_BAD_CELL'
	| 'HIVE_BAD_VERSION'
	// MSRC data
	| 'MSRC_BAD_DOCUMENT'
	| 'MSRC_FETCH_FAILED'
	| 'MSRC_BAD_PROXY_URL'
	// permalink
	| 'PERMALINK_DAMAGED'
	| 'PERMALINK_VERSION'
	// general
	| 'LIMIT_EXCEEDED' // a named limit was hit (the message names it)
	| 'CANCELLED';

/**
 * Longest message a MullionError keeps, in characters: messages quote names and values from the
 * input (a path, a CVRF ID, a link), which hostile input makes megabytes long.
 */
export const MAX_ERROR_MESSAGE_CHARS = 2000;

export class MullionError extends Error {
	override readonly name = 'MullionError';
	constructor(
		readonly code: ErrorCode,
		message: string,
		/** Byte offset in the structure being read, when one applies. */
		readonly offset?: number
	) {
		// Offset 0 says nothing a reader needs ("the file does not start with…"); it stays in `offset`.
		const text = clip(message, MAX_ERROR_MESSAGE_CHARS);
		super(
			offset === undefined || offset === 0 ? text : `${text} (at offset 0x${offset.toString(16)})`
		);
	}
}

/** Plain, structured-cloneable form of an error. */
export interface ErrorData {
	code: ErrorCode | 'INTERNAL';
	message: string;
	offset?: number;
}

export function toErrorData(error: unknown): ErrorData {
	if (error instanceof MullionError) {
		return { code: error.code, message: error.message, offset: error.offset };
	}
	const message = error instanceof Error ? error.message : String(error);
	return { code: 'INTERNAL', message };
}

export function isMullionError(error: unknown, code?: ErrorCode): error is MullionError {
	return error instanceof MullionError && (code === undefined || error.code === code);
}

/**
 * Throws LIMIT_EXCEEDED when `count` passes `limit`. Every loop over untrusted input calls this
 * (or an equivalent check) with a named limit, so that no input can make it run forever.
 */
export function checkLimit(count: number, limit: number, limitName: string, offset?: number): void {
	if (count > limit) {
		throw new MullionError('LIMIT_EXCEEDED', `${limitName} (${limit}) exceeded`, offset);
	}
}
