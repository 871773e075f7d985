/**
 * Tells what was dropped (layers-and-hives.md §2): one layer tar (plain, gzip or zstd); one saved
 * image tar (legacy or Docker ≥25 `docker save`, OCI archive); several files making up a skopeo
 * `dir:` copy or an OCI layout folder; or several loose layer files. Only the small JSON files
 * are read here; layers stay ranges of the input.
 */
import { MullionError, isMullionError } from '../errors';
import { FORMAT_SNIFF_BYTES, detectFormat } from '../archive/compression';
import { openTar } from '../archive/layer';
import type { Warning } from '../warnings';
import { resolveDockerManifest } from './docker-save';
import {
	digestParts,
	droppedFiles,
	probeImageTar,
	type ImageEntry,
	type ImageFiles
} from './files';
import { asObject, readJson } from './json';
import { resolveDocument, type BlobLookup, type ResolvedManifest } from './oci';
import type { DroppedFile, ImageFormat, ImagePlan, PlannedLayer } from './types';

/** The `version` file of a skopeo `dir:` copy starts with this (containers/image). */
const SKOPEO_VERSION_PREFIX = 'Directory Transport Version:';
/** Files of a saved image that are never layers or configs (no "unlisted" warning for them). */
const BOOKKEEPING_FILE =
	/^(manifest\.json|index\.json|oci-layout|repositories|version|signature-\d+|[a-f0-9]{64}\.manifest\.json)$/;

/** What the input is. */
export type DetectedInput =
	| { kind: 'layer'; file: DroppedFile }
	| { kind: 'loose-layers'; files: DroppedFile[] }
	| { kind: 'image'; plan: ImagePlan };

export interface DetectOptions {
	signal?: AbortSignal;
}

/**
 * Detects the shape of `files` and, for an image, resolves it to a layer plan (base first).
 * Throws NOT_AN_ARCHIVE for no files, LINUX_LAYER for an image of another OS, UNSUPPORTED for
 * malformed image JSON or a needed manifest that is absent, and what the tar reader throws.
 */
export async function detectInput(
	files: readonly DroppedFile[],
	options: DetectOptions = {}
): Promise<DetectedInput> {
	const [first] = files;
	if (first === undefined) throw new MullionError('NOT_AN_ARCHIVE', 'No file was given');
	if (files.length === 1) return detectSingle(first, options);
	const warnings: Warning[] = [];
	const table = droppedFiles(files, (name) =>
		warnings.push({
			code: 'IMAGE_DUPLICATE_FILE',
			message: `${name} was dropped twice; the first is used`
		})
	);
	if (table.get('manifest.json') === undefined && table.get('index.json') === undefined) {
		return { kind: 'loose-layers', files: [...files] };
	}
	const plan = await planFromFolder(table, warnings);
	warnUnlisted(table, plan.warnings);
	return { kind: 'image', plan: finishPlan(plan) };
}

async function detectSingle(file: DroppedFile, options: DetectOptions): Promise<DetectedInput> {
	if (detectFormat(await file.source.read(0, FORMAT_SNIFF_BYTES)) !== 'tar') {
		return { kind: 'layer', file };
	}
	const tar = await openTar(file.source, { signal: options.signal });
	let probe;
	try {
		probe = await probeImageTar(file.source, tar);
	} finally {
		await tar.close();
	}
	if (probe.kind === 'layer') return { kind: 'layer', file };
	const plan = await planFromArchive(probe.files, [...tar.warnings]);
	return { kind: 'image', plan: finishPlan(plan) };
}

/** An image tar: index.json first (Docker ≥25, OCI archive), else manifest.json. */
async function planFromArchive(files: ImageFiles, warnings: Warning[]): Promise<ImagePlan> {
	const manifest = files.get('manifest.json');
	const format: ImageFormat = manifest ? 'docker-save' : 'oci-archive';
	const index = files.get('index.json');
	if (index !== undefined) {
		try {
			return fromResolved(
				format,
				await resolveIndexFile(index, blobLookup(files), warnings),
				warnings
			);
		} catch (error) {
			if (manifest === undefined || !isMullionError(error) || error.code === 'LINUX_LAYER') {
				throw error;
			}
			warnings.push({
				code: 'IMAGE_INDEX_UNREADABLE',
				message: `index.json could not be followed (${error.message}); read manifest.json instead`
			});
		}
	}
	if (manifest === undefined) throw new MullionError('UNSUPPORTED', 'The image has no manifest');
	const json = await readJson(manifest.source, 'manifest.json');
	return fromResolved(format, await resolveDockerManifest(json, files, warnings), warnings);
}

/** Several dropped files: skopeo `dir:` (manifest.json object), OCI layout, or docker-save. */
async function planFromFolder(files: ImageFiles, warnings: Warning[]): Promise<ImagePlan> {
	const manifest = files.get('manifest.json');
	if (manifest !== undefined) {
		const json = await readJson(manifest.source, 'manifest.json');
		if (Array.isArray(json)) {
			return fromResolved(
				'docker-save',
				await resolveDockerManifest(json, files, warnings),
				warnings
			);
		}
		await checkSkopeoVersion(files, warnings);
		const lookup = skopeoLookup(files);
		const resolved = await resolveDocument(
			asObject(json, 'manifest.json'),
			'manifest.json',
			lookup,
			warnings
		);
		return fromResolved('skopeo-dir', resolved, warnings);
	}
	const index = files.get('index.json') as ImageEntry;
	return fromResolved(
		'oci-layout',
		await resolveIndexFile(index, blobLookup(files), warnings),
		warnings
	);
}

async function resolveIndexFile(
	index: ImageEntry,
	lookup: BlobLookup,
	warnings: Warning[]
): Promise<ResolvedManifest> {
	const json = asObject(await readJson(index.source, 'index.json'), 'index.json');
	return resolveDocument(json, 'index.json', lookup, warnings);
}

function blobLookup(files: ImageFiles): BlobLookup {
	return (digest) => used(files, files.blob(digest));
}

/** skopeo names blobs by bare hex; per-instance manifests of a list as `<hex>.manifest.json`. */
function skopeoLookup(files: ImageFiles): BlobLookup {
	return (digest, role) => {
		const hex = digestParts(digest)?.hex;
		const instance = role === 'manifest' && hex ? files.get(`${hex}.manifest.json`) : undefined;
		return used(files, instance ?? files.blob(digest));
	};
}

function used(files: ImageFiles, entry: ImageEntry | undefined): ImageEntry | undefined {
	if (entry) files.use(entry);
	return entry;
}

async function checkSkopeoVersion(files: ImageFiles, warnings: Warning[]): Promise<void> {
	const version = files.get('version');
	const text = version ? new TextDecoder().decode(await version.source.read(0, 256)) : '';
	if (text.startsWith(SKOPEO_VERSION_PREFIX)) return;
	warnings.push({
		code: 'IMAGE_NO_SKOPEO_VERSION',
		message: version
			? `The version file does not start with "${SKOPEO_VERSION_PREFIX}"`
			: 'No version file: read manifest.json as a skopeo dir: copy anyway'
	});
}

function fromResolved(
	format: ImageFormat,
	resolved: ResolvedManifest,
	warnings: Warning[]
): ImagePlan {
	return {
		format,
		platform: resolved.platform,
		platformNote: resolved.platformNote,
		config: resolved.config,
		layers: resolved.layers,
		warnings
	};
}

function warnUnlisted(files: ImageFiles, warnings: Warning[]): void {
	for (const path of files.unused()) {
		const name = path.replaceAll('\\', '/').split('/').at(-1)?.toLowerCase() ?? '';
		if (BOOKKEEPING_FILE.test(name)) continue;
		warnings.push({
			code: 'IMAGE_FILE_UNLISTED',
			message: `${path} is not named by the image's manifest; it was not read`
		});
	}
}

/**
 * Final checks on a plan: an image whose config names another OS is refused (LINUX_LAYER);
 * a layer listed twice and a layer whose blob is absent are warned about.
 */
function finishPlan(plan: ImagePlan): ImagePlan {
	const os = plan.config?.os;
	if (os !== undefined && os.toLowerCase() !== 'windows') {
		throw new MullionError(
			'LINUX_LAYER',
			`This saved image is a ${plan.platform ?? os} image (config os = ${os}), not a Windows image`
		);
	}
	warnDuplicates(plan.layers, plan.warnings);
	for (const layer of plan.layers) {
		if (layer.source !== undefined) continue;
		plan.warnings.push({ code: 'IMAGE_LAYER_MISSING', message: missingMessage(layer) });
	}
	return plan;
}

function missingMessage(layer: PlannedLayer): string {
	const base = `Layer ${layer.digest ?? layer.path} is named by the manifest but not in the input`;
	return layer.foreign
		? `${base} (a foreign layer: registries and exports often leave it out)`
		: base;
}

function warnDuplicates(layers: readonly PlannedLayer[], warnings: Warning[]): void {
	const seen = new Set<string>();
	for (const layer of layers) {
		const key = (layer.digest ?? layer.path).toLowerCase();
		if (seen.has(key)) {
			warnings.push({
				code: 'IMAGE_LAYER_LISTED_TWICE',
				message: `Layer ${layer.digest ?? layer.path} is listed more than once; it is applied at each place`
			});
		}
		seen.add(key);
	}
}
