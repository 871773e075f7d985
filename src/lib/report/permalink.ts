/**
 * Permalinks: a scan result in a URL fragment, so that a report can be shared without a server.
 * The link never carries layer bytes nor MSRC matches; whoever opens it recomputes the
 * vulnerabilities from their own MSRC data.
 *
 * Fragment payload, format `r1`:
 *
 *     r1.<base64url, no padding>
 *         └─ bytes: [raw DEFLATE (RFC 1951) of UTF-8 JSON][CRC-32 of the DEFLATE bytes, u32 BE]
 *                    └─ JSON: the compact form of permalink-compact.ts
 *
 * The CRC lets a damaged link fail as damaged instead of decoding to something else.
 */
import { deflateSync, Inflate } from 'fflate';
import * as v from 'valibot';
import { MullionError } from '../errors';
import { crc32, decodeBase64Url, encodeBase64Url } from './base64url';
import { CompactScanResultSchema, fromCompact, toCompact } from './permalink-compact';
import type { ScanResult } from './types';

/** Version prefix of the links this build writes and reads. */
export const PERMALINK_VERSION = 1;
/** Longest fragment decoded, in characters (a realistic image needs a few kilobytes). */
export const MAX_PERMALINK_CHARS = 2_000_000;
/** Most bytes a fragment may inflate to; more is treated as a decompression bomb. */
export const MAX_PERMALINK_INFLATED_BYTES = 16 * 1024 * 1024;
/** Compressed bytes fed to the inflater per step, so each step's output stays small (~1 MiB). */
const INFLATE_STEP_BYTES = 1024;
const CHECKSUM_BYTES = 4;
const VERSION_PATTERN = /^r(\d{1,6})\./;

/**
 * The fragment payload (without `#`) for a scan result: `r1.` + base64url of the deflated compact
 * JSON and its CRC-32. Never fails on a well-typed result.
 */
export function encodePermalink(result: ScanResult): string {
	const json = JSON.stringify(toCompact(result));
	const deflated = deflateSync(new TextEncoder().encode(json), { level: 9 });
	return packPermalinkBytes(deflated);
}

/**
 * Frames raw DEFLATE bytes as a current-version fragment payload (checksum, base64url, prefix).
 * Exported for tests and tools that need a well-framed link around arbitrary DEFLATE data.
 */
export function packPermalinkBytes(deflated: Uint8Array): string {
	const framed = new Uint8Array(deflated.length + CHECKSUM_BYTES);
	framed.set(deflated);
	new DataView(framed.buffer).setUint32(deflated.length, crc32(deflated));
	return `r${PERMALINK_VERSION}.${encodeBase64Url(framed)}`;
}

/**
 * The scan result a fragment payload stands for (a leading `#` is ignored). The fragment is
 * untrusted. Throws MullionError PERMALINK_VERSION for another format version (`r2.`), and
 * PERMALINK_DAMAGED naming the stage that failed: length, prefix, base64, checksum, deflate, size,
 * JSON or structure.
 */
export function decodePermalink(fragment: string): ScanResult {
	const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
	if (text.length > MAX_PERMALINK_CHARS) {
		throw damaged(
			`is ${text.length} characters, more than MAX_PERMALINK_CHARS (${MAX_PERMALINK_CHARS})`
		);
	}
	const payload = stripVersion(text);
	const deflated = unpackBytes(payload);
	const json = inflateJson(deflated);
	return fromCompact(validate(parseJson(json)));
}

function damaged(what: string): MullionError {
	return new MullionError('PERMALINK_DAMAGED', `The link is damaged: it ${what}.`);
}

function stripVersion(text: string): string {
	const match = VERSION_PATTERN.exec(text);
	if (match?.[1] === undefined) throw damaged('does not start with a format version such as r1.');
	const version = Number(match[1]);
	if (version !== PERMALINK_VERSION) {
		const maker = version > PERMALINK_VERSION ? 'a newer' : 'an older';
		throw new MullionError(
			'PERMALINK_VERSION',
			`The link was made by ${maker} Mullion (format r${version}); this one reads r${PERMALINK_VERSION}.`
		);
	}
	return text.slice(match[0].length);
}

/** base64url → DEFLATE bytes, with the trailing CRC-32 checked. */
function unpackBytes(payload: string): Uint8Array {
	const bytes = decodeBase64Url(payload);
	if (bytes === undefined) throw damaged('is not valid base64url');
	if (bytes.length <= CHECKSUM_BYTES) throw damaged('is too short');
	const dataLength = bytes.length - CHECKSUM_BYTES;
	const deflated = bytes.subarray(0, dataLength);
	const expected = new DataView(bytes.buffer, bytes.byteOffset).getUint32(dataLength);
	if (crc32(deflated) !== expected) throw damaged('fails its checksum (bad deflate data)');
	return deflated;
}

/** Inflates in small steps and stops once the output passes MAX_PERMALINK_INFLATED_BYTES. */
function inflateJson(deflated: Uint8Array): string {
	const chunks: Uint8Array[] = [];
	let total = 0;
	const inflater = new Inflate((chunk) => {
		total += chunk.length;
		if (total > MAX_PERMALINK_INFLATED_BYTES) {
			throw damaged(
				`inflates to more than MAX_PERMALINK_INFLATED_BYTES (${MAX_PERMALINK_INFLATED_BYTES})`
			);
		}
		chunks.push(chunk);
	});
	try {
		for (let offset = 0; offset < deflated.length; offset += INFLATE_STEP_BYTES) {
			const end = offset + INFLATE_STEP_BYTES;
			inflater.push(deflated.subarray(offset, end), end >= deflated.length);
		}
	} catch (error) {
		if (error instanceof MullionError) throw error;
		throw damaged('has bad deflate data');
	}
	return decodeUtf8(chunks, total);
}

function decodeUtf8(chunks: readonly Uint8Array[], total: number): string {
	const joined = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		joined.set(chunk, offset);
		offset += chunk.length;
	}
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(joined);
	} catch {
		throw damaged('holds text that is not UTF-8');
	}
}

function parseJson(json: string): unknown {
	try {
		return JSON.parse(json) as unknown;
	} catch {
		throw damaged('holds bad JSON');
	}
}

function validate(value: unknown): v.InferOutput<typeof CompactScanResultSchema> {
	const parsed = v.safeParse(CompactScanResultSchema, value, { abortEarly: true });
	if (parsed.success) return parsed.output;
	const issue = parsed.issues[0];
	const path = v.getDotPath(issue) ?? '(root)';
	throw damaged(`does not hold a scan result (schema mismatch at ${path}: ${issue.message})`);
}
