/**
 * The whole pipeline below the worker; it runs the same in the browser and in Node. One layer:
 * find the SOFTWARE hive in the tar, open it, read the Windows facts (`scanSource`). Anything
 * else dropped (a saved image, a skopeo `dir:` copy, several layers): resolve the layers, build
 * the effective registry over them and cross-check it against the image config (`scanFiles`).
 */
import type { DecompressOptions } from './archive/compression';
import type { ByteSource } from './archive/source';
import { scanLayer, type LayerScan } from './archive/layer';
import { MullionError, isMullionError } from './errors';
import { openHive } from './hive/hive';
import type { RegKey } from './hive/types';
import { readWindowsFacts } from './windows/facts';
import { productFamily } from './windows/family';
import { productForImage } from './msrc/products';
import { withoutUndefined } from './windows/plain';
import type { WindowsFacts } from './windows/types';
import {
	SCAN_RESULT_FORMAT,
	type HiveSummary,
	type ImageSummary,
	type ScanResult
} from './report/types';
import type { Warning } from './warnings';
import { detectInput } from './image/detect';
import { configVersion } from './image/config';
import {
	checkImageHiveBytes,
	layerHiveBytes,
	readImageRegistry,
	type ImageRegistry
} from './image/registry';
import type { DroppedFile, ImagePlan, PlannedLayer } from './image/types';

export interface ScanProgress {
	bytesDone: number;
	bytesTotal: number;
	entries: number;
}

export interface ScanOptions {
	/** Display name of the input. */
	name: string;
	onProgress?: (progress: ScanProgress) => void;
	signal?: AbortSignal;
	/** Clock for `scannedAt` (tests). */
	now?: () => Date;
	/**
	 * The native gzip decoder, or `null` for fflate alone (see DecompressOptions). Browsers want
	 * the default; on Node fflate is faster than its DecompressionStream.
	 */
	nativeGunzip?: DecompressOptions['nativeGunzip'];
}

const FULL_VERSION = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

/**
 * Scans a layer tar (plain, gzip or zstd) and returns what it says about Windows.
 * Throws MullionError: NOT_AN_ARCHIVE, LINUX_LAYER, NO_SOFTWARE_HIVE, TAR_*, GZIP_*, HIVE_*, …
 */
export async function scanSource(source: ByteSource, options: ScanOptions): Promise<ScanResult> {
	const layer = await scanLayer(source, {
		onProgress: options.onProgress,
		signal: options.signal,
		nativeGunzip: options.nativeGunzip
	});
	const software = requireSoftwareHive(layer);
	const hive = openHive(software.bytes);
	const { facts, warnings: factWarnings } = readWindowsFacts(hive.root());
	const base = hive.baseBlock;
	const warnings: Warning[] = [...layer.warnings, ...hive.warnings, ...factWarnings];
	return {
		format: SCAN_RESULT_FORMAT,
		scannedAt: (options.now?.() ?? new Date()).toISOString(),
		input: { name: options.name, size: source.size, compression: layer.compression },
		entries: layer.entries,
		stoppedEarly: layer.stoppedEarly,
		hive: {
			path: software.path,
			size: software.bytes.length,
			version: `${base.majorVersion}.${base.minorVersion}`,
			lastWritten: filetimeToIso(base.lastWritten),
			dirty: base.primarySequenceNumber !== base.secondarySequenceNumber
		},
		facts,
		warnings
	};
}

/**
 * Scans whatever was dropped: one layer (as `scanSource`), one saved image tar (docker save,
 * Docker ≥25 docker save, OCI archive), several files of a skopeo `dir:` copy or OCI layout,
 * or several loose layers. For images the result carries `image` (format, platform, config,
 * layers, cross-check). When no layer gives a SOFTWARE hive (e.g. the foreign base layer was
 * left out) the build comes from the config's os.version / history, with an
 * IMAGE_BUILD_FROM_CONFIG warning; when the config says nothing either, NO_SOFTWARE_HIVE.
 * Throws what `scanSource` throws, plus LINUX_LAYER for an image of another OS and UNSUPPORTED
 * for malformed image JSON.
 */
export async function scanFiles(
	files: readonly DroppedFile[],
	options: ScanOptions
): Promise<ScanResult> {
	const detected = await detectInput(files, { signal: options.signal });
	if (detected.kind === 'layer') return scanSource(detected.file.source, options);
	if (detected.kind === 'image') return scanPlan(detected.plan, files, options, undefined);
	const loose = await planLooseLayers(detected.files, options);
	return scanPlan(loose.plan, files, options, loose.scans);
}

async function scanPlan(
	plan: ImagePlan,
	files: readonly DroppedFile[],
	options: ScanOptions,
	scans: Map<ByteSource, Promise<LayerScan>> | undefined
): Promise<ScanResult> {
	const registry = await readImageRegistry(plan.layers, {
		onProgress: options.onProgress,
		signal: options.signal,
		scans
	});
	const warnings: Warning[] = [...plan.warnings, ...registry.warnings];
	const expected = configVersion(plan.config);
	const read = registry.root
		? readFacts(registry.root, warnings)
		: factsFromConfig(plan, registry, expected, warnings);
	const image = imageSummary(
		plan,
		registry,
		expected,
		read.facts.version,
		registry.root !== undefined
	);
	if (image.crossCheck === 'mismatch') warnings.push(mismatchWarning(read.facts.version, plan));
	return {
		format: SCAN_RESULT_FORMAT,
		scannedAt: (options.now?.() ?? new Date()).toISOString(),
		input: inputSummary(files, options.name),
		entries: registry.entries,
		stoppedEarly: registry.stoppedEarly,
		hive: hiveSummary(registry),
		facts: read.facts,
		warnings,
		image
	};
}

function readFacts(root: RegKey, warnings: Warning[]): { facts: WindowsFacts } {
	const { facts, warnings: factWarnings } = readWindowsFacts(root);
	warnings.push(...factWarnings);
	return { facts };
}

/** No registry: the build from the config, or NO_SOFTWARE_HIVE / LINUX_LAYER when it is silent. */
function factsFromConfig(
	plan: ImagePlan,
	registry: ImageRegistry,
	expected: string | undefined,
	warnings: Warning[]
): { facts: WindowsFacts } {
	const match = expected === undefined ? null : FULL_VERSION.exec(expected);
	if (!match) throw noRegistryError(plan, registry);
	const [major, minor, build, ubr] = match.slice(1).map(Number) as [number, number, number, number];
	warnings.push({
		code: 'IMAGE_BUILD_FROM_CONFIG',
		message:
			`No layer with a SOFTWARE hive could be read (${absentLayers(registry)}), so the build ` +
			`${expected} comes from the image config (os.version / history), not from the registry. ` +
			'Installation type, updates and programs are unknown; the MSRC product is a guess.'
	});
	const facts: WindowsFacts = {
		version: `${major}.${minor}.${build}.${ubr}`,
		major,
		minor,
		build,
		ubr,
		family: productFamily(build, undefined),
		msrcProduct: productForImage(build, undefined),
		packages: [],
		dotnet: [],
		programs: []
	};
	return { facts: withoutUndefined(facts) };
}

function absentLayers(registry: ImageRegistry): string {
	const missing = registry.layers.filter((layer) => layer.status === 'missing').length;
	const unreadable = registry.layers.filter((layer) => layer.status === 'unreadable').length;
	const parts = [];
	if (missing > 0) parts.push(`${missing} layer${missing === 1 ? '' : 's'} missing from the input`);
	if (unreadable > 0) parts.push(`${unreadable} unreadable`);
	return parts.length > 0 ? parts.join(', ') : 'no layer carries one';
}

function noRegistryError(plan: ImagePlan, registry: ImageRegistry): MullionError {
	const notes = registry.layers.map((layer) => layer.note ?? '');
	const read = registry.layers.filter((layer) => layer.status !== 'missing');
	if (read.length > 0 && notes.every((note) => note.startsWith('LINUX_LAYER'))) {
		return new MullionError(
			'LINUX_LAYER',
			`No layer of this ${plan.format} image is a Windows layer (${notes[0]})`
		);
	}
	return new MullionError(
		'NO_SOFTWARE_HIVE',
		`No layer of this ${plan.format} image gives a SOFTWARE hive (${absentLayers(registry)}), ` +
			'and its config names no Windows version to fall back on'
	);
}

function imageSummary(
	plan: ImagePlan,
	registry: ImageRegistry,
	expected: string | undefined,
	version: string,
	fromRegistry: boolean
): ImageSummary {
	const summary: ImageSummary = {
		format: plan.format,
		layers: registry.layers,
		buildSource: fromRegistry ? 'registry' : 'config',
		crossCheck:
			!fromRegistry || expected === undefined
				? 'unavailable'
				: version === expected
					? 'match'
					: 'mismatch'
	};
	if (plan.platform) summary.platform = plan.platform;
	if (plan.platformNote) summary.platformNote = plan.platformNote;
	if (plan.config?.osVersion) summary.osVersion = plan.config.osVersion;
	if (plan.config && plan.config.history.length > 0) summary.history = plan.config.history;
	if (expected) summary.configVersion = expected;
	return summary;
}

function mismatchWarning(version: string, plan: ImagePlan): Warning {
	const config = plan.config;
	const claims = config?.osVersion
		? `os.version ${config.osVersion}`
		: `history "${config?.history.filter(Boolean).at(-1) ?? ''}"`;
	return {
		code: 'IMAGE_VERSION_MISMATCH',
		message: `The registry says ${version}, but the image config says ${claims}; the registry is reported`
	};
}

function hiveSummary(registry: ImageRegistry): HiveSummary {
	const full = registry.fullHive;
	if (full === undefined) {
		return { path: '(none: no SOFTWARE hive read)', size: 0, version: '–', dirty: false };
	}
	const base = full.hive.baseBlock;
	const deltas = registry.layers.filter((layer) => layer.index > full.layerIndex && layer.delta);
	const suffix = deltas.length > 0 ? ` + ${deltas.length} Software_Delta` : '';
	return withoutUndefined({
		path: `layer ${full.layerIndex + 1}: ${full.path}${suffix}`,
		size: full.size,
		version: `${base.majorVersion}.${base.minorVersion}`,
		lastWritten: filetimeToIso(base.lastWritten),
		dirty: base.primarySequenceNumber !== base.secondarySequenceNumber
	});
}

function inputSummary(files: readonly DroppedFile[], name: string): ScanResult['input'] {
	const size = files.reduce((sum, file) => sum + file.source.size, 0);
	const others = files.length - 1;
	const shown = others > 0 ? `${name} and ${others} other file${others === 1 ? '' : 's'}` : name;
	return { name: shown, size, compression: 'none' };
}

/**
 * Loose layers (several files, no manifest): each is scanned, the layers with a full SOFTWARE
 * hive go first, then the others in the order dropped, with an IMAGE_LAYER_ORDER_GUESSED warning.
 */
async function planLooseLayers(
	files: readonly DroppedFile[],
	options: ScanOptions
): Promise<{ plan: ImagePlan; scans: Map<ByteSource, Promise<LayerScan>> }> {
	const scans = new Map<ByteSource, Promise<LayerScan>>();
	const withHive: PlannedLayer[] = [];
	const others: PlannedLayer[] = [];
	let hiveBytes = 0;
	for (const file of files) {
		const pending = scanLayer(file.source, { signal: options.signal });
		scans.set(file.source, pending);
		const scan = await pending.catch((error: unknown) => {
			if (isMullionError(error) && error.code !== 'CANCELLED') return undefined;
			throw error;
		});
		hiveBytes += scan ? layerHiveBytes(scan) : 0;
		checkImageHiveBytes(hiveBytes);
		const planned = { path: file.name, source: file.source };
		if (scan?.software && scan.software.bytes.length > 0) withHive.push(planned);
		else others.push(planned);
	}
	const warnings: Warning[] = [
		{
			code: 'IMAGE_LAYER_ORDER_GUESSED',
			message:
				`${files.length} files were dropped without a manifest: read as layers, ` +
				'those with a full SOFTWARE hive first, then the others in the order dropped'
		}
	];
	return { plan: { format: 'layer', layers: [...withHive, ...others], warnings }, scans };
}

function requireSoftwareHive(layer: LayerScan): { path: string; bytes: Uint8Array } {
	if (layer.software && layer.software.bytes.length > 0) return layer.software;
	if (layer.software) {
		throw new MullionError(
			'NO_SOFTWARE_HIVE',
			`${layer.software.path} is empty (0 bytes): this layer has no registry to read`
		);
	}
	if (layer.softwareDelta) {
		throw new MullionError(
			'NO_SOFTWARE_HIVE',
			'This is a non-base layer: it carries registry changes (Hives/Software_Delta) but no ' +
				'SOFTWARE hive. Drop the base layer, or the whole saved image.'
		);
	}
	// The entry is there but cannot be read as a hive (a link into another layer, a symlink…):
	// say that, rather than that there is none.
	const unreadable = layer.warnings.find(
		(warning) => warning.code === 'HIVE_LINK_UNRESOLVED' || warning.code === 'HIVE_NOT_A_FILE'
	);
	if (unreadable) {
		throw new MullionError(
			'NO_SOFTWARE_HIVE',
			`The SOFTWARE hive cannot be read: ${unreadable.message}`
		);
	}
	throw new MullionError(
		'NO_SOFTWARE_HIVE',
		'This Windows layer has no Files/Windows/System32/config/SOFTWARE hive ' +
			'(a layer added on top of a base image?). Drop the base layer, or the whole saved image.'
	);
}

/** FILETIME (100 ns ticks since 1601) → ISO 8601, or undefined when zero or out of range. */
export function filetimeToIso(filetime: bigint): string | undefined {
	const unixMs = Number(filetime / 10_000n) - 11_644_473_600_000;
	if (filetime === 0n || !Number.isFinite(unixMs) || Math.abs(unixMs) > 8.64e15) return undefined;
	return new Date(unixMs).toISOString();
}
