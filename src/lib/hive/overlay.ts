/**
 * A read-only merged view of a base hive plus differencing hives (`Hives/*_Delta` of later
 * layers), as `ORMergeHives` would produce it, without writing a merged hive
 * (layers-and-hives.md §1.4). Each merged key keeps the stack of layer key nodes at its path and
 * answers lookups from it:
 *
 * - layer semantics 1 (tombstone): the key and its subtree are gone from this layer up;
 * - 3 (supersede tree): this node replaces the lower nodes, values and subtree;
 * - 2 (supersede local): this node's values replace the lower values; subkeys still merge;
 * - 0 (normal): values merge by name (the upper layer wins, a tombstone value hides the name)
 *   and subkeys merge recursively.
 *
 * Names compare case-insensitively. Depth and layer count are bounded.
 */

import { checkLimit, isMullionError } from '../errors';
import { foldName } from './text';
import { LayerSemantics, type LayerSemanticsValue, type RegKey, type RegValue } from './types';

/** Most differencing hives stacked over one base, in layers (Docker's image limit is 127). */
export const MAX_OVERLAY_LAYERS = 256;
/** Deepest merged key reachable (the root has depth 0), in levels. */
export const MAX_OVERLAY_DEPTH_LEVELS = 512;
/** Most delta keys `summarizeDelta` visits, in keys. */
export const MAX_DELTA_SUMMARY_KEYS = 200_000;
/**
 * Most values the summary reads over all keys. A crafted delta can list one child under many
 * parents, so keys alone do not bound the work: each visit reads that child's values again.
 */
export const MAX_DELTA_SUMMARY_VALUES = 5_000_000;

/**
 * The merged view of `base` with `deltas` layered over it, lowest first (deltas[0] sits right
 * above the base). Semantics of the root nodes are honoured like any other key's, except that a
 * tombstoned root leaves an empty root. Throws LIMIT_EXCEEDED past MAX_OVERLAY_LAYERS; lookups
 * throw what the layer keys throw, and LIMIT_EXCEEDED past MAX_OVERLAY_DEPTH_LEVELS.
 */
export function overlayKey(base: RegKey, deltas: readonly RegKey[]): RegKey {
	checkLimit(deltas.length + 1, MAX_OVERLAY_LAYERS, 'MAX_OVERLAY_LAYERS');
	const stack = resolveStack([base, ...deltas]);
	const name = base.name;
	return new OverlayKey(stack ?? { valueSources: [], subkeySources: [], name }, 0);
}

/** Which layer nodes a merged key reads its values and its subkeys from (lowest first). */
interface KeyStack {
	valueSources: RegKey[];
	subkeySources: RegKey[];
	/** Name of the topmost live node. */
	name: string;
}

/** Applies the layer semantics of `nodes` (lowest first); undefined when the key is absent. */
function resolveStack(nodes: readonly (RegKey | undefined)[]): KeyStack | undefined {
	let stack: KeyStack | undefined;
	for (const node of nodes) {
		if (node === undefined) continue;
		stack = applyNode(stack, node);
	}
	return stack;
}

function applyNode(stack: KeyStack | undefined, node: RegKey): KeyStack | undefined {
	switch (node.layerSemantics) {
		case LayerSemantics.TOMBSTONE:
			return undefined;
		case LayerSemantics.SUPERSEDE_TREE:
			return { valueSources: [node], subkeySources: [node], name: node.name };
		case LayerSemantics.SUPERSEDE_LOCAL:
			return {
				valueSources: [node],
				subkeySources: [...(stack?.subkeySources ?? []), node],
				name: node.name
			};
		default:
			return {
				valueSources: [...(stack?.valueSources ?? []), node],
				subkeySources: [...(stack?.subkeySources ?? []), node],
				name: node.name
			};
	}
}

/** One key of the merged view. */
class OverlayKey implements RegKey {
	readonly name: string;
	readonly lastWritten: bigint;
	readonly layerSemantics: LayerSemanticsValue = LayerSemantics.NORMAL;
	private cachedSubkeys: OverlayKey[] | undefined;
	private cachedValues: RegValue[] | undefined;

	constructor(
		private readonly stack: KeyStack,
		private readonly depth: number
	) {
		this.name = stack.name;
		this.lastWritten = latestWritten(stack);
	}

	/** Merged subkeys: lower layers' order first, then names first seen in upper layers. */
	subkeys(): OverlayKey[] {
		this.cachedSubkeys ??= this.mergeSubkeys();
		return this.cachedSubkeys;
	}

	subkey(name: string): OverlayKey | undefined {
		if (this.cachedSubkeys !== undefined) {
			const wanted = foldName(name);
			return this.cachedSubkeys.find((key) => foldName(key.name) === wanted);
		}
		const nodes = this.stack.subkeySources.map((source) => source.subkey(name));
		return this.child(nodes);
	}

	/** Merged values: lower layers' order first; tombstone values remove their name. */
	values(): RegValue[] {
		this.cachedValues ??= mergeValues(this.stack.valueSources);
		return this.cachedValues;
	}

	value(name: string): RegValue | undefined {
		const sources = this.stack.valueSources;
		for (let index = sources.length - 1; index >= 0; index--) {
			const found = (sources[index] as RegKey).value(name);
			if (found !== undefined) return found.isTombstone ? undefined : found;
		}
		return undefined;
	}

	private mergeSubkeys(): OverlayKey[] {
		const sources = this.stack.subkeySources;
		const byName = new Map<string, (RegKey | undefined)[]>();
		sources.forEach((source, layer) => {
			for (const key of source.subkeys()) {
				const folded = foldName(key.name);
				let nodes = byName.get(folded);
				if (nodes === undefined) byName.set(folded, (nodes = new Array(sources.length)));
				nodes[layer] = key;
			}
		});
		const merged: OverlayKey[] = [];
		for (const nodes of byName.values()) {
			const key = this.child(nodes);
			if (key !== undefined) merged.push(key);
		}
		return merged;
	}

	private child(nodes: readonly (RegKey | undefined)[]): OverlayKey | undefined {
		const stack = resolveStack(nodes);
		if (stack === undefined) return undefined;
		checkLimit(this.depth + 1, MAX_OVERLAY_DEPTH_LEVELS, 'MAX_OVERLAY_DEPTH_LEVELS');
		return new OverlayKey(stack, this.depth + 1);
	}
}

function latestWritten(stack: KeyStack): bigint {
	let latest = 0n;
	for (const node of [...stack.valueSources, ...stack.subkeySources]) {
		if (node.lastWritten > latest) latest = node.lastWritten;
	}
	return latest;
}

function mergeValues(sources: readonly RegKey[]): RegValue[] {
	const byName = new Map<string, RegValue>();
	for (const source of sources) {
		for (const value of source.values()) {
			const folded = foldName(value.name);
			if (value.isTombstone) byName.delete(folded);
			else byName.set(folded, value);
		}
	}
	return [...byName.values()];
}

/** What one differencing hive does, counted over its keys and values. */
export interface DeltaSummary {
	/** Keys with content that the lower view lacks. */
	keysAdded: number;
	/** Keys present below whose values this delta sets or removes, or that it supersedes. */
	keysChanged: number;
	/** Keys deleted (layer semantics 1), whether or not a lower layer has them. */
	keysTombstoned: number;
	/** Values the delta sets. */
	valuesSet: number;
	/** Tombstone values (names deleted). */
	valuesTombstoned: number;
	/** True when MAX_DELTA_SUMMARY_KEYS stopped the count. */
	truncated: boolean;
}

/**
 * Counts what `delta` adds, changes and tombstones relative to `lower` (the view below it, or
 * undefined when nothing is below). Pass-through keys (normal semantics, no values, present
 * below) are not counted. Keys past MAX_DELTA_SUMMARY_KEYS are not visited (`truncated`);
 * keys whose lists cannot be read are skipped. Throws only what `lower` / `delta` throw for the
 * root lists.
 */
export function summarizeDelta(lower: RegKey | undefined, delta: RegKey): DeltaSummary {
	const summary: DeltaSummary = {
		keysAdded: 0,
		keysChanged: 0,
		keysTombstoned: 0,
		valuesSet: 0,
		valuesTombstoned: 0,
		truncated: false
	};
	const pending: [RegKey | undefined, RegKey, number][] = [[lower, delta, 0]];
	let visited = 0;
	for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
		if (++visited > MAX_DELTA_SUMMARY_KEYS) {
			summary.truncated = true;
			break;
		}
		const [below, node, depth] = item;
		countNode(summary, below, node, depth);
		if (summary.valuesSet + summary.valuesTombstoned > MAX_DELTA_SUMMARY_VALUES) {
			summary.truncated = true;
			break;
		}
		if (node.layerSemantics === LayerSemantics.TOMBSTONE) continue;
		if (depth >= MAX_OVERLAY_DEPTH_LEVELS) continue;
		for (const pair of childPairs(below, node)) pending.push([pair[0], pair[1], depth + 1]);
	}
	return summary;
}

function countNode(
	summary: DeltaSummary,
	below: RegKey | undefined,
	node: RegKey,
	depth: number
): void {
	if (node.layerSemantics === LayerSemantics.TOMBSTONE) {
		summary.keysTombstoned++;
		return;
	}
	const values = safely(() => node.values()) ?? [];
	const tombstones = values.filter((value) => value.isTombstone).length;
	summary.valuesTombstoned += tombstones;
	summary.valuesSet += values.length - tombstones;
	if (depth === 0) return;
	if (below === undefined) summary.keysAdded++;
	else if (values.length > 0 || node.layerSemantics !== LayerSemantics.NORMAL) {
		summary.keysChanged++;
	}
}

/** Each delta subkey with the lower key of the same name (looked up once per level). */
function childPairs(below: RegKey | undefined, node: RegKey): [RegKey | undefined, RegKey][] {
	const children = safely(() => node.subkeys()) ?? [];
	if (children.length === 0) return [];
	const lowerByName = new Map<string, RegKey>();
	for (const key of (below && safely(() => below.subkeys())) ?? []) {
		lowerByName.set(foldName(key.name), key);
	}
	return children.map((child) => [lowerByName.get(foldName(child.name)), child]);
}

/** Runs a list read; a MullionError (a broken list) counts as an empty list. */
function safely<T>(read: () => T): T | undefined {
	try {
		return read();
	} catch (error) {
		if (isMullionError(error)) return undefined;
		throw error;
	}
}
