/**
 * Builds saved images of every shape Mullion reads (layers-and-hives.md §2) around layer tars:
 * legacy `docker save` (optionally with Windows backslash paths and LayerSources), Docker ≥25
 * `docker save` (OCI layout + manifest.json), OCI archives (optionally with a nested
 * linux + windows index) and skopeo `dir:` copies (a list of named files). Node-only.
 *
 *   const base = baseLayerTar(hive);
 *   const tar = legacyDockerSave({ layers: [base, delta], config: imageConfig({ ... }) });
 */
import { createHash } from 'node:crypto';
import { writeTar, type TarWriterEntry } from './tar-writer';
import { windowsLayerEntries } from './windows-layer';

const encoder = new TextEncoder();

export function sha256(bytes: Uint8Array): string {
	return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function hex(digest: string): string {
	return digest.slice('sha256:'.length);
}

function json(value: unknown): Uint8Array {
	return encoder.encode(JSON.stringify(value, null, 2));
}

/** A Windows base layer tar carrying `software` as Files/Windows/System32/config/SOFTWARE. */
export function baseLayerTar(software: Uint8Array): Uint8Array {
	return writeTar(windowsLayerEntries({ software }));
}

/** A later layer: Files/ + Hives/ roots, an app file, and optionally a delta, a full hive or whiteouts. */
export function updateLayerTar(
	options: { delta?: Uint8Array; software?: Uint8Array; whiteouts?: string[] } = {}
): Uint8Array {
	const entries: TarWriterEntry[] = [
		{ path: 'Files/', type: 'directory' },
		{ path: 'Files/Program Files/app/app.exe', data: new Uint8Array(1024) },
		{ path: 'Hives/', type: 'directory' }
	];
	if (options.software) {
		entries.push({ path: 'Files/Windows/System32/config/SOFTWARE', data: options.software });
	}
	for (const path of options.whiteouts ?? []) entries.push({ path });
	if (options.delta) entries.push({ path: 'Hives/Software_Delta', data: options.delta });
	return writeTar(entries);
}

export interface ConfigOptions {
	os?: string;
	osVersion?: string;
	history?: string[];
	/** Uncompressed layer tars, for rootfs.diff_ids. */
	layers: Uint8Array[];
}

/** An image config (os, os.version, history, rootfs.diff_ids). */
export function imageConfig(options: ConfigOptions): Uint8Array {
	return json({
		architecture: 'amd64',
		os: options.os ?? 'windows',
		...(options.osVersion ? { 'os.version': options.osVersion } : {}),
		history: (options.history ?? []).map((createdBy) => ({ created_by: createdBy })),
		rootfs: { type: 'layers', diff_ids: options.layers.map(sha256) }
	});
}

export interface SavedImageOptions {
	/** Layer blobs as stored (plain, gzip or zstd), base first. */
	layers: Uint8Array[];
	config: Uint8Array;
	/** Extra manifest entries (e.g. a layer listed twice): indexes into `layers`. */
	layerOrder?: number[];
	/** Leave these layer indexes out of the archive (still listed). */
	omit?: number[];
}

function order(options: SavedImageOptions): number[] {
	return options.layerOrder ?? options.layers.map((_, index) => index);
}

/** Legacy docker save (Docker ≤24), optionally as written on Windows (backslashes, LayerSources). */
export function legacyDockerSave(options: SavedImageOptions & { windows?: boolean }): Uint8Array {
	const configName = `${hex(sha256(options.config))}.json`;
	const ids = options.layers.map((layer) => hex(sha256(layer)));
	const separator = options.windows ? '\\' : '/';
	const manifest = [
		{
			Config: configName,
			RepoTags: ['example/windows-app:latest'],
			Layers: order(options).map((index) => `${ids[index]}${separator}layer.tar`),
			...(options.windows ? { LayerSources: layerSources(options.layers) } : {})
		}
	];
	const entries: TarWriterEntry[] = [];
	options.layers.forEach((layer, index) => {
		if (options.omit?.includes(index)) return;
		entries.push({ path: `${ids[index]}/`, type: 'directory' });
		entries.push({ path: `${ids[index]}/VERSION`, data: '1.0' });
		entries.push({ path: `${ids[index]}/json`, data: '{}' });
		entries.push({ path: `${ids[index]}/layer.tar`, data: layer });
	});
	entries.push({ path: configName, data: options.config });
	entries.push({ path: 'manifest.json', data: json(manifest) });
	entries.push({ path: 'repositories', data: '{}' });
	return writeTar(entries);
}

function layerSources(layers: Uint8Array[]): Record<string, unknown> {
	const sources: Record<string, unknown> = {};
	for (const layer of layers) {
		sources[sha256(layer)] = {
			mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
			size: layer.length,
			digest: sha256(encoder.encode(`compressed ${sha256(layer)}`)),
			urls: ['https://go.microsoft.com/fwlink/?linkid=000000']
		};
	}
	return sources;
}

/** An OCI image manifest for `options` (layer media types by sniffed compression). */
function ociManifest(options: SavedImageOptions): Uint8Array {
	return json({
		schemaVersion: 2,
		mediaType: 'application/vnd.oci.image.manifest.v1+json',
		config: descriptor(options.config, 'application/vnd.oci.image.config.v1+json'),
		layers: order(options).map((index) => {
			const layer = options.layers[index] as Uint8Array;
			return descriptor(layer, layerMediaType(layer));
		})
	});
}

function layerMediaType(layer: Uint8Array): string {
	if (layer[0] === 0x1f && layer[1] === 0x8b) return 'application/vnd.oci.image.layer.v1.tar+gzip';
	if (layer[0] === 0x28 && layer[1] === 0xb5) return 'application/vnd.oci.image.layer.v1.tar+zstd';
	return 'application/vnd.oci.image.layer.v1.tar';
}

function descriptor(blob: Uint8Array, mediaType: string, extra: Record<string, unknown> = {}) {
	return { mediaType, digest: sha256(blob), size: blob.length, ...extra };
}

function blobEntries(blobs: Uint8Array[], omit: Set<string> = new Set()): TarWriterEntry[] {
	const seen = new Set<string>();
	const entries: TarWriterEntry[] = [
		{ path: 'blobs/', type: 'directory' },
		{ path: 'blobs/sha256/', type: 'directory' }
	];
	for (const blob of blobs) {
		const digest = sha256(blob);
		if (seen.has(digest) || omit.has(digest)) continue;
		seen.add(digest);
		entries.push({ path: `blobs/sha256/${hex(digest)}`, data: blob });
	}
	return entries;
}

function omitted(options: SavedImageOptions): Set<string> {
	return new Set((options.omit ?? []).map((index) => sha256(options.layers[index] as Uint8Array)));
}

/** Docker ≥25 docker save: OCI layout (index.json → manifest) plus Docker's manifest.json. */
export function docker25Save(options: SavedImageOptions): Uint8Array {
	const manifest = ociManifest(options);
	const index = {
		schemaVersion: 2,
		mediaType: 'application/vnd.oci.image.index.v1+json',
		manifests: [
			descriptor(manifest, 'application/vnd.oci.image.manifest.v1+json', {
				annotations: { 'io.containerd.image.name': 'docker.io/example/windows-app:latest' }
			})
		]
	};
	const dockerManifest = [
		{
			Config: `blobs/sha256/${hex(sha256(options.config))}`,
			RepoTags: ['example/windows-app:latest'],
			Layers: order(options).map((i) => `blobs/sha256/${hex(sha256(options.layers[i]!))}`)
		}
	];
	return writeTar([
		...blobEntries([...options.layers, options.config, manifest], omitted(options)),
		{ path: 'index.json', data: json(index) },
		{ path: 'manifest.json', data: json(dockerManifest) },
		{ path: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' }
	]);
}

/**
 * An OCI archive. With `linux`, index.json points at a nested index listing a linux/amd64
 * manifest (whose blobs are present) and the windows/amd64 one.
 */
export function ociArchive(options: SavedImageOptions & { linux?: SavedImageOptions }): Uint8Array {
	const manifest = ociManifest(options);
	const blobs = [...options.layers, options.config, manifest];
	let top: unknown;
	if (options.linux) {
		const linuxManifest = ociManifest(options.linux);
		const nested = json({
			schemaVersion: 2,
			mediaType: 'application/vnd.oci.image.index.v1+json',
			manifests: [
				descriptor(linuxManifest, 'application/vnd.oci.image.manifest.v1+json', {
					platform: { architecture: 'amd64', os: 'linux' }
				}),
				descriptor(manifest, 'application/vnd.oci.image.manifest.v1+json', {
					platform: { architecture: 'amd64', os: 'windows', 'os.version': '10.0.20348.2700' }
				})
			]
		});
		blobs.push(...options.linux.layers, options.linux.config, linuxManifest, nested);
		top = {
			schemaVersion: 2,
			manifests: [descriptor(nested, 'application/vnd.oci.image.index.v1+json')]
		};
	} else {
		top = {
			schemaVersion: 2,
			manifests: [descriptor(manifest, 'application/vnd.oci.image.manifest.v1+json')]
		};
	}
	return writeTar([
		{ path: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
		{ path: 'index.json', data: json(top) },
		...blobEntries(blobs, omitted(options))
	]);
}

/** A skopeo dir: copy as named files (manifest.json, version, blobs by bare hex digest). */
export function skopeoDir(
	options: SavedImageOptions & { extraFiles?: { name: string; data: Uint8Array }[] }
): { name: string; data: Uint8Array }[] {
	const manifest = json({
		schemaVersion: 2,
		mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
		config: descriptor(options.config, 'application/vnd.docker.container.image.v1+json'),
		layers: order(options).map((index) =>
			descriptor(options.layers[index]!, 'application/vnd.docker.image.rootfs.foreign.diff.tar')
		)
	});
	const files = [
		{ name: 'manifest.json', data: manifest },
		{ name: 'version', data: encoder.encode('Directory Transport Version: 1.1\n') },
		{ name: hex(sha256(options.config)), data: options.config }
	];
	options.layers.forEach((layer, index) => {
		if (!options.omit?.includes(index)) files.push({ name: hex(sha256(layer)), data: layer });
	});
	return [...files, ...(options.extraFiles ?? [])];
}
