/**
 * Bounded reading of the small JSON files of a saved image (manifest.json, index.json, config,
 * oci-layout) and typed access to their fields. Anything malformed throws MullionError
 * UNSUPPORTED naming the file.
 */
import { MullionError, checkLimit } from '../errors';
import type { ByteSource } from '../archive/source';

/** Largest image JSON file read (manifests, indexes, configs), in bytes (8 MiB). */
export const MAX_IMAGE_JSON_BYTES = 8 * 1024 * 1024;

export type JsonObject = Record<string, unknown>;

const decoder = new TextDecoder('utf-8');

/** Reads and parses `source` as JSON. Throws LIMIT_EXCEEDED (size) or UNSUPPORTED (syntax). */
export async function readJson(source: ByteSource, what: string): Promise<unknown> {
	checkLimit(source.size, MAX_IMAGE_JSON_BYTES, `MAX_IMAGE_JSON_BYTES for ${what}`);
	const text = decoder.decode(await source.read(0, source.size)).replace(/^\uFEFF/, '');
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new MullionError('UNSUPPORTED', `${what} is not valid JSON`);
	}
}

/** The value as an object, or UNSUPPORTED naming `what`. */
export function asObject(value: unknown, what: string): JsonObject {
	if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
		return value as JsonObject;
	}
	throw new MullionError('UNSUPPORTED', `${what} is not a JSON object`);
}

/** The value as an array (an absent value is an empty array), or UNSUPPORTED. */
export function asArray(value: unknown, what: string, limit: number, limitName: string): unknown[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw new MullionError('UNSUPPORTED', `${what} is not a JSON array`);
	checkLimit(value.length, limit, limitName);
	return value;
}

/** A string field, or undefined when absent or not a string. */
export function stringField(object: JsonObject, key: string): string | undefined {
	const value = object[key];
	return typeof value === 'string' ? value : undefined;
}

/** A non-negative integer field, or undefined. */
export function sizeField(object: JsonObject, key: string): number | undefined {
	const value = object[key];
	return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

/** An object field, or undefined. */
export function objectField(object: JsonObject, key: string): JsonObject | undefined {
	const value = object[key];
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as JsonObject)
		: undefined;
}
