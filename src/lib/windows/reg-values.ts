/**
 * Typed value reads on the `RegKey` view (one hive or the merged delta view). Decoding is the
 * hive reader's (`src/lib/hive/value.ts`); this adds the by-name lookup and skips values that a
 * differencing layer deleted.
 */
import type { RegKey, RegValue } from '../hive/types';
import { valueDword, valueString } from '../hive/value';

/** The value `name` of `key`, or undefined when absent or deleted in this layer (tombstone). */
export function liveValue(key: RegKey, name: string): RegValue | undefined {
	const value = key.value(name);
	return value === undefined || value.isTombstone ? undefined : value;
}

/** A REG_SZ / REG_EXPAND_SZ value as text; undefined when absent, deleted or another type. */
export function readString(key: RegKey, name: string): string | undefined {
	const value = liveValue(key, name);
	return value === undefined ? undefined : valueString(value);
}

/** A REG_DWORD value as an unsigned number; undefined when absent, deleted or another type. */
export function readDword(key: RegKey, name: string): number | undefined {
	const value = liveValue(key, name);
	return value === undefined ? undefined : valueDword(value);
}
