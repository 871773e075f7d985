/**
 * The stored form of the condensed MSRC index (types.ts): gzip-compressed JSON, written by
 * `scripts/msrc-index.ts` to `static/msrc/index.bin` and read back by the app. Reading checks
 * the gzip header and claimed size, then the whole shape, because the file may come from a cache,
 * a proxy or a user's disk.
 */

import { gunzipSync, gzipSync } from 'fflate';
import * as v from 'valibot';
import { MullionError } from '../errors';
import { MSRC_INDEX_FORMAT, type MsrcIndex } from './types';

/** Largest decompressed index accepted (the whole history is about 4 MB). */
export const MAX_INDEX_JSON_BYTES = 64 * 1024 * 1024;

const GZIP_HEADER_BYTES = 10;
const GZIP_TRAILER_BYTES = 8;

const FixSchema = v.object({
	kb: v.string(),
	fixedBuild: v.optional(v.string()),
	subType: v.optional(v.string()),
	supersedes: v.array(v.string()),
	url: v.optional(v.string()),
	products: v.array(v.string())
});

const VulnerabilitySchema = v.object({
	cve: v.string(),
	title: v.string(),
	severity: v.optional(v.picklist(['Critical', 'Important', 'Moderate', 'Low'])),
	impact: v.optional(v.string()),
	exploited: v.boolean(),
	publiclyDisclosed: v.boolean(),
	cvss: v.optional(v.object({ score: v.number(), vector: v.optional(v.string()) })),
	affected: v.array(v.string()),
	fixes: v.array(FixSchema)
});

const MonthSchema = v.object({
	id: v.string(),
	title: v.string(),
	initialReleaseDate: v.string(),
	currentReleaseDate: v.string(),
	products: v.record(v.string(), v.string()),
	vulnerabilities: v.array(VulnerabilitySchema)
});

const IndexSchema = v.object({
	format: v.literal(MSRC_INDEX_FORMAT),
	generatedAt: v.string(),
	months: v.array(MonthSchema)
});

/** The index as gzip-compressed JSON; deterministic (no timestamp in the gzip header). */
export function encodeIndex(index: MsrcIndex): Uint8Array {
	const json = new TextEncoder().encode(JSON.stringify(index));
	return gzipSync(json, { level: 9, mtime: 0 });
}

/**
 * The index stored in `bytes` (gzip of UTF-8 JSON, or the JSON itself). Throws MSRC_BAD_DOCUMENT when the bytes are
 * not gzip, do not decompress, are not UTF-8 JSON, or do not have the MsrcIndex shape (format 1);
 * LIMIT_EXCEEDED when the claimed size passes MAX_INDEX_JSON_BYTES.
 */
export function decodeIndex(bytes: Uint8Array): MsrcIndex {
	// A server that sent the file with Content-Encoding: gzip has had the browser unpack it already.
	const json = bytes[0] === OPEN_BRACE ? bytes : gunzipIndex(bytes);
	let data: unknown;
	try {
		data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
	} catch {
		throw badIndex('the content is not UTF-8 JSON');
	}
	const result = v.safeParse(IndexSchema, data, { abortEarly: true });
	if (!result.success) {
		const issue = result.issues[0];
		const where = issue ? v.getDotPath(issue) : undefined;
		throw badIndex(`unexpected shape${where ? ` at ${where}` : ''}: ${issue?.message ?? ''}`);
	}
	return result.output;
}

const OPEN_BRACE = 0x7b;

// Layout (RFC 1952): 1F 8B 08 header (10 bytes), deflate data, CRC32 (4), ISIZE (4, LE).
function gunzipIndex(bytes: Uint8Array): Uint8Array {
	if (bytes.length < GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES) throw badIndex('too short for gzip');
	if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 0x08) throw badIndex('not gzip');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const claimedSize = view.getUint32(bytes.length - 4, true);
	if (claimedSize > MAX_INDEX_JSON_BYTES) {
		throw new MullionError(
			'LIMIT_EXCEEDED',
			`MAX_INDEX_JSON_BYTES (${MAX_INDEX_JSON_BYTES}) exceeded`
		);
	}
	try {
		return gunzipSync(bytes);
	} catch (error) {
		throw badIndex(`gzip data is damaged (${error instanceof Error ? error.message : error})`);
	}
}

function badIndex(reason: string): MullionError {
	return new MullionError('MSRC_BAD_DOCUMENT', `MSRC index: ${reason}`);
}
