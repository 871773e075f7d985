/**
 * Opens a regf hive held in memory and exposes it through the `RegKey` / `RegValue` interfaces.
 * Nothing is parsed up front but the base block, the hive bin headers and the root key node:
 * keys and values are read when visited, so a 60 MiB SOFTWARE hive opens at once.
 *
 * Error policy (the same for every key):
 * - A structurally broken subkey list or value list (unreadable cell, unknown signature, count
 *   larger than the cell, nested `ri`, a limit) throws a `MullionError` from that key's
 *   `subkeys()` / `subkey()` or `values()` / `value()`; the rest of the hive stays readable.
 * - A readable list with a broken entry (pointing at something that is not a readable `nk` or
 *   `vk`) keeps its other entries: the entry is skipped with a HIVE_BAD_SUBKEY or HIVE_BAD_VALUE
 *   warning.
 * - Broken value data throws from that value's `data` getter only (data is read on first access).
 * - Recoverable anomalies become warnings in `hive.warnings` (deduplicated, capped):
 *   HIVE_DIRTY, HIVE_BAD_CHECKSUM, HIVE_NO_BINS_SIZE, HIVE_BAD_BIN, HIVE_TRUNCATED, HIVE_FREE_CELL_USED,
 *   HIVE_SUBKEY_COUNT_MISMATCH, HIVE_BAD_SUBKEY, HIVE_BAD_VALUE, HIVE_KEY_CYCLE (the entry pointing back at the key itself or an
 *   ancestor is skipped), HIVE_UNALIGNED_CELL, HIVE_VALUE_DATA_SHORT, HIVE_BAD_INLINE_DATA.
 * - A wrong checksum or a zero hive bins data size makes the declared size untrusted: the hive
 *   bins are then walked up to the last valid bin in the file.
 * - `strict: true` turns every one of those warnings except HIVE_DIRTY and HIVE_NO_BINS_SIZE into a thrown error
 *   (HIVE_BAD_BASE_BLOCK for the checksum; the entry's own error for skipped entries;
 *   HIVE_BAD_CELL or HIVE_OUT_OF_BOUNDS otherwise).
 */

import { MullionError, checkLimit, isMullionError } from '../errors';
import type { Warning } from '../warnings';
import type { LayerSemanticsValue, RegKey, RegValue } from './types';
import { ByteReader } from './bounds';
import { parseBaseBlock, BASE_BLOCK_SIZE_BYTES, type BaseBlock } from './base-block';
import { walkHiveBins, type HiveBin } from './hive-bin';
import { addWarning, NO_CELL, type CellSpace } from './cell';
import { parseKeyNode, readClassName, type KeyNodeRecord } from './key-node';
import { readSubkeyList } from './subkey-list';
import {
	parseValueKey,
	readValueData,
	readValueList,
	VALUE_FLAG_TOMBSTONE,
	type ValueKeyRecord
} from './value';
import { foldName } from './text';

/** Deepest key reachable through `subkeys()` (the root has depth 0), in levels. */
export const MAX_KEY_DEPTH_LEVELS = 512;

/** Options of `openHive`. */
export interface OpenHiveOptions {
	/** Throw on anomalies that are otherwise warnings (all but HIVE_DIRTY). Default false. */
	strict?: boolean;
}

/** An opened hive. */
export interface Hive {
	readonly baseBlock: BaseBlock;
	/** Anomalies found so far; grows as keys are visited. */
	readonly warnings: Warning[];
	/** The hive bins walked at open time (offsets relative to the hive bins data). */
	readonly bins: readonly HiveBin[];
	/** The root key. */
	root(): HiveKey;
}

/**
 * Opens a hive from its bytes (the buffer is used in place, not copied; do not modify it).
 * Throws HIVE_BAD_SIGNATURE, HIVE_BAD_VERSION, HIVE_BAD_BASE_BLOCK (transaction log; bad
 * checksum in strict mode), HIVE_OUT_OF_BOUNDS / HIVE_BAD_CELL when the root key node cannot be
 * read, and in strict mode for bad hive bins.
 */
export function openHive(bytes: Uint8Array, options: OpenHiveOptions = {}): Hive {
	const strict = options.strict ?? false;
	const reader = new ByteReader(bytes);
	const warnings: Warning[] = [];
	const baseBlock = parseBaseBlock(reader, warnings, strict);
	const checksumOk = baseBlock.checksum === baseBlock.computedChecksum;
	const size = baseBlock.hiveBinsDataSize;
	if (size === 0) {
		warnings.push({
			code: 'HIVE_NO_BINS_SIZE',
			message: 'hive bins data size is 0; bins are walked to the file end',
			offset: 40
		});
	}
	const layout = walkHiveBins(reader, size, warnings, strict, checksumOk && size !== 0);
	const space: CellSpace = {
		reader,
		usableEnd: BASE_BLOCK_SIZE_BYTES + layout.usableSize,
		minorVersion: baseBlock.minorVersion,
		supportsLayeredKeys: baseBlock.supportsLayeredKeys,
		strict,
		warnings
	};
	const root = new HiveKey(space, parseKeyNode(space, baseBlock.rootCellOffset), undefined);
	return { baseBlock, warnings, bins: layout.bins, root: () => root };
}

/** A key of an opened hive. Implements `RegKey` plus hive-specific details. */
export class HiveKey implements RegKey {
	readonly name: string;
	readonly lastWritten: bigint;
	readonly layerSemantics: LayerSemanticsValue;
	/** Levels below the root (root = 0). */
	readonly depth: number;
	private cachedValues: HiveValue[] | undefined;

	constructor(
		private readonly space: CellSpace,
		/** The parsed key node (offsets, counts, flags). */
		readonly node: KeyNodeRecord,
		/** The key this one was reached from; `undefined` for the root. */
		readonly parent: HiveKey | undefined
	) {
		this.name = node.name;
		this.lastWritten = node.lastWritten;
		this.layerSemantics = node.layerSemantics;
		this.depth = parent === undefined ? 0 : parent.depth + 1;
	}

	/** Subkeys in on-disk order. Throws MullionError for a broken subkey list (see module doc). */
	subkeys(): HiveKey[] {
		const keys: HiveKey[] = [];
		for (const offset of this.subkeyOffsets()) {
			const node = this.entry(offset, parseKeyNode, 'HIVE_BAD_SUBKEY');
			if (node !== undefined) keys.push(new HiveKey(this.space, node, this));
		}
		return keys;
	}

	/** Case-insensitive lookup of one direct subkey (linear scan of the list). */
	subkey(name: string): HiveKey | undefined {
		const wanted = foldName(name);
		for (const offset of this.subkeyOffsets()) {
			const node = this.entry(offset, parseKeyNode, 'HIVE_BAD_SUBKEY');
			if (node === undefined) continue;
			if (node.name.length === name.length && foldName(node.name) === wanted) {
				return new HiveKey(this.space, node, this);
			}
		}
		return undefined;
	}

	/**
	 * Values in on-disk order (parsed once per key object, then reused). Throws MullionError for
	 * a broken value list (see module doc).
	 */
	values(): HiveValue[] {
		this.cachedValues ??= this.readValues();
		return this.cachedValues;
	}

	private readValues(): HiveValue[] {
		const { valueListOffset, valueCount } = this.node;
		const values: HiveValue[] = [];
		for (const offset of readValueList(this.space, valueListOffset, valueCount)) {
			const record = this.entry(offset, parseValueKey, 'HIVE_BAD_VALUE');
			if (record !== undefined) values.push(new HiveValue(this.space, record));
		}
		return values;
	}

	/** Case-insensitive lookup of one value; `""` is the default value. */
	value(name: string): HiveValue | undefined {
		const wanted = foldName(name);
		return this.values().find((value) => foldName(value.name) === wanted);
	}

	/** The class name, or `undefined` when the key has none. Throws for a broken class cell. */
	className(): string | undefined {
		return readClassName(this.space, this.node);
	}

	/** Parses one list entry; a broken entry is skipped with a warning (strict: thrown). */
	private entry<T>(
		offset: number,
		parse: (space: CellSpace, offset: number) => T,
		code: string
	): T | undefined {
		try {
			return parse(this.space, offset);
		} catch (error) {
			if (!isMullionError(error) || this.space.strict) throw error;
			const message = `key '${this.name}': list entry skipped: ${error.message}`;
			addWarning(this.space, { code, message, offset: error.offset });
			return undefined;
		}
	}

	private subkeyOffsets(): number[] {
		const { subkeyCount, subkeyListOffset, fileOffset } = this.node;
		if (subkeyCount === 0) return [];
		checkLimit(this.depth + 1, MAX_KEY_DEPTH_LEVELS, 'MAX_KEY_DEPTH_LEVELS', fileOffset);
		if (subkeyListOffset === NO_CELL) {
			throw new MullionError(
				'HIVE_BAD_CELL',
				`${subkeyCount} subkeys but no subkey list`,
				fileOffset
			);
		}
		const offsets = readSubkeyList(this.space, subkeyListOffset);
		if (offsets.length !== subkeyCount) this.reportCountMismatch(offsets.length);
		return this.withoutRepeats(offsets).filter((offset) => !this.isCycle(offset));
	}

	/**
	 * The offsets with repeats dropped: a real list names each subkey once, and a crafted one that
	 * names one key 65 535 times would have every walk read that key (and its values) as often.
	 */
	private withoutRepeats(offsets: number[]): number[] {
		const unique = [...new Set(offsets)];
		if (unique.length !== offsets.length) {
			report(
				this.space,
				'HIVE_DUPLICATE_SUBKEY',
				`key '${this.name}' lists ${offsets.length - unique.length} subkeys more than once; each is read once`,
				this.node.fileOffset
			);
		}
		return unique;
	}

	private isCycle(offset: number): boolean {
		for (let key: HiveKey | undefined = this; key !== undefined; key = key.parent) {
			if (key.node.cellOffset !== offset) continue;
			report(
				this.space,
				'HIVE_KEY_CYCLE',
				`key '${this.name}' lists an ancestor or itself as a subkey`,
				this.node.fileOffset
			);
			return true;
		}
		return false;
	}

	private reportCountMismatch(found: number): void {
		const message = `key '${this.name}' declares ${this.node.subkeyCount} subkeys, its list holds ${found}`;
		report(this.space, 'HIVE_SUBKEY_COUNT_MISMATCH', message, this.node.fileOffset);
	}
}

/** A value of an opened hive. Implements `RegValue`; the data is read on first access. */
export class HiveValue implements RegValue {
	readonly name: string;
	readonly type: number;
	readonly isTombstone: boolean;
	private cachedData: Uint8Array | undefined;

	constructor(
		private readonly space: CellSpace,
		/** The parsed value key (offsets, flags, raw size). */
		readonly record: ValueKeyRecord
	) {
		this.name = record.name;
		this.type = record.type;
		this.isTombstone = (record.flags & VALUE_FLAG_TOMBSTONE) !== 0;
	}

	/** Raw data bytes (a view into the hive buffer when possible). Throws for broken data cells. */
	get data(): Uint8Array {
		this.cachedData ??= readValueData(this.space, this.record);
		return this.cachedData;
	}
}

function report(space: CellSpace, code: string, message: string, offset: number): void {
	if (space.strict) throw new MullionError('HIVE_BAD_CELL', message, offset);
	addWarning(space, { code, message, offset });
}

/** Most keys one walk visits. */
export const MAX_WALK_KEYS = 2_000_000;
/** Most cells (keys + values) one walk visits. */
export const MAX_WALK_CELLS = 10_000_000;

/** Callbacks of `walk`; `path` holds the key names below the root. */
export interface WalkVisitor {
	key?(path: readonly string[], key: HiveKey): void;
	value?(path: readonly string[], value: HiveValue): void;
}

/** Limits of one walk; defaults are the MAX_* constants. */
export interface WalkLimits {
	maxDepthLevels?: number;
	maxKeys?: number;
	maxCells?: number;
}

/** What a walk saw. */
export interface WalkResult {
	keys: number;
	values: number;
	/** Keys whose lists could not be read, skipped revisits and depth stops, as warnings. */
	problems: Warning[];
}

interface WalkItem {
	key: HiveKey;
	path: string[];
}

/**
 * Visits every key (depth first, on-disk order) and value of `hive`. A key already visited is
 * not entered again; a key whose subkeys or values cannot be read is recorded in `problems` and
 * the walk goes on; keys deeper than `maxDepthLevels` are not entered. Throws LIMIT_EXCEEDED past
 * `maxKeys` keys or `maxCells` cells; errors thrown by the visitor propagate.
 */
export function walk(hive: Hive, visitor: WalkVisitor, limits: WalkLimits = {}): WalkResult {
	const maxDepth = limits.maxDepthLevels ?? MAX_KEY_DEPTH_LEVELS;
	const result: WalkResult = { keys: 0, values: 0, problems: [] };
	const visited = new Set<number>();
	const stack: WalkItem[] = [{ key: hive.root(), path: [] }];
	for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
		if (visited.has(item.key.node.cellOffset)) {
			result.problems.push(problem('HIVE_KEY_REVISITED', 'key reached twice', item.key));
			continue;
		}
		visited.add(item.key.node.cellOffset);
		result.keys++;
		checkLimit(result.keys, limits.maxKeys ?? MAX_WALK_KEYS, 'MAX_WALK_KEYS');
		visitor.key?.(item.path, item.key);
		result.values += walkValues(item, visitor, result.problems);
		checkLimit(result.keys + result.values, limits.maxCells ?? MAX_WALK_CELLS, 'MAX_WALK_CELLS');
		if (item.path.length >= maxDepth) {
			result.problems.push(problem('LIMIT_EXCEEDED', `walk depth ${maxDepth} reached`, item.key));
			continue;
		}
		const children = guarded(() => item.key.subkeys(), item.key, result.problems) ?? [];
		for (let index = children.length - 1; index >= 0; index--) {
			const child = children[index] as HiveKey;
			stack.push({ key: child, path: [...item.path, child.name] });
		}
	}
	return result;
}

function walkValues(item: WalkItem, visitor: WalkVisitor, problems: Warning[]): number {
	const values = guarded(() => item.key.values(), item.key, problems) ?? [];
	for (const value of values) visitor.value?.(item.path, value);
	return values.length;
}

function guarded<T>(read: () => T, key: HiveKey, problems: Warning[]): T | undefined {
	try {
		return read();
	} catch (error) {
		if (!isMullionError(error)) throw error;
		problems.push({
			code: error.code,
			message: `key '${key.name}': ${error.message}`,
			offset: error.offset
		});
		return undefined;
	}
}

function problem(code: string, message: string, key: HiveKey): Warning {
	return { code, message: `key '${key.name}': ${message}`, offset: key.node.fileOffset };
}
