/**
 * Test-side tar writer: builds tars byte by byte so tests control every field, including hostile
 * ones. It writes POSIX ustar headers (what Go's archive/tar writes for Windows layers), PAX 'x'
 * and 'g' headers, GNU 'L'/'K' long names with GNU magic, the ustar prefix split, GNU base-256
 * sizes, and can leave bodies virtual (runs of zeros) so that multi-GiB tars cost no memory.
 *
 *   const tar = writeTar([
 *     { path: 'Files', type: 'directory', pax: { 'MSWINDOWS.fileattr': '16' } },
 *     { path: 'Files/Windows/System32/config/SOFTWARE', data: hiveBytes },
 *     { path: 'Files/x.lnk', type: 'symlink', linkPath: 'C:\\Users' }
 *   ]);
 *   const gz = gzip(tar, { members: 3, trailingZeros: 1024 });
 *
 * Node-only (uses node:zlib); never import it from src/.
 */

import { gzipSync } from 'node:zlib';
import type { ByteSource } from '../../src/lib/archive/source';

const BLOCK = 512;
const encoder = new TextEncoder();

export type TarWriterType = 'file' | 'directory' | 'hardlink' | 'symlink';

/** One entry to write. Only `path` is required (a regular file with an empty body). */
export interface TarWriterEntry {
	path: string;
	/** Defaults to 'file'. */
	type?: TarWriterType;
	/** Raw typeflag character; overrides `type` (e.g. '7', 'S', or a hostile value). */
	typeflag?: string;
	/** Body bytes (or UTF-8 text). */
	data?: Uint8Array | string;
	/** A body of this many zero bytes, kept virtual by `writeTarParts` (ignored when `data` is set). */
	zeroBodyBytes?: number;
	/** Target of a hard link or symlink. */
	linkPath?: string;
	/** PAX records written in an 'x' header before the entry (e.g. MSWINDOWS.fileattr). */
	pax?: Record<string, string>;
	/**
	 * How to store a path (or link path) longer than 100 bytes: 'pax' (a PAX path/linkpath record,
	 * as Go writes), 'gnu' (an 'L'/'K' long-name entry) or 'prefix' (ustar prefix field). Default 'pax'.
	 */
	longNames?: 'pax' | 'gnu' | 'prefix';
	/** Write the size field in GNU base-256 binary instead of octal. */
	base256Size?: boolean;
	/** Size to claim in the header instead of the real body length (hostile tests). */
	claimedSize?: number;
	/** Store a wrong checksum (hostile tests). */
	badChecksum?: boolean;
	mode?: number;
	mtime?: number;
}

/** A piece of a tar: real bytes, or a run of zero bytes that is never materialised. */
export type TarPart = Uint8Array | { zeros: number };

export interface TarWriteOptions {
	/** Zero blocks written at the end (2 by default; 0 for a tar without end marker). */
	endBlocks?: number;
	/** PAX global ('g') records written before the first entry. */
	globalPax?: Record<string, string>;
}

/** Writes a whole tar into memory. Virtual zero bodies are materialised. */
export function writeTar(entries: readonly TarWriterEntry[], options: TarWriteOptions = {}) {
	return concatParts(writeTarParts(entries, options));
}

/** Writes a tar as a list of parts; large zero bodies stay virtual (see `partsSource`). */
export function writeTarParts(
	entries: readonly TarWriterEntry[],
	options: TarWriteOptions = {}
): TarPart[] {
	const parts: TarPart[] = [];
	if (options.globalPax)
		parts.push(...metaEntry('g', 'pax_global_header', paxBody(options.globalPax)));
	for (const entry of entries) parts.push(...entryParts(entry));
	parts.push(new Uint8Array(BLOCK * (options.endBlocks ?? 2)));
	return parts;
}

function entryParts(entry: TarWriterEntry): TarPart[] {
	const parts: TarPart[] = [];
	const pax: Record<string, string> = { ...entry.pax };
	const style = entry.longNames ?? 'pax';
	let name = entry.path;
	let prefix = '';
	let linkName = entry.linkPath ?? '';
	if (byteLength(name) > 100) {
		if (style === 'pax') pax['path'] = name;
		if (style === 'gnu') parts.push(...metaEntry('L', '././@LongLink', nulTerminated(name), true));
		if (style === 'prefix') [prefix, name] = splitPrefix(name);
		else name = truncateBytes(name, 100);
	}
	if (byteLength(linkName) > 100) {
		if (style === 'gnu')
			parts.push(...metaEntry('K', '././@LongLink', nulTerminated(linkName), true));
		else pax['linkpath'] = linkName;
		linkName = truncateBytes(linkName, 100);
	}
	if (Object.keys(pax).length > 0) parts.push(...metaEntry('x', 'PaxHeader', paxBody(pax)));
	const body = typeof entry.data === 'string' ? encoder.encode(entry.data) : entry.data;
	const bodySize = body?.length ?? entry.zeroBodyBytes ?? 0;
	parts.push(
		headerBlock({
			name,
			prefix,
			linkName,
			typeflag: entry.typeflag ?? typeflagOf(entry.type ?? 'file'),
			size: entry.claimedSize ?? bodySize,
			base256Size: entry.base256Size,
			badChecksum: entry.badChecksum,
			mode: entry.mode,
			mtime: entry.mtime,
			gnu: style === 'gnu' && parts.length > 0
		})
	);
	if (body) parts.push(padded(body));
	else if (bodySize > 0) parts.push({ zeros: paddedLength(bodySize) });
	return parts;
}

/** Fields of one raw header block; anything left out gets a harmless default. */
export interface HeaderFields {
	name: string;
	typeflag?: string;
	size?: number;
	linkName?: string;
	prefix?: string;
	mode?: number;
	mtime?: number;
	/** GNU magic "ustar  \0" instead of POSIX "ustar\0" "00". */
	gnu?: boolean;
	/** No magic at all (an old v7 header). */
	v7?: boolean;
	base256Size?: boolean;
	badChecksum?: boolean;
}

/** Builds one 512-byte header block with a correct (unsigned) checksum unless told otherwise. */
export function headerBlock(fields: HeaderFields): Uint8Array {
	const block = new Uint8Array(BLOCK);
	putText(block, 0, 100, fields.name);
	putOctal(block, 100, 8, fields.mode ?? 0o644);
	putOctal(block, 108, 8, 0);
	putOctal(block, 116, 8, 0);
	if (fields.base256Size) putBase256(block, 124, 12, fields.size ?? 0);
	else putOctal(block, 124, 12, fields.size ?? 0);
	putOctal(block, 136, 12, fields.mtime ?? 1_670_547_600);
	block[156] = (fields.typeflag ?? '0').charCodeAt(0);
	putText(block, 157, 100, fields.linkName ?? '');
	if (fields.gnu) putText(block, 257, 8, 'ustar  \0');
	else if (!fields.v7) putText(block, 257, 8, 'ustar\u000000');
	if (!fields.gnu && !fields.v7) putText(block, 345, 155, fields.prefix ?? '');
	const checksum = block.reduce(
		(sum, byte, index) => sum + (index >= 148 && index < 156 ? 32 : byte),
		0
	);
	putOctal(block, 148, 7, fields.badChecksum ? checksum + 1 : checksum);
	block[155] = 0x20;
	return block;
}

/** Encodes PAX records ("<len> key=value\n"), computing each record's self-inclusive length. */
export function paxBody(records: Record<string, string>): Uint8Array {
	let text = '';
	for (const [key, value] of Object.entries(records)) {
		const rest = ` ${key}=${value}\n`;
		const restBytes = byteLength(rest);
		let length = restBytes + 1;
		while (String(length).length + restBytes !== length) length = String(length).length + restBytes;
		text += `${length}${rest}`;
	}
	return encoder.encode(text);
}

/** A meta entry (PAX 'x'/'g', GNU 'L'/'K'): a header plus its padded body. */
export function metaEntry(
	typeflag: string,
	name: string,
	body: Uint8Array,
	gnu = false
): Uint8Array[] {
	return [headerBlock({ name, typeflag, size: body.length, gnu }), padded(body)];
}

/** Compresses with node:zlib gzip; `members` splits the data into that many gzip members. */
export function gzip(
	bytes: Uint8Array,
	options: { members?: number; trailingZeros?: number } = {}
) {
	const members = options.members ?? 1;
	const step = Math.ceil(bytes.length / members);
	const pieces: Uint8Array[] = [];
	for (let start = 0; start < bytes.length || pieces.length === 0; start += step) {
		pieces.push(gzipSync(bytes.subarray(start, start + step)));
		if (step === 0) break;
	}
	pieces.push(new Uint8Array(options.trailingZeros ?? 0));
	return concatParts(pieces);
}

/** A ByteSource over parts (virtual zero runs included) that counts what is read from it. */
export interface CountingSource extends ByteSource {
	readCalls: number;
	bytesRead: number;
}

/** Serves `parts` as one source without materialising zero runs. */
export function partsSource(parts: readonly TarPart[]): CountingSource {
	const starts: number[] = [];
	let size = 0;
	for (const part of parts) {
		starts.push(size);
		size += partLength(part);
	}
	const readRange = (offset: number, end: number) => {
		const out = new Uint8Array(Math.max(0, end - offset));
		let index = Math.max(0, upperBound(starts, offset) - 1);
		for (; index < parts.length && (starts[index] ?? 0) < end; index++) {
			const part = parts[index] as TarPart;
			const partStart = starts[index] ?? 0;
			if (part instanceof Uint8Array) {
				const from = Math.max(offset, partStart);
				const to = Math.min(end, partStart + part.length);
				if (to > from) out.set(part.subarray(from - partStart, to - partStart), from - offset);
			}
		}
		return out;
	};
	const source: CountingSource = {
		size,
		readCalls: 0,
		bytesRead: 0,
		async read(offset, length) {
			const end = Math.min(size, offset + length);
			source.readCalls++;
			source.bytesRead += Math.max(0, end - offset);
			return readRange(offset, end);
		},
		stream(offset = 0, end = size) {
			let position = offset;
			return new ReadableStream<Uint8Array>({
				pull(controller) {
					if (position >= end) return controller.close();
					const next = Math.min(end, position + 1024 * 1024);
					source.bytesRead += next - position;
					controller.enqueue(readRange(position, next));
					position = next;
				}
			});
		}
	};
	return source;
}

/** Wraps a source to count its reads (calls and bytes, streams included). */
export function countingSource(inner: ByteSource): CountingSource {
	const source: CountingSource = {
		size: inner.size,
		readCalls: 0,
		bytesRead: 0,
		async read(offset, length) {
			const bytes = await inner.read(offset, length);
			source.readCalls++;
			source.bytesRead += bytes.length;
			return bytes;
		},
		stream(offset, end) {
			return inner.stream(offset, end).pipeThrough(
				new TransformStream<Uint8Array, Uint8Array>({
					transform(chunk, controller) {
						source.bytesRead += chunk.length;
						controller.enqueue(chunk);
					}
				})
			);
		}
	};
	return source;
}

/** A stream that hands `bytes` out in chunks of exactly `chunkBytes` (the last may be shorter). */
export function chunkedStream(bytes: Uint8Array, chunkBytes: number): ReadableStream<Uint8Array> {
	let position = 0;
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			if (position >= bytes.length) return controller.close();
			controller.enqueue(bytes.slice(position, position + chunkBytes));
			position += chunkBytes;
		}
	});
}

/** Materialises parts into one array. */
export function concatParts(parts: readonly TarPart[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((sum, part) => sum + partLength(part), 0));
	let offset = 0;
	for (const part of parts) {
		if (part instanceof Uint8Array) out.set(part, offset);
		offset += partLength(part);
	}
	return out;
}

function partLength(part: TarPart): number {
	return part instanceof Uint8Array ? part.length : part.zeros;
}

/** Index of the first start greater than `value` (binary search). */
function upperBound(starts: readonly number[], value: number): number {
	let low = 0;
	let high = starts.length;
	while (low < high) {
		const middle = (low + high) >> 1;
		if ((starts[middle] ?? 0) <= value) low = middle + 1;
		else high = middle;
	}
	return low;
}

function typeflagOf(type: TarWriterType): string {
	return { file: '0', hardlink: '1', symlink: '2', directory: '5' }[type];
}

function paddedLength(length: number): number {
	return Math.ceil(length / BLOCK) * BLOCK;
}

function padded(body: Uint8Array): Uint8Array {
	const out = new Uint8Array(paddedLength(body.length));
	out.set(body);
	return out;
}

function nulTerminated(text: string): Uint8Array {
	return encoder.encode(`${text}\0`);
}

function byteLength(text: string): number {
	return encoder.encode(text).length;
}

function truncateBytes(text: string, maxBytes: number): string {
	return new TextDecoder()
		.decode(encoder.encode(text).subarray(0, maxBytes))
		.replace(/\uFFFD$/, '');
}

/** Splits a long path at a slash so that the prefix fits 155 bytes and the name 100. */
function splitPrefix(path: string): [string, string] {
	for (let index = path.indexOf('/'); index > 0; index = path.indexOf('/', index + 1)) {
		const [prefix, name] = [path.slice(0, index), path.slice(index + 1)];
		if (byteLength(prefix) <= 155 && byteLength(name) <= 100) return [prefix, name];
	}
	throw new Error(`tar-writer: ${path} cannot be split into a ustar prefix and name`);
}

function putText(block: Uint8Array, start: number, length: number, text: string): void {
	block.set(encoder.encode(text).subarray(0, length), start);
}

/** Octal digits, NUL-terminated, right-aligned with leading zeros in `length - 1` digits. */
function putOctal(block: Uint8Array, start: number, length: number, value: number): void {
	const digits = value.toString(8).padStart(length - 1, '0');
	if (digits.length > length - 1)
		throw new Error(`tar-writer: ${value} does not fit ${length} bytes`);
	putText(block, start, length, `${digits}\0`);
}

/** GNU base-256: marker bit 0x80 in the first byte, then the big-endian value. */
function putBase256(block: Uint8Array, start: number, length: number, value: number): void {
	let remaining = BigInt(value);
	for (let index = start + length - 1; index > start; index--) {
		block[index] = Number(remaining & 0xffn);
		remaining >>= 8n;
	}
	block[start] = 0x80;
}
