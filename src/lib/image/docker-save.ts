/**
 * `docker save` manifest.json (Docker image spec v1.2, layers-and-hives.md §2.1–2.2): an array of
 * `{ Config, RepoTags, Layers, LayerSources }`. Layers are paths in the archive (`<id>/layer.tar`,
 * with `\` when written on Windows; `blobs/sha256/<hex>` since Docker 25); LayerSources maps a
 * diff_id to the original (often foreign) registry descriptor.
 */
import { MullionError, checkLimit } from '../errors';
import type { Warning } from '../warnings';
import { MAX_IMAGE_LAYERS, parseImageConfig, platformLabel } from './config';
import { digestParts, normalisePath, type ImageFiles } from './files';
import { asArray, asObject, objectField, readJson, stringField, type JsonObject } from './json';
import { isForeign, parseDescriptor, type ResolvedManifest } from './oci';
import type { ImageConfig, PlannedLayer } from './types';

/** Most images one manifest.json may list, in images. */
export const MAX_SAVED_IMAGES = 256;

/**
 * Resolves a docker-save manifest.json. With several images, the first whose config says
 * `os == windows` is read (with a warning). A missing config is a warning; a missing layer file
 * a layer without source. Throws UNSUPPORTED for a malformed manifest, LINUX_LAYER when every
 * image's config names another OS.
 */
export async function resolveDockerManifest(
	json: unknown,
	files: ImageFiles,
	warnings: Warning[]
): Promise<ResolvedManifest> {
	const images = asArray(json, 'manifest.json', MAX_SAVED_IMAGES, 'MAX_SAVED_IMAGES').map(
		(value, index) => asObject(value, `manifest.json[${index}]`)
	);
	if (images.length === 0) throw new MullionError('UNSUPPORTED', 'manifest.json lists no image');
	// Images that name one config file share one read of it (256 images × an 8 MiB config
	// were 2.4 GB read at once); they are read one after another.
	const byPath = new Map<string | undefined, ImageConfig | undefined>();
	const configs: (ImageConfig | undefined)[] = [];
	for (const image of images) {
		const path = stringField(image, 'Config');
		if (!byPath.has(path)) byPath.set(path, await readConfig(image, files, warnings));
		configs.push(byPath.get(path));
	}
	let chosen = configs.findIndex((config) => config?.os?.toLowerCase() === 'windows');
	if (chosen < 0) chosen = 0;
	if (images.length > 1) {
		warnings.push({
			code: 'IMAGE_SEVERAL_IMAGES',
			message: `manifest.json lists ${images.length} images; read image ${chosen + 1} (${tagsOf(images[chosen]!)})`
		});
	}
	const config = configs[chosen];
	return {
		config,
		layers: layersOf(images[chosen]!, config, files),
		platform: config && platformLabel(config.os, config.architecture, config.osVersion)
	};
}

async function readConfig(
	image: JsonObject,
	files: ImageFiles,
	warnings: Warning[]
): Promise<ImageConfig | undefined> {
	const path = stringField(image, 'Config');
	const entry = path === undefined ? undefined : files.get(path);
	if (entry === undefined) {
		warnings.push({
			code: 'IMAGE_CONFIG_MISSING',
			message: `manifest.json names config ${path ?? '(none)'}, which is not in the input`
		});
		return undefined;
	}
	files.use(entry);
	return parseImageConfig(await readJson(entry.source, entry.path), entry.path);
}

function tagsOf(image: JsonObject): string {
	const tags = Array.isArray(image['RepoTags']) ? image['RepoTags'] : [];
	const text = tags.filter((tag): tag is string => typeof tag === 'string').join(', ');
	return text === '' ? 'untagged' : text;
}

function layersOf(
	image: JsonObject,
	config: ImageConfig | undefined,
	files: ImageFiles
): PlannedLayer[] {
	const paths = asArray(
		image['Layers'],
		'manifest.json Layers',
		MAX_IMAGE_LAYERS,
		'MAX_IMAGE_LAYERS'
	);
	const sources = objectField(image, 'LayerSources') ?? {};
	checkLimit(Object.keys(sources).length, MAX_IMAGE_LAYERS, 'MAX_IMAGE_LAYERS');
	return paths.map((value, index) => {
		if (typeof value !== 'string') {
			throw new MullionError('UNSUPPORTED', `manifest.json Layers[${index}] is not a path`);
		}
		const diffId = config?.diffIds[index];
		const descriptor = diffId === undefined ? undefined : sources[diffId];
		const original =
			descriptor === undefined ? undefined : parseDescriptor(descriptor, `LayerSources ${diffId}`);
		const entry = files.get(value);
		if (entry) files.use(entry);
		return {
			digest: blobDigest(value) ?? original?.digest,
			diffId,
			path: value.replaceAll('\\', '/'),
			mediaType: original?.mediaType,
			declaredSize: original?.size,
			foreign: original ? isForeign(original) : undefined,
			source: entry?.source
		};
	});
}

/** `blobs/sha256/<hex>` → `sha256:<hex>` (Docker 25 layouts). */
function blobDigest(path: string): string | undefined {
	const match = /^blobs\/([a-z0-9]+)\/([a-f0-9]{32,})$/.exec(normalisePath(path));
	if (!match) return undefined;
	const digest = `${match[1]}:${match[2]}`;
	return digestParts(digest) ? digest : undefined;
}
