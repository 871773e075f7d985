/**
 * The "headers-plus-hive read limit": the least work any tar reader must do to get the hive out
 * of a plain layer — read every header through windows (the same windowing policy Mullion uses,
 * `nextWindowBytes`: 1 MiB, doubling up to 8 MiB while headers are dense),
 * take only the size and name fields, skip bodies unread, and read the hive body. No PAX, no
 * checksum, no validation. Runs in Node and in a browser worker (no Node imports).
 */

import { nextWindowBytes, TAR_WINDOW_BYTES } from '../../src/lib/archive/sequential-reader';

const BLOCK = 512;

export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

export interface WalkResult {
	entries: number;
	hiveBytes: number;
	bytesRead: number;
}

function octal(block: Uint8Array, start: number, length: number): number {
	let value = 0;
	for (let index = start; index < start + length; index++) {
		const byte = block[index] ?? 0;
		if (byte >= 0x30 && byte <= 0x37) value = value * 8 + (byte - 0x30);
		else if (byte === 0 || (byte === 0x20 && value > 0)) break;
	}
	return value;
}

function nameOf(block: Uint8Array): string {
	let end = 0;
	while (end < 100 && block[end] !== 0) end++;
	return String.fromCharCode(...block.subarray(0, end));
}

/** Walks to the entry named `hivePath` and reads its body; stops there. */
export async function walkHeadersToHive(
	read: ReadAt,
	size: number,
	hivePath: string
): Promise<WalkResult> {
	let window: Uint8Array = new Uint8Array(0);
	let windowStart = 0;
	let offset = 0;
	let entries = 0;
	let bytesRead = 0;
	let windowBytes = TAR_WINDOW_BYTES;
	while (offset + BLOCK <= size) {
		if (offset < windowStart || offset + BLOCK > windowStart + window.length) {
			if (bytesRead > 0)
				windowBytes = nextWindowBytes(windowBytes, offset - windowStart - window.length);
			window = await read(offset, windowBytes);
			windowStart = offset;
			bytesRead += window.length;
		}
		const block = window.subarray(offset - windowStart, offset - windowStart + BLOCK);
		if (block[0] === 0 && block[156] === 0) break;
		const bodySize = octal(block, 124, 12);
		const typeflag = block[156] ?? 0;
		entries++;
		if (typeflag === 0x30 && nameOf(block) === hivePath) {
			const hive = await read(offset + BLOCK, bodySize);
			return { entries, hiveBytes: hive.length, bytesRead: bytesRead + hive.length };
		}
		const hasBody = typeflag < 0x31 || typeflag > 0x36;
		offset += BLOCK + (hasBody ? Math.ceil(bodySize / BLOCK) * BLOCK : 0);
	}
	return { entries, hiveBytes: 0, bytesRead };
}
