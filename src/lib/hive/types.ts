/**
 * The read-only registry view that every consumer (Windows facts, the delta overlay, tests)
 * works against. A key from one hive (`src/lib/hive/hive.ts`) and a key of the merged view of a
 * base hive plus differencing hives (`src/lib/hive/overlay.ts`) both implement it.
 */

/** Registry value types (winnt.h REG_*). Unknown numbers are kept as they are. */
export const RegType = {
	NONE: 0,
	SZ: 1,
	EXPAND_SZ: 2,
	BINARY: 3,
	DWORD: 4,
	DWORD_BIG_ENDIAN: 5,
	LINK: 6,
	MULTI_SZ: 7,
	RESOURCE_LIST: 8,
	FULL_RESOURCE_DESCRIPTOR: 9,
	RESOURCE_REQUIREMENTS_LIST: 10,
	QWORD: 11
} as const;

/** Layer semantics of a key node in a differencing hive (regf 1.6, layered keys). */
export const LayerSemantics = {
	NORMAL: 0,
	TOMBSTONE: 1,
	SUPERSEDE_LOCAL: 2,
	SUPERSEDE_TREE: 3
} as const;
export type LayerSemanticsValue = (typeof LayerSemantics)[keyof typeof LayerSemantics];

export interface RegValue {
	/** Value name; `""` for the default value. */
	readonly name: string;
	/** Raw 32-bit type field (may be any number; see RegType). */
	readonly type: number;
	/** Raw data bytes (for inline data, only the declared length). */
	readonly data: Uint8Array;
	/** Value flag 0x0002: the value is deleted in this layer (differencing hives). */
	readonly isTombstone: boolean;
}

export interface RegKey {
	/** Key name as stored (case preserved). */
	readonly name: string;
	/** Last written time as a FILETIME (100 ns ticks since 1601-01-01 UTC). */
	readonly lastWritten: bigint;
	/** Layer semantics (0 in ordinary hives). */
	readonly layerSemantics: LayerSemanticsValue;
	/** Subkeys in on-disk order. */
	subkeys(): RegKey[];
	/** Case-insensitive lookup of one direct subkey. */
	subkey(name: string): RegKey | undefined;
	/** Values in on-disk order. */
	values(): RegValue[];
	/** Case-insensitive lookup of one value; `""` is the default value. */
	value(name: string): RegValue | undefined;
}

/** Looks up a backslash-separated path below `key`, case-insensitively. */
export function keyAt(key: RegKey, path: string): RegKey | undefined {
	let current: RegKey | undefined = key;
	for (const part of path.split('\\')) {
		if (part === '') continue;
		current = current.subkey(part);
		if (current === undefined) return undefined;
	}
	return current;
}
