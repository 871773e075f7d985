/**
 * The files of a saved image, wherever they are: entries of an outer plain tar (each read as a
 * range of the big file, never loaded whole) or several dropped files (a skopeo `dir:` copy or
 * an OCI layout folder, matched by base name). Paths are compared lower-case with `/` separators
 * (Windows `docker save` writes `\`, layers-and-hives.md §2.1).
 */
import { MullionError, checkLimit } from '../errors';
import { sliceSource, type ByteSource } from '../archive/source';
import type { OpenTar } from '../archive/layer';
import type { TarEntry } from '../archive/tar';
import type { DroppedFile } from './types';
import { trimTrailing } from '../strings';

/** Most entries of an outer image tar walked, in entries. */
export const MAX_IMAGE_ARCHIVE_ENTRIES = 200_000;
/** Most dropped files looked at together, in files. */
export const MAX_DROPPED_FILES = 4096;
/** Most symlink hops followed to reach a file of an image tar, in hops. */
export const MAX_IMAGE_LINK_HOPS = 8;

/** A file of the image: where it is, and its bytes. */
export interface ImageEntry {
	path: string;
	source: ByteSource;
}

/** Lookup of image files by path. */
export interface ImageFiles {
	/** Finds a file by its path in the image (any separator, any case). */
	get(path: string): ImageEntry | undefined;
	/** Finds a blob by digest (`sha256:<hex>`): `blobs/sha256/<hex>`, or a file named `<hex>`. */
	blob(digest: string): ImageEntry | undefined;
	/** Paths present (normalised). */
	paths(): string[];
	/** Marks a path as referenced by the image (for the unlisted-file check). */
	use(entry: ImageEntry): void;
	/** Paths never passed to `use`. */
	unused(): string[];
}

/** Lower-case, `/` separators, no leading `./` or `/`, no trailing `/`. */
export function normalisePath(path: string): string {
	return trimTrailing(path.replaceAll('\\', '/').replace(/^(\.?\/)+/, ''), '/').toLowerCase();
}

/** The `<alg>/<hex>` of a digest, or undefined when it is not `alg:hex`. */
export function digestParts(digest: string): { algorithm: string; hex: string } | undefined {
	const match = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-f0-9]{32,})$/i.exec(digest);
	return match ? { algorithm: match[1]!.toLowerCase(), hex: match[2]!.toLowerCase() } : undefined;
}

/** True for a path an image tar holds (manifest, index, layout, repositories, blobs, `<hex>…`). */
export function isImagePath(path: string): boolean {
	const key = normalisePath(path);
	if (key === '' || key === '.') return true;
	if (['manifest.json', 'index.json', 'oci-layout', 'repositories'].includes(key)) return true;
	const root = key.split('/', 1)[0] ?? '';
	return root === 'blobs' || /^[a-f0-9]{64}(\.json)?$/.test(root);
}

class FileTable implements ImageFiles {
	private readonly used = new Set<string>();

	constructor(
		private readonly byPath: Map<string, ImageEntry>,
		private readonly byBaseName?: Map<string, ImageEntry>
	) {}

	get(path: string): ImageEntry | undefined {
		const key = normalisePath(path);
		return this.byPath.get(key) ?? this.byBaseName?.get(key.slice(key.lastIndexOf('/') + 1));
	}

	blob(digest: string): ImageEntry | undefined {
		const parts = digestParts(digest);
		if (parts === undefined) return undefined;
		return this.get(`blobs/${parts.algorithm}/${parts.hex}`) ?? this.get(parts.hex);
	}

	paths(): string[] {
		return [...this.byPath.keys()];
	}

	use(entry: ImageEntry): void {
		this.used.add(normalisePath(entry.path));
	}

	unused(): string[] {
		return [...this.byPath.values()]
			.filter((entry) => !this.used.has(normalisePath(entry.path)))
			.map((entry) => entry.path);
	}
}

/**
 * The files of dropped `files`, found by name (a base name finds the file whatever folder the
 * image names). Throws LIMIT_EXCEEDED past MAX_DROPPED_FILES; duplicate names keep the first and
 * are reported through `onDuplicate`.
 */
export function droppedFiles(
	files: readonly DroppedFile[],
	onDuplicate: (name: string) => void
): ImageFiles {
	checkLimit(files.length, MAX_DROPPED_FILES, 'MAX_DROPPED_FILES');
	const byPath = new Map<string, ImageEntry>();
	const byBaseName = new Map<string, ImageEntry>();
	for (const file of files) {
		const key = normalisePath(file.name);
		const baseName = key.slice(key.lastIndexOf('/') + 1);
		if (byPath.has(key) || byBaseName.has(baseName)) {
			onDuplicate(file.name);
			continue;
		}
		const entry = { path: file.name, source: file.source };
		byPath.set(key, entry);
		byBaseName.set(baseName, entry);
	}
	return new FileTable(byPath, byBaseName);
}

/** Result of walking the start of a plain tar. */
export type TarProbe = { kind: 'image'; files: ImageFiles } | { kind: 'layer' };

/**
 * Walks the entries of an opened plain tar as long as they look like a saved image's (see
 * `isImagePath`); the first other entry means a layer. At the end, a tar holding manifest.json
 * or index.json is an image; its regular files (and symlinks to them) become ranges of
 * `source`. Throws LIMIT_EXCEEDED past MAX_IMAGE_ARCHIVE_ENTRIES, and what the tar reader throws.
 */
export async function probeImageTar(source: ByteSource, tar: OpenTar): Promise<TarProbe> {
	const files = new Map<string, TarEntry>();
	const links = new Map<string, TarEntry>();
	let count = 0;
	for await (const entry of tar.entries) {
		checkLimit(++count, MAX_IMAGE_ARCHIVE_ENTRIES, 'MAX_IMAGE_ARCHIVE_ENTRIES', entry.headerOffset);
		if (!isImagePath(entry.path)) return { kind: 'layer' };
		const key = normalisePath(entry.path);
		if (entry.type === 'file') files.set(key, entry);
		else if (entry.type === 'symlink' || entry.type === 'hardlink') links.set(key, entry);
	}
	if (!files.has('manifest.json') && !files.has('index.json')) return { kind: 'layer' };
	const byPath = new Map<string, ImageEntry>();
	for (const [key, entry] of files) byPath.set(key, rangeEntry(source, entry, entry.path));
	for (const [key, link] of links) {
		const target = followLink(key, link, files, links);
		if (target) byPath.set(key, rangeEntry(source, target, link.path));
	}
	return { kind: 'image', files: new FileTable(byPath) };
}

function rangeEntry(source: ByteSource, entry: TarEntry, path: string): ImageEntry {
	return { path, source: sliceSource(source, entry.dataOffset, entry.size) };
}

/** Resolves a symlink (relative to its folder) or hard link (from the root) to a regular file. */
function followLink(
	key: string,
	link: TarEntry,
	files: Map<string, TarEntry>,
	links: Map<string, TarEntry>
): TarEntry | undefined {
	let current: TarEntry | undefined = link;
	let currentKey = key;
	for (let hop = 0; hop < MAX_IMAGE_LINK_HOPS && current?.linkPath !== undefined; hop++) {
		const target: string = resolveLinkPath(currentKey, current);
		const file = files.get(target);
		if (file) return file;
		current = links.get(target);
		currentKey = target;
	}
	return undefined;
}

function resolveLinkPath(key: string, link: TarEntry): string {
	const target = normalisePath(link.linkPath ?? '');
	if (link.type === 'hardlink') return target;
	const parts = key.split('/').slice(0, -1);
	for (const part of target.split('/')) {
		if (part === '..') parts.pop();
		else if (part !== '.' && part !== '') parts.push(part);
	}
	return parts.join('/');
}

/** Throws UNSUPPORTED: the image names a file that the input does not hold. */
export function missingFile(what: string, path: string): MullionError {
	return new MullionError(
		'UNSUPPORTED',
		`The image's ${what} names ${path}, which is not in the input`
	);
}
