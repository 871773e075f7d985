/**
 * Walks the entries of a tar stream (POSIX.1-2017 `pax` interchange format, with GNU and v7
 * variants), combining each entry's header with the PAX and GNU long-name headers before it.
 * The Windows layer dialect (Go archive/tar PAX, layers-and-hives.md §1.2–1.3) is a subset.
 */

import { MullionError, checkLimit } from '../errors';
import type { Warning } from '../warnings';
import {
	DEFAULT_PAX_LIMITS,
	MAX_GLOBAL_PAX_KEYS,
	parseLongName,
	parsePaxRecords,
	type PaxLimits
} from './pax';
import type { SequentialReader } from './sequential-reader';
import { TAR_BLOCK_BYTES, isZeroBlock, parseTarHeader, type TarHeader } from './tar-header';
import { trimTrailing } from '../strings';

/** Most entries one tar may hold (a full Windows Server Core base layer has a few hundred thousand). */
export const MAX_TAR_ENTRIES = 4_000_000;
/** Most PAX / GNU long-name headers that may precede one entry. */
export const MAX_META_HEADERS_PER_ENTRY = 32;

/** All limits the tar walk applies; every field has a named default above or in pax.ts. */
export interface TarLimits extends PaxLimits {
	maxEntries: number;
	maxMetaHeadersPerEntry: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = {
	...DEFAULT_PAX_LIMITS,
	maxEntries: MAX_TAR_ENTRIES,
	maxMetaHeadersPerEntry: MAX_META_HEADERS_PER_ENTRY
};

/** Options of `tarEntries`. */
export interface TarOptions {
	limits?: Partial<TarLimits>;
	/** Receives recoverable anomalies (e.g. a missing end-of-archive marker). */
	onWarning?: (warning: Warning) => void;
}

export type TarEntryType = 'file' | 'directory' | 'hardlink' | 'symlink' | 'other';

/** One entry of a tar, with its names already resolved from PAX / GNU / ustar prefix. */
export interface TarEntry {
	/** Path as stored (forward slashes in Windows layers), trailing slashes removed. */
	path: string;
	type: TarEntryType;
	/** The raw typeflag character ('0', '1', '2', '5', 'S', …; '\0' for old v7 files). */
	typeflag: string;
	/** Bytes of body that follow the header (0 for links and directories). */
	size: number;
	/** Target of a hard link or symlink (raw: Windows symlink targets keep backslashes). */
	linkPath?: string;
	/** PAX records that apply to this entry (global 'g' records, then its own 'x' records). */
	pax: Record<string, string>;
	/** Offset of the entry's first header block (its PAX/GNU headers included). */
	headerOffset: number;
	/** Offset of the body, in the tar stream (the decompressed stream for gzip/zstd). */
	dataOffset: number;
}

/** Typeflags whose size field does not count body bytes (as in Go's archive/tar). */
const HEADER_ONLY_TYPEFLAGS = new Set(['1', '2', '3', '4', '5', '6']);

/** State carried across entries: global PAX records and the entry count. */
interface WalkState {
	limits: TarLimits;
	/** Global ('g') records read so far; undefined until the first, so entries copy nothing. */
	globalPax?: Record<string, string>;
	entries: number;
	onWarning?: (warning: Warning) => void;
}

/** Headers collected before an entry's own header. */
interface PendingMeta {
	headerOffset: number;
	pax: Record<string, string>;
	longName?: string;
	longLinkName?: string;
}

/** Bytes of body plus padding up to the next 512-byte block. */
export function paddedSize(size: number): number {
	return Math.ceil(size / TAR_BLOCK_BYTES) * TAR_BLOCK_BYTES;
}

/**
 * Yields the entries of the tar read through `reader`. Between two yields the consumer may read
 * the current entry's body with `readEntryBody`; whatever it leaves unread is skipped.
 * Throws NOT_AN_ARCHIVE when the first block is not a tar header, TAR_BAD_HEADER on a bad
 * checksum, number or PAX record, TAR_TRUNCATED when the input ends inside a header or body (or,
 * on a random-access reader, as soon as a header claims a body past the end), LIMIT_EXCEEDED
 * past a named limit.
 */
export async function* tarEntries(
	reader: SequentialReader,
	options: TarOptions = {}
): AsyncGenerator<TarEntry> {
	const state: WalkState = {
		limits: { ...DEFAULT_TAR_LIMITS, ...options.limits },
		entries: 0,
		onWarning: options.onWarning
	};
	let nextHeaderOffset = reader.position;
	for (;;) {
		await skipTo(reader, nextHeaderOffset);
		const entry = await readEntry(reader, state);
		if (!entry) return;
		yield entry;
		nextHeaderOffset = entry.dataOffset + paddedSize(entry.size);
	}
}

/**
 * Reads the body of `entry`, which must be the entry `tarEntries` yielded last, before anything
 * else was read. Throws LIMIT_EXCEEDED when the body is larger than `maxBytes` and TAR_TRUNCATED
 * when the input ends inside it. Returns a copy that owns its buffer (safe to transfer).
 */
export async function readEntryBody(
	reader: SequentialReader,
	entry: TarEntry,
	maxBytes: number
): Promise<Uint8Array> {
	checkLimit(entry.size, maxBytes, `body size limit for ${entry.path}`, entry.dataOffset);
	if (reader.position !== entry.dataOffset) {
		throw new Error(`readEntryBody: the reader is no longer at the body of ${entry.path}`);
	}
	const body = await reader.read(entry.size);
	if (body.length < entry.size) {
		throw truncated(`The body of ${entry.path} ends early`, entry.dataOffset + body.length);
	}
	return body.byteLength === body.buffer.byteLength ? body : body.slice();
}

/** Moves the reader forward to `offset` (the next header). */
async function skipTo(reader: SequentialReader, offset: number): Promise<void> {
	const needed = offset - reader.position;
	if (needed <= 0) return;
	const skipped = await reader.skip(needed);
	if (skipped < needed) throw truncated('The input ends inside an entry body', reader.position);
}

/** Reads headers up to and including the next entry's own header; undefined at the end. */
async function readEntry(
	reader: SequentialReader,
	state: WalkState
): Promise<TarEntry | undefined> {
	const meta: PendingMeta = { headerOffset: reader.position, pax: {} };
	for (let headers = 1; ; headers++) {
		checkLimit(headers, state.limits.maxMetaHeadersPerEntry + 1, 'MAX_META_HEADERS_PER_ENTRY');
		const blockOffset = reader.position;
		const block = await readHeaderBlock(reader, meta, state);
		if (!block) return undefined;
		const header = parseHeaderAt(block, blockOffset);
		if (await readMetaHeader(reader, header, blockOffset, meta, state)) continue;
		return buildEntry(header, meta, reader, state);
	}
}

/** Reads one header block; undefined at a clean end of archive. */
async function readHeaderBlock(
	reader: SequentialReader,
	meta: PendingMeta,
	state: WalkState
): Promise<Uint8Array | undefined> {
	const blockOffset = reader.position;
	const block = await reader.read(TAR_BLOCK_BYTES);
	const pendingMeta = blockOffset !== meta.headerOffset;
	if (blockOffset === 0 && block.length < TAR_BLOCK_BYTES) {
		throw new MullionError('NOT_AN_ARCHIVE', 'The input is too short to be a tar', 0);
	}
	if (block.length === 0 && !pendingMeta) {
		state.onWarning?.({
			code: 'TAR_NO_END_MARKER',
			message: 'The tar ends without its two zero blocks',
			offset: blockOffset
		});
		return undefined;
	}
	if (block.length < TAR_BLOCK_BYTES)
		throw truncated('The input ends inside a header', blockOffset);
	if (!isZeroBlock(block)) return block;
	if (pendingMeta) throw badHeader('An extended header is followed by the end marker', blockOffset);
	await expectSecondZeroBlock(reader, blockOffset);
	return undefined;
}

/** After one zero block, the next block must be zero too (or the input must end). */
async function expectSecondZeroBlock(reader: SequentialReader, firstOffset: number): Promise<void> {
	const second = await reader.read(TAR_BLOCK_BYTES);
	if (second.length > 0 && !isZeroBlock(second)) {
		throw badHeader('A single zero block is followed by more data', firstOffset);
	}
}

/** Parses a header; at offset 0 a bad header means the input is no tar at all. */
function parseHeaderAt(block: Uint8Array, offset: number): TarHeader {
	try {
		return parseTarHeader(block, offset);
	} catch (error) {
		if (offset !== 0) throw error;
		throw new MullionError('NOT_AN_ARCHIVE', 'The data does not start with a tar header', 0);
	}
}

/** Consumes a PAX or GNU long-name header into `meta`; false for an entry's own header. */
async function readMetaHeader(
	reader: SequentialReader,
	header: TarHeader,
	blockOffset: number,
	meta: PendingMeta,
	state: WalkState
): Promise<boolean> {
	const { limits } = state;
	switch (header.typeflag) {
		case 'x': {
			const body = await readMetaBody(
				reader,
				header,
				limits.maxPaxRecordBytes,
				'MAX_PAX_RECORD_BYTES'
			);
			Object.assign(meta.pax, parsePaxRecords(body, blockOffset + TAR_BLOCK_BYTES, limits));
			return true;
		}
		case 'g': {
			const body = await readMetaBody(
				reader,
				header,
				limits.maxPaxRecordBytes,
				'MAX_PAX_RECORD_BYTES'
			);
			state.globalPax = {
				...state.globalPax,
				...parsePaxRecords(body, blockOffset + TAR_BLOCK_BYTES, limits)
			};
			checkLimit(
				Object.keys(state.globalPax).length,
				MAX_GLOBAL_PAX_KEYS,
				'MAX_GLOBAL_PAX_KEYS',
				blockOffset
			);
			return true;
		}
		case 'L':
			meta.longName = parseLongName(
				await readMetaBody(reader, header, limits.maxLongNameBytes, 'MAX_LONG_NAME_BYTES')
			);
			return true;
		case 'K':
			meta.longLinkName = parseLongName(
				await readMetaBody(reader, header, limits.maxLongNameBytes, 'MAX_LONG_NAME_BYTES')
			);
			return true;
		default:
			return false;
	}
}

/** Reads a bounded meta-header body and its padding. */
async function readMetaBody(
	reader: SequentialReader,
	header: TarHeader,
	maxBytes: number,
	limitName: string
): Promise<Uint8Array> {
	const dataOffset = reader.position;
	checkLimit(header.size, maxBytes, limitName, dataOffset);
	const padded = await reader.read(paddedSize(header.size));
	if (padded.length < paddedSize(header.size)) {
		throw truncated('The input ends inside an extended header', dataOffset + padded.length);
	}
	return padded.subarray(0, header.size);
}

/** Combines an entry's own header with the meta headers before it. */
function buildEntry(
	header: TarHeader,
	meta: PendingMeta,
	reader: SequentialReader,
	state: WalkState
): TarEntry {
	checkLimit(++state.entries, state.limits.maxEntries, 'MAX_TAR_ENTRIES', meta.headerOffset);
	const pax = state.globalPax ? { ...state.globalPax, ...meta.pax } : meta.pax;
	const rawPath = pax['path'] ?? meta.longName ?? joinPrefix(header);
	const size = entryBodySize(header, pax, meta.headerOffset);
	const dataOffset = reader.position;
	if (reader.size !== undefined && size > reader.size - dataOffset) {
		throw truncated(`${rawPath} claims ${size} bytes past the end of the input`, meta.headerOffset);
	}
	const entry: TarEntry = {
		path: stripTrailingSlashes(rawPath),
		type: entryType(header, rawPath),
		typeflag: header.typeflag,
		size,
		pax,
		headerOffset: meta.headerOffset,
		dataOffset
	};
	const linkPath = pax['linkpath'] ?? meta.longLinkName ?? header.linkName;
	if (linkPath !== '') entry.linkPath = linkPath;
	return entry;
}

/** ustar: `prefix/name` when the prefix field is set. */
function joinPrefix(header: TarHeader): string {
	return header.prefix === '' ? header.name : `${header.prefix}/${header.name}`;
}

/** Body length: PAX `size` overrides the header; header-only types carry no body. */
function entryBodySize(header: TarHeader, pax: Record<string, string>, offset: number): number {
	if (HEADER_ONLY_TYPEFLAGS.has(header.typeflag)) return 0;
	const paxSize = pax['size'];
	if (paxSize === undefined) return header.size;
	const size = /^\d{1,16}$/.test(paxSize) ? Number(paxSize) : NaN;
	if (!Number.isSafeInteger(size)) throw badHeader(`PAX size "${paxSize}" is not a size`, offset);
	return size;
}

function entryType(header: TarHeader, rawPath: string): TarEntryType {
	switch (header.typeflag) {
		case '0':
		case '\0':
		case '7':
			// Old v7 archives mark directories only by a trailing slash.
			return rawPath.endsWith('/') ? 'directory' : 'file';
		case '1':
			return 'hardlink';
		case '2':
			return 'symlink';
		case '5':
			return 'directory';
		default:
			return 'other';
	}
}

function stripTrailingSlashes(path: string): string {
	const stripped = trimTrailing(path, '/');
	return stripped === '' ? path : stripped;
}

function truncated(message: string, offset: number): MullionError {
	return new MullionError('TAR_TRUNCATED', message, offset);
}

function badHeader(message: string, offset: number): MullionError {
	return new MullionError('TAR_BAD_HEADER', message, offset);
}
