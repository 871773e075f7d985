/**
 * The effective SOFTWARE registry of a multi-layer image (layers-and-hives.md §1.4): start from
 * the base layer's `Files/Windows/System32/config/SOFTWARE`; for each later layer in order, a
 * full SOFTWARE replaces the view, a `Hives/Software_Delta` is layered over it
 * (`overlayKey`), and a whiteout of the hive path (or a folder above it) removes it.
 *
 * Layers are scanned from the top down and the scan stops at the highest layer that brings a
 * full hive (or whites it out): the layers below cannot change the result, so a multi-GB base
 * under an update layer with its own full hive is never read.
 */
import { MullionError, checkLimit, isMullionError } from '../errors';
import { scanLayer, type LayerProgress, type LayerScan } from '../archive/layer';
import type { ByteSource } from '../archive/source';
import { openHive, type Hive } from '../hive/hive';
import { overlayKey, summarizeDelta, MAX_OVERLAY_LAYERS } from '../hive/overlay';
import type { RegKey } from '../hive/types';
import type { LayerInfo } from '../report/types';
import type { Warning } from '../warnings';
import type { PlannedLayer } from './types';

/**
 * Most registry-hive bytes (SOFTWARE and Software_Delta) kept from the layers of one image while
 * its effective registry is composed (1 GiB). Each layer may hold up to MAX_HIVE_BYTES, so without
 * this a small crafted image of many layers each claiming a large delta kept gigabytes.
 */
export const MAX_IMAGE_HIVE_BYTES = 1024 * 1024 * 1024;

const HIVE_PATH_PARTS = ['files', 'windows', 'system32', 'config', 'software'];

/** The registry view an image yields, and what each layer did. */
export interface ImageRegistry {
	/** Root of the effective view; undefined when no layer gave a full hive. */
	root?: RegKey;
	/** The full hive the view starts from (its base block and tar path). */
	fullHive?: { hive: Hive; path: string; size: number; layerIndex: number };
	layers: LayerInfo[];
	warnings: Warning[];
	/** Tar entries walked, over all layers read. */
	entries: number;
	stoppedEarly: boolean;
}

export interface ImageRegistryOptions {
	onProgress?: (progress: LayerProgress) => void;
	signal?: AbortSignal;
	/** Scans already started, by source (loose layers are scanned first to order them). */
	scans?: Map<ByteSource, Promise<LayerScan>>;
	/** Overrides MAX_IMAGE_HIVE_BYTES (tests lower it). */
	maxHiveBytes?: number;
}

interface ReadLayer {
	index: number;
	planned: PlannedLayer;
	scan?: LayerScan;
	error?: string;
}

/**
 * Reads the layers of `plan` (base first) and builds the effective registry. A layer that
 * cannot be read (corrupt, not a Windows layer) becomes a warning and is skipped; CANCELLED
 * propagates. Throws the full hive's HIVE_* errors (the result would be meaningless without it)
 * and LIMIT_EXCEEDED past MAX_OVERLAY_LAYERS deltas or MAX_IMAGE_HIVE_BYTES of hives.
 */
export async function readImageRegistry(
	plan: readonly PlannedLayer[],
	options: ImageRegistryOptions = {}
): Promise<ImageRegistry> {
	const progress = progressOver(plan, options.onProgress);
	const cache = options.scans ?? new Map<ByteSource, Promise<LayerScan>>();
	const read: ReadLayer[] = [];
	let stopAt = -1;
	let hiveBytes = 0;
	const maxHiveBytes = options.maxHiveBytes ?? MAX_IMAGE_HIVE_BYTES;
	for (let index = plan.length - 1; index >= 0; index--) {
		const planned = plan[index] as PlannedLayer;
		const layer = await readLayer(index, planned, cache, progress, options.signal);
		hiveBytes += layer.scan ? layerHiveBytes(layer.scan) : 0;
		checkImageHiveBytes(hiveBytes, maxHiveBytes);
		read.unshift(layer);
		if (layer.scan && (hasFullHive(layer.scan) || whitesOutHive(layer.scan))) {
			stopAt = index;
			break;
		}
	}
	return compose(plan, read, stopAt);
}

/** The registry-hive bytes a layer scan holds (SOFTWARE and Software_Delta). */
export function layerHiveBytes(scan: LayerScan): number {
	return (scan.software?.bytes.length ?? 0) + (scan.softwareDelta?.bytes.length ?? 0);
}

/** Throws LIMIT_EXCEEDED when the hives kept from an image's layers pass the limit. */
export function checkImageHiveBytes(total: number, limit = MAX_IMAGE_HIVE_BYTES): void {
	if (total <= limit) return;
	throw new MullionError(
		'LIMIT_EXCEEDED',
		`The layers read so far hold ${total} bytes of registry hives, more than ` +
			`MAX_IMAGE_HIVE_BYTES (${limit}); a real image holds a few hundred MiB at most`
	);
}

async function readLayer(
	index: number,
	planned: PlannedLayer,
	cache: Map<ByteSource, Promise<LayerScan>>,
	progress: ProgressOver,
	signal: AbortSignal | undefined
): Promise<ReadLayer> {
	const source = planned.source;
	if (source === undefined) return { index, planned };
	let pending = cache.get(source);
	if (pending === undefined) {
		pending = scanLayer(source, { signal, onProgress: (done) => progress.report(index, done) });
		cache.set(source, pending);
	}
	try {
		return { index, planned, scan: await pending };
	} catch (error) {
		if (!isMullionError(error) || error.code === 'CANCELLED') throw error;
		return { index, planned, error: `${error.code}: ${error.message}` };
	}
}

function hasFullHive(scan: LayerScan): boolean {
	return scan.software !== undefined && scan.software.bytes.length > 0;
}

/** A whiteout of the SOFTWARE hive or of a folder above it (`.wh.<name>` in its parent). */
function whitesOutHive(scan: LayerScan): boolean {
	return scan.whiteouts.some((path) => {
		const parts = path
			.replaceAll('\\', '/')
			.replace(/^(\.?\/)+/, '')
			.toLowerCase()
			.split('/');
		const name = parts.pop() ?? '';
		const target = [...parts, name.slice('.wh.'.length)];
		return (
			target.length <= HIVE_PATH_PARTS.length &&
			target.every((part, at) => part === HIVE_PATH_PARTS[at])
		);
	});
}

/** Applies the read layers bottom-up. */
function compose(
	plan: readonly PlannedLayer[],
	read: readonly ReadLayer[],
	stopAt: number
): ImageRegistry {
	const result: ImageRegistry = { layers: [], warnings: [], entries: 0, stoppedEarly: false };
	const firstRead = read[0]?.index ?? plan.length;
	for (let index = 0; index < firstRead; index++) {
		result.layers.push(notRead(index, plan[index] as PlannedLayer, stopAt));
	}
	let base: RegKey | undefined;
	let deltas: RegKey[] = [];
	for (const layer of read) {
		const info = describe(layer);
		result.layers.push(info);
		const scan = layer.scan;
		if (scan === undefined) {
			if (layer.error) result.warnings.push(unreadable(layer));
			continue;
		}
		result.entries += scan.entries;
		result.stoppedEarly ||= scan.stoppedEarly;
		result.warnings.push(...scan.warnings.map((warning) => prefixed(layer.index, warning)));
		if (whitesOutHive(scan) && !hasFullHive(scan)) {
			base = undefined;
			deltas = [];
			result.fullHive = undefined;
			info.registry = 'whiteout';
			result.warnings.push({
				code: 'IMAGE_HIVE_WHITED_OUT',
				message: `Layer ${layer.index + 1} deletes the SOFTWARE hive (a whiteout): lower layers' registry is hidden`
			});
		}
		if (hasFullHive(scan)) {
			const software = scan.software!;
			const hive = openHive(software.bytes);
			result.warnings.push(...hive.warnings.map((warning) => prefixed(layer.index, warning)));
			base = hive.root();
			deltas = [];
			result.fullHive = {
				hive,
				path: software.path,
				size: software.bytes.length,
				layerIndex: layer.index
			};
			info.registry = 'full-hive';
		}
		if (scan.softwareDelta && scan.softwareDelta.bytes.length > 0) {
			applyDelta(layer, scan.softwareDelta.bytes, info, base, deltas, result.warnings);
		}
	}
	result.root = base && (deltas.length > 0 ? overlayKey(base, deltas) : base);
	return result;
}

function applyDelta(
	layer: ReadLayer,
	bytes: Uint8Array,
	info: LayerInfo,
	base: RegKey | undefined,
	deltas: RegKey[],
	warnings: Warning[]
): void {
	info.registry = info.registry === 'full-hive' ? 'full-hive+delta' : 'delta';
	info.deltaBytes = bytes.length;
	let root: RegKey;
	try {
		const hive = openHive(bytes);
		root = hive.root();
		warnings.push(...hive.warnings.map((warning) => prefixed(layer.index, warning)));
	} catch (error) {
		if (!isMullionError(error)) throw error;
		warnings.push({
			code: 'IMAGE_DELTA_UNREADABLE',
			message: `Layer ${layer.index + 1}: its Software_Delta cannot be opened (${error.message}); its registry changes are left out`
		});
		return;
	}
	if (base === undefined) {
		warnings.push({
			code: 'IMAGE_DELTA_WITHOUT_BASE',
			message: `Layer ${layer.index + 1} carries a Software_Delta, but no layer below gives a SOFTWARE hive to apply it to`
		});
		return;
	}
	checkLimit(deltas.length + 1, MAX_OVERLAY_LAYERS, 'MAX_OVERLAY_LAYERS');
	const lower = deltas.length > 0 ? overlayKey(base, deltas) : base;
	const summary = summarizeDelta(lower, root);
	info.delta = {
		keysAdded: summary.keysAdded,
		keysChanged: summary.keysChanged,
		keysTombstoned: summary.keysTombstoned,
		valuesSet: summary.valuesSet,
		valuesTombstoned: summary.valuesTombstoned,
		truncated: summary.truncated
	};
	deltas.push(root);
}

function describe(layer: ReadLayer): LayerInfo {
	const info = baseInfo(layer.index, layer.planned);
	if (layer.scan) {
		info.status = 'read';
		info.compression = layer.scan.compression;
		info.entries = layer.scan.entries;
		info.registry = 'none';
	} else {
		info.status = layer.error ? 'unreadable' : 'missing';
		if (layer.error) info.note = layer.error;
	}
	return info;
}

function notRead(index: number, planned: PlannedLayer, stopAt: number): LayerInfo {
	const info = baseInfo(index, planned);
	info.status = planned.source ? 'skipped' : 'missing';
	info.note = `Not needed: layer ${stopAt + 1} replaces the registry below it`;
	return info;
}

function baseInfo(index: number, planned: PlannedLayer): LayerInfo {
	const info: LayerInfo = {
		index,
		path: planned.path,
		size: planned.source?.size ?? planned.declaredSize ?? 0,
		status: 'missing',
		registry: 'not-read'
	};
	if (planned.digest) info.digest = planned.digest;
	if (planned.diffId) info.diffId = planned.diffId;
	if (planned.mediaType) info.mediaType = planned.mediaType;
	if (planned.foreign) info.foreign = true;
	return info;
}

function unreadable(layer: ReadLayer): Warning {
	return {
		code: 'IMAGE_LAYER_UNREADABLE',
		message: `Layer ${layer.index + 1} (${layer.planned.digest ?? layer.planned.path}) could not be read: ${layer.error}`
	};
}

function prefixed(index: number, warning: Warning): Warning {
	return { ...warning, message: `Layer ${index + 1}: ${warning.message}` };
}

/** Turns per-layer progress into progress over all present layers. */
interface ProgressOver {
	report(index: number, progress: LayerProgress): void;
}

function progressOver(
	plan: readonly PlannedLayer[],
	onProgress: ImageRegistryOptions['onProgress']
): ProgressOver {
	const sizes = plan.map((layer) => layer.source?.size ?? 0);
	const done = sizes.map(() => 0);
	const bytesTotal = sizes.reduce((sum, size) => sum + size, 0);
	let entries = 0;
	return {
		report(index, progress) {
			done[index] = progress.bytesDone;
			entries = Math.max(entries, progress.entries);
			const bytesDone = done.reduce((sum, bytes) => sum + bytes, 0);
			onProgress?.({ bytesDone, bytesTotal, entries });
		}
	};
}
