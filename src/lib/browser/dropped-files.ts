/**
 * What the user dropped or picked, as files with their paths: plain files as they are, and a
 * dropped or picked folder (a skopeo `dir:` copy, an OCI layout) as the files inside it, with
 * paths relative to that folder. Browser glue (DataTransfer, FileSystemEntry), so it lives outside
 * the pure core.
 */
import { MullionError } from '../errors';
import { MAX_DROPPED_FILES } from '../image/files';

/** A file and its path inside what was dropped (`blobs/sha256/…` in an OCI layout folder). */
export interface PickedFile {
	file: File;
	path: string;
}

/** Deepest folder nesting walked (an OCI layout needs 3: `blobs/sha256/<hex>`), in levels. */
export const MAX_FOLDER_DEPTH = 8;
/** Most `readEntries` calls on one folder (each returns up to ~100 entries), in calls. */
export const MAX_FOLDER_READS = 1024;

/** The parts of the File and Directory Entries API used here (Chromium, Firefox and Safari). */
interface Entry {
	readonly isFile: boolean;
	readonly isDirectory: boolean;
	readonly name: string;
}
interface FileEntry extends Entry {
	file(success: (file: File) => void, failure: (error: unknown) => void): void;
}
interface DirectoryEntry extends Entry {
	createReader(): {
		readEntries(success: (entries: Entry[]) => void, failure: (error: unknown) => void): void;
	};
}

/**
 * Reads a drop. Must be called in the drop event handler itself: the browser empties
 * `dataTransfer` once the handler returns, so the entries are taken before the first await.
 */
export function filesFromDrop(dataTransfer: DataTransfer): Promise<PickedFile[]> {
	const entries: Entry[] = [];
	const loose: File[] = [];
	for (const item of dataTransfer.items) {
		if (item.kind !== 'file') continue;
		const entry = item.webkitGetAsEntry?.() as Entry | null | undefined;
		if (entry) entries.push(entry);
		else {
			const file = item.getAsFile();
			if (file) loose.push(file);
		}
	}
	if (entries.length === 0 && loose.length === 0) {
		return Promise.resolve(filesFromList(dataTransfer.files));
	}
	return collect(entries, loose);
}

/**
 * Reads a file input's list. A folder picked with `webkitdirectory` gives paths relative to the
 * chosen folder; plain files give their names.
 */
export function filesFromList(list: FileList | readonly File[]): PickedFile[] {
	const files = [...list];
	checkCount(files.length);
	return files.map((file) => ({ file, path: insideFolder(file.webkitRelativePath) || file.name }));
}

async function collect(entries: Entry[], loose: File[]): Promise<PickedFile[]> {
	const picked: PickedFile[] = loose.map((file) => ({ file, path: file.name }));
	for (const entry of entries) {
		if (entry.isDirectory) await walkFolder(entry as DirectoryEntry, '', 1, picked);
		else picked.push({ file: await fileOf(entry as FileEntry), path: entry.name });
		checkCount(picked.length);
	}
	return picked;
}

/** Adds every file under `folder`, with paths relative to the dropped folder. */
async function walkFolder(
	folder: DirectoryEntry,
	prefix: string,
	depth: number,
	picked: PickedFile[]
): Promise<void> {
	if (depth > MAX_FOLDER_DEPTH) {
		throw new MullionError(
			'LIMIT_EXCEEDED',
			`The dropped folder nests deeper than MAX_FOLDER_DEPTH (${MAX_FOLDER_DEPTH}) at ${prefix}`
		);
	}
	const reader = folder.createReader();
	for (let reads = 1; ; reads++) {
		if (reads > MAX_FOLDER_READS) {
			throw new MullionError('LIMIT_EXCEEDED', `MAX_FOLDER_READS (${MAX_FOLDER_READS}) exceeded`);
		}
		const batch = await new Promise<Entry[]>((resolve, reject) =>
			reader.readEntries(resolve, reject)
		);
		if (batch.length === 0) return;
		for (const entry of batch) {
			const path = `${prefix}${entry.name}`;
			if (entry.isDirectory) {
				await walkFolder(entry as DirectoryEntry, `${path}/`, depth + 1, picked);
			} else if (entry.isFile) {
				picked.push({ file: await fileOf(entry as FileEntry), path });
			}
			checkCount(picked.length);
		}
	}
}

function fileOf(entry: FileEntry): Promise<File> {
	return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function checkCount(count: number): void {
	if (count > MAX_DROPPED_FILES) {
		throw new MullionError(
			'LIMIT_EXCEEDED',
			`More than MAX_DROPPED_FILES (${MAX_DROPPED_FILES}) files were dropped; drop the image folder or archive only`
		);
	}
}

/** `nanoserver/blobs/sha256/ab…` → `blobs/sha256/ab…`; '' for a file not picked in a folder. */
function insideFolder(relativePath: string): string {
	const slash = relativePath.indexOf('/');
	return slash === -1 ? '' : relativePath.slice(slash + 1);
}
