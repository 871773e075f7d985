/**
 * Mutations of layer tars and of their gzip / zstd streams: header fields (size, checksum,
 * typeflag, name), PAX record lengths and values, cuts, copied header blocks, and gzip byte
 * flips, cut members, junk and zero padding. Header positions come from `indexTarHeaders`, a
 * plain walk of the clean tar.
 */

import { gzipSync } from 'node:zlib';
import { Prng } from './prng';

const BLOCK = 512;
const HIVE_PATH = 'Files/Windows/System32/config/SOFTWARE';
const encoder = new TextEncoder();

/** One header block of a clean tar. */
export interface TarHeaderInfo {
	offset: number;
	typeflag: string;
	size: number;
}

/** Walks the headers of a clean tar (octal sizes only; stops at the end marker). */
export function indexTarHeaders(tar: Uint8Array): TarHeaderInfo[] {
	const headers: TarHeaderInfo[] = [];
	for (let offset = 0; offset + BLOCK <= tar.length;) {
		const block = tar.subarray(offset, offset + BLOCK);
		if (block.every((byte) => byte === 0)) break;
		const typeflag = String.fromCharCode(block[156] ?? 0);
		const size = parseInt(new TextDecoder().decode(block.subarray(124, 135)).trim() || '0', 8) || 0;
		headers.push({ offset, typeflag, size });
		const hasBody = !'123456'.includes(typeflag) || typeflag === '';
		offset += BLOCK + (hasBody ? Math.ceil(size / BLOCK) * BLOCK : 0);
	}
	return headers;
}

/** Rewrites the checksum field from the block's bytes (what a correct writer would store). */
export function fixTarChecksum(tar: Uint8Array, offset: number): void {
	if (offset + BLOCK > tar.length) return;
	tar.fill(0x20, offset + 148, offset + 156);
	let sum = 0;
	for (let index = 0; index < BLOCK; index++) sum += tar[offset + index] ?? 0;
	tar.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), offset + 148);
}

function putField(tar: Uint8Array, at: number, length: number, text: string): void {
	const bytes = encoder.encode(text).subarray(0, length);
	tar.fill(0, at, at + length);
	tar.set(bytes, at);
}

type TarMutation = (tar: Uint8Array, headers: TarHeaderInfo[], random: Prng) => string;

const SIZE_TEXTS = [
	'0',
	'1',
	'777',
	'1000',
	'1001',
	'77777777777',
	'7777777777 ',
	'12x',
	'    ',
	'-1',
	'99'
];

const sizeField: TarMutation = (tar, headers, random) => {
	const header = random.pick(headers);
	const at = header.offset + 124;
	const choice = random.below(4);
	if (choice === 0) putField(tar, at, 12, random.pick(SIZE_TEXTS));
	else if (choice === 1)
		putField(tar, at, 12, `${(header.size + random.pick([-1, 1, 512, -512, 4096])).toString(8)}`);
	else if (choice === 2) {
		tar.fill(0, at, at + 12);
		tar[at] = random.pick([0x80, 0xff, 0xc0]);
		for (let index = 1; index < 12; index++)
			tar[at + index] = random.chance(0.3) ? random.below(256) : 0;
	} else putField(tar, at, 12, random.below(0x1_0000_0000).toString(8));
	if (random.chance(0.85)) fixTarChecksum(tar, header.offset);
	return `size@${header.offset}`;
};

const checksumField: TarMutation = (tar, headers, random) => {
	const header = random.pick(headers);
	putField(tar, header.offset + 148, 8, random.pick(['0', '7777777', 'zz', '']));
	return `checksum@${header.offset}`;
};

const typeflagField: TarMutation = (tar, headers, random) => {
	const header = random.pick(headers);
	const flags = ['0', '1', '2', '3', '5', '7', 'x', 'g', 'L', 'K', 'S', 'V', 'D', '\0'];
	tar[header.offset + 156] = random.chance(0.85)
		? flags[random.below(flags.length)]!.charCodeAt(0)
		: random.below(256);
	fixTarChecksum(tar, header.offset);
	return `typeflag@${header.offset}`;
};

const nameField: TarMutation = (tar, headers, random) => {
	const header = random.pick(headers);
	if (random.chance(0.5)) putField(tar, header.offset, 100, HIVE_PATH);
	else for (let index = 0; index < 100; index++) tar[header.offset + index] = random.below(256);
	fixTarChecksum(tar, header.offset);
	return `name@${header.offset}`;
};

/** Overwrites bytes of a PAX body in place: length digits, separators, values. */
const paxBody: TarMutation = (tar, headers, random) => {
	const pax = headers.filter((header) => header.typeflag === 'x' || header.typeflag === 'g');
	if (pax.length === 0) return 'pax (none)';
	const header = random.pick(pax);
	const start = header.offset + BLOCK;
	const body = tar.subarray(start, start + header.size);
	const choice = random.below(4);
	if (choice === 0)
		body.set(
			encoder
				.encode(
					random.pick(['9999999 ', '0 ', '1 ', '99999999999 ', '3 ', '18446744073709551616 '])
				)
				.subarray(0, body.length)
		);
	else if (choice === 1) body[body.length - 1] = random.pick([0x20, 0x3d, 0]);
	else if (choice === 2) body[random.below(body.length)] = random.pick([0x20, 0x3d, 0x0a, 0, 0x39]);
	else {
		putField(tar, header.offset + 124, 12, random.pick(['7777777777', '4000001', '0', '1']));
		fixTarChecksum(tar, header.offset);
	}
	return `pax@${header.offset}`;
};

/** Copies one header block over another (odd chains: PAX before PAX, a duplicate hive, …). */
const copyHeader: TarMutation = (tar, headers, random) => {
	const from = random.pick(headers).offset;
	const to = random.pick(headers).offset;
	tar.copyWithin(to, from, from + BLOCK);
	return `copy@${from}->${to}`;
};

const byteFlip: TarMutation = (tar, headers, random) => {
	const at = random.chance(0.7)
		? random.pick(headers).offset + random.below(BLOCK)
		: random.below(tar.length);
	if (at < tar.length) tar[at] = (tar[at] ?? 0) ^ (1 << random.below(8));
	return `flip@${at}`;
};

const TAR_MUTATIONS: readonly TarMutation[] = [
	sizeField,
	sizeField,
	checksumField,
	typeflagField,
	typeflagField,
	nameField,
	paxBody,
	paxBody,
	copyHeader,
	byteFlip,
	byteFlip
];

/** A mutated copy of a clean tar (0–3 header mutations, sometimes a cut). */
export function mutateTar(clean: Uint8Array, headers: TarHeaderInfo[], random: Prng) {
	let tar = clean.slice();
	const steps: string[] = [];
	const count = random.below(4);
	for (let step = 0; step < count; step++)
		steps.push(random.pick(TAR_MUTATIONS)(tar, headers, random));
	if (random.chance(0.15)) {
		const cut = random.chance(0.5)
			? random.below(tar.length)
			: random.pick(headers).offset + random.pick([0, 100, 512, 600]);
		tar = tar.subarray(0, Math.min(cut, tar.length)).slice();
		steps.push(`cut@${cut}`);
	}
	return { bytes: tar, steps };
}

/** Gzip of `tar` (level 1, deterministic), then 0–2 gzip-level mutations. */
export function mutateGzip(tar: Uint8Array, random: Prng): { bytes: Uint8Array; steps: string[] } {
	const steps: string[] = [];
	let gzip: Uint8Array = random.chance(0.2)
		? twoMembers(tar)
		: new Uint8Array(gzipSync(tar, { level: 1 }));
	const count = random.below(3);
	for (let step = 0; step < count; step++) {
		const choice = random.below(6);
		if (choice === 0) {
			const at = random.below(Math.min(12, gzip.length));
			gzip[at] = (gzip[at] ?? 0) ^ (1 << random.below(8));
			steps.push(`gz-header-flip@${at}`);
		} else if (choice === 1) {
			const at = random.below(gzip.length);
			gzip[at] = (gzip[at] ?? 0) ^ (1 << random.below(8));
			steps.push(`gz-flip@${at}`);
		} else if (choice === 2) {
			const cut = random.below(gzip.length);
			gzip = gzip.subarray(0, cut).slice();
			steps.push(`gz-cut@${cut}`);
		} else if (choice === 3) {
			const at = Math.max(0, gzip.length - 1 - random.below(8));
			gzip[at] = random.below(256);
			steps.push(`gz-trailer@${at}`);
		} else if (choice === 4) {
			gzip = concat(
				gzip,
				random.chance(0.5)
					? new Uint8Array(random.below(4096))
					: randomBytes(random, 1 + random.below(64))
			);
			steps.push('gz-append');
		} else {
			gzip[3] = random.pick([0x04, 0x08, 0x10, 0x02, 0xff]);
			steps.push('gz-flags');
		}
	}
	return { bytes: gzip, steps };
}

/** Flips and cuts in a zstd stream. */
export function mutateZstd(zstd: Uint8Array, random: Prng): { bytes: Uint8Array; steps: string[] } {
	let bytes = zstd.slice();
	const steps: string[] = [];
	const count = 1 + random.below(3);
	for (let step = 0; step < count; step++) {
		if (random.chance(0.25)) {
			const cut = random.below(bytes.length);
			bytes = bytes.subarray(0, cut).slice();
			steps.push(`zst-cut@${cut}`);
		} else {
			const at = random.chance(0.5)
				? random.below(Math.min(32, bytes.length))
				: random.below(bytes.length);
			bytes[at] = random.chance(0.5)
				? (bytes[at] ?? 0) ^ (1 << random.below(8))
				: random.below(256);
			steps.push(`zst-flip@${at}`);
		}
	}
	return { bytes, steps };
}

function twoMembers(tar: Uint8Array): Uint8Array {
	const middle = tar.length >> 1;
	return concat(
		gzipSync(tar.subarray(0, middle), { level: 1 }),
		gzipSync(tar.subarray(middle), { level: 1 })
	);
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
	const out = new Uint8Array(first.length + second.length);
	out.set(first);
	out.set(second, first.length);
	return out;
}

function randomBytes(random: Prng, length: number): Uint8Array {
	const bytes = new Uint8Array(length);
	for (let index = 0; index < length; index++) bytes[index] = random.below(256);
	return bytes;
}
