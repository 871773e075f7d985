/**
 * OCI image index / image manifest resolution (opencontainers image-spec image-index.md,
 * manifest.md; Docker manifest list v2 and schema 2 are read the same way). From an index,
 * nested indexes are followed and the `os == windows` manifest is chosen
 * (layers-and-hives.md §2.2–2.4); the manifest then gives the config and the layers.
 */
import { MullionError, checkLimit } from '../errors';
import type { Warning } from '../warnings';
import { MAX_IMAGE_LAYERS, parseImageConfig, platformLabel } from './config';
import type { ImageEntry, ImageFiles } from './files';
import {
	asArray,
	asObject,
	objectField,
	readJson,
	sizeField,
	stringField,
	type JsonObject
} from './json';
import type { ImageConfig, PlannedLayer } from './types';

/** Deepest chain of nested indexes followed, in levels. */
export const MAX_INDEX_DEPTH_LEVELS = 4;
/** Most manifests one index may list, in descriptors. */
export const MAX_INDEX_MANIFESTS = 1024;

/** A content descriptor (mediaType, digest, size, urls, platform). */
export interface Descriptor {
	mediaType?: string;
	digest: string;
	size?: number;
	urls: string[];
	platform?: { os?: string; architecture?: string; osVersion?: string };
	/** Docker's attestation manifests carry `vnd.docker.reference.type`. */
	referenceType?: string;
}

/** What a manifest resolves to. */
export interface ResolvedManifest {
	config?: ImageConfig;
	layers: PlannedLayer[];
	platform?: string;
	platformNote?: string;
}

/** How to find a blob (and, for skopeo's per-instance manifests, `<hex>.manifest.json`). */
export type BlobLookup = (
	digest: string,
	role: 'manifest' | 'config' | 'layer'
) => ImageEntry | undefined;

/** Parses one descriptor; UNSUPPORTED when it has no digest. */
export function parseDescriptor(value: unknown, what: string): Descriptor {
	const object = asObject(value, what);
	const digest = stringField(object, 'digest');
	if (digest === undefined) throw new MullionError('UNSUPPORTED', `${what} has no digest`);
	const platform = objectField(object, 'platform');
	const annotations = objectField(object, 'annotations');
	return {
		mediaType: stringField(object, 'mediaType'),
		digest,
		size: sizeField(object, 'size'),
		urls: asArray(object['urls'], `${what} urls`, 64, 'MAX_DESCRIPTOR_URLS').filter(
			(url): url is string => typeof url === 'string'
		),
		platform: platform && {
			os: stringField(platform, 'os')?.trim(),
			architecture: stringField(platform, 'architecture'),
			osVersion: stringField(platform, 'os.version')
		},
		referenceType: annotations && stringField(annotations, 'vnd.docker.reference.type')
	};
}

/** True for a document that lists manifests (an index or manifest list). */
export function isIndexDocument(document: JsonObject): boolean {
	return Array.isArray(document['manifests']);
}

/**
 * Resolves an index or a manifest document down to layers. Indexes: nested ones are followed
 * (MAX_INDEX_DEPTH_LEVELS) and the Windows manifest is chosen. Throws LINUX_LAYER when the
 * index offers platforms but none is Windows, UNSUPPORTED when a needed manifest blob is absent
 * or malformed. A missing config or layer blob is not fatal: it becomes a warning / a layer
 * without a source.
 */
export async function resolveDocument(
	document: JsonObject,
	what: string,
	lookup: BlobLookup,
	warnings: Warning[],
	depth = 0
): Promise<ResolvedManifest> {
	if (!isIndexDocument(document)) return resolveManifest(document, what, lookup, warnings);
	checkLimit(depth + 1, MAX_INDEX_DEPTH_LEVELS, 'MAX_INDEX_DEPTH_LEVELS');
	const descriptors = asArray(
		document['manifests'],
		`${what} manifests`,
		MAX_INDEX_MANIFESTS,
		'MAX_INDEX_MANIFESTS'
	).map((value, index) => parseDescriptor(value, `${what} manifests[${index}]`));
	const { chosen, note } = choosePlatform(descriptors, what);
	const entry = lookup(chosen.digest, 'manifest');
	if (entry === undefined) {
		throw new MullionError(
			'UNSUPPORTED',
			`${what} names manifest ${chosen.digest}, which is not in the input`
		);
	}
	const child = asObject(await readJson(entry.source, entry.path), entry.path);
	const resolved = await resolveDocument(child, entry.path, lookup, warnings, depth + 1);
	const platform = chosen.platform
		? platformLabel(chosen.platform.os, chosen.platform.architecture, chosen.platform.osVersion)
		: resolved.platform;
	return { ...resolved, platform, platformNote: note ?? resolved.platformNote };
}

const INDEX_MEDIA_TYPES = new Set([
	'application/vnd.oci.image.index.v1+json',
	'application/vnd.docker.distribution.manifest.list.v2+json'
]);

/**
 * Chooses the descriptor to follow: among those with a platform, the Windows ones (amd64 first);
 * nested indexes without a platform are followed as they are. Throws LINUX_LAYER naming the
 * platforms when none is Windows.
 */
export function choosePlatform(
	descriptors: readonly Descriptor[],
	what: string
): { chosen: Descriptor; note?: string } {
	const usable = descriptors.filter(
		(item) => item.referenceType === undefined && item.platform?.os !== 'unknown'
	);
	const withPlatform = usable.filter((item) => item.platform?.os !== undefined);
	const windows = withPlatform.filter((item) => item.platform?.os?.toLowerCase() === 'windows');
	const offered = withPlatform.map((item) =>
		platformLabel(item.platform?.os, item.platform?.architecture, item.platform?.osVersion)
	);
	if (windows.length > 0) {
		const chosen = windows.find((item) => item.platform?.architecture === 'amd64') ?? windows[0]!;
		const label = platformLabel(
			chosen.platform?.os,
			chosen.platform?.architecture,
			chosen.platform?.osVersion
		);
		const note =
			withPlatform.length > 1 ? `${what} lists ${offered.join(', ')}; chose ${label}` : undefined;
		return { chosen, note };
	}
	// A nested index without a platform of its own may hold the Windows manifest: look there
	// before calling the image non-Windows.
	const unlabelledIndex = usable.find(
		(item) => isIndexDescriptor(item) && item.platform?.os === undefined
	);
	if (unlabelledIndex && withPlatform.length > 0) {
		return {
			chosen: unlabelledIndex,
			note: `${what} lists ${offered.join(', ')} and a nested index; read the nested index`
		};
	}
	if (
		withPlatform.length > 0 &&
		withPlatform.length === usable.filter((item) => !isIndexDescriptor(item)).length
	) {
		throw new MullionError(
			'LINUX_LAYER',
			`This image has no Windows platform (${what} lists ${offered.join(', ')}): it is not a Windows image`
		);
	}
	const first = usable.find((item) => item.platform?.os === undefined) ?? usable[0];
	if (first === undefined) throw new MullionError('UNSUPPORTED', `${what} lists no image manifest`);
	const note =
		usable.length > 1
			? `${what} lists ${usable.length} manifests without a platform; read the first`
			: undefined;
	return { chosen: first, note };
}

function isIndexDescriptor(descriptor: Descriptor): boolean {
	return descriptor.mediaType !== undefined && INDEX_MEDIA_TYPES.has(descriptor.mediaType);
}

/** Image manifest → config + layers (base first). */
async function resolveManifest(
	document: JsonObject,
	what: string,
	lookup: BlobLookup,
	warnings: Warning[]
): Promise<ResolvedManifest> {
	const configDescriptor =
		document['config'] === undefined
			? undefined
			: parseDescriptor(document['config'], `${what} config`);
	if (document['layers'] === undefined) {
		throw new MullionError(
			'UNSUPPORTED',
			`${what} is neither an image index nor an image manifest`
		);
	}
	const layers = asArray(
		document['layers'],
		`${what} layers`,
		MAX_IMAGE_LAYERS,
		'MAX_IMAGE_LAYERS'
	).map((value, index) => parseDescriptor(value, `${what} layers[${index}]`));
	const config = configDescriptor && (await readConfig(configDescriptor, lookup, warnings));
	return {
		config,
		layers: layers.map((layer, index) => plannedLayer(layer, config?.diffIds[index], lookup)),
		platform: config && platformLabel(config.os, config.architecture, config.osVersion)
	};
}

async function readConfig(
	descriptor: Descriptor,
	lookup: BlobLookup,
	warnings: Warning[]
): Promise<ImageConfig | undefined> {
	const entry = lookup(descriptor.digest, 'config');
	if (entry === undefined) {
		warnings.push({
			code: 'IMAGE_CONFIG_MISSING',
			message: `The image config ${descriptor.digest} is not in the input: no os.version or history to check against`
		});
		return undefined;
	}
	return parseImageConfig(await readJson(entry.source, entry.path), entry.path);
}

function plannedLayer(
	descriptor: Descriptor,
	diffId: string | undefined,
	lookup: BlobLookup
): PlannedLayer {
	const entry = lookup(descriptor.digest, 'layer');
	return {
		digest: descriptor.digest,
		diffId,
		path: entry?.path ?? descriptor.digest,
		mediaType: descriptor.mediaType,
		declaredSize: descriptor.size,
		foreign: isForeign(descriptor),
		source: entry?.source
	};
}

/** A foreign / non-distributable layer (media type says so, or the manifest gives URLs). */
export function isForeign(descriptor: { mediaType?: string; urls: string[] }): boolean {
	const type = descriptor.mediaType ?? '';
	return (
		type.includes('foreign') || type.includes('nondistributable') || descriptor.urls.length > 0
	);
}
