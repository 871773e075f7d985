/**
 * Scans one Windows container layer tar (plain, gzip or zstd) for the registry hives Mullion
 * reads: `Files/Windows/System32/config/SOFTWARE` (base layers) and `Hives/Software_Delta`
 * (later layers), never anything under `UtilityVM/` (layers-and-hives.md §1.1–1.2). It also
 * notes the roots, whiteouts and Linux-looking paths it saw, and stops as soon as it has the hive.
 */

import { MullionError, checkLimit } from '../errors';
import type { Warning } from '../warnings';
import { throwIfCancelled } from './bounds';
import {
	FORMAT_SNIFF_BYTES,
	decompressedStream,
	describeNonArchive,
	detectFormat,
	type CompressedFormat,
	type DecompressOptions
} from './compression';
import { SourceReader, StreamReader, type SequentialReader } from './sequential-reader';
import type { ByteSource } from './source';
import { readEntryBody, tarEntries, type TarEntry, type TarLimits } from './tar';

/** Largest hive (SOFTWARE or Software_Delta) read into memory, in bytes (512 MiB). */
export const MAX_HIVE_BYTES = 512 * 1024 * 1024;
/** Most whiteout paths kept in a scan result (more are counted in a warning). */
export const MAX_WHITEOUTS_RECORDED = 10_000;
/** Most distinct Linux-looking top-level names kept as hints. */
export const MAX_LINUX_HINTS = 8;
/**
 * Most hard-linked hive bodies read from a gzip or zstd layer: each one decompresses the layer
 * again from its start, up to the linked file. A real layer links its hive at most once or twice.
 */
export const MAX_EARLIER_BODY_REREADS = 4;
/** Most earlier `software*` files remembered as possible hard-link targets of a hive. */
export const MAX_LINK_CANDIDATES = 256;
/** Entries after which a layer with Linux roots and no Windows root is judged a Linux layer. */
export const LINUX_DECISION_ENTRIES = 2_000;
/** Entries between two progress reports. */
export const PROGRESS_INTERVAL_ENTRIES = 1_000;
/** Input bytes between two progress reports driven by reads (1 MiB). */
export const PROGRESS_INTERVAL_BYTES = 1024 * 1024;

const SOFTWARE_PATH = 'files/windows/system32/config/software';
const SOFTWARE_DELTA_PATH = 'hives/software_delta';
const LINUX_ROOTS = new Set([
	'bin',
	'boot',
	'dev',
	'etc',
	'home',
	'lib',
	'lib32',
	'lib64',
	'libx32',
	'media',
	'mnt',
	'opt',
	'proc',
	'root',
	'run',
	'sbin',
	'srv',
	'sys',
	'tmp',
	'usr',
	'var'
]);

export type LayerCompression = 'none' | 'gzip' | 'zstd';

/** Progress of a scan; `bytesDone` counts bytes of the (compressed) input consumed. */
export interface LayerProgress {
	bytesDone: number;
	bytesTotal: number;
	entries: number;
}

/** Limits of a layer scan: the tar limits plus the hive and decompression caps. */
export interface LayerLimits extends TarLimits {
	maxHiveBytes: number;
	/** Decompressed-size cap; defaults to `maxDecompressedBytesFor(source.size)`. */
	maxDecompressedBytes?: number;
}

export interface LayerScanOptions {
	onProgress?: (progress: LayerProgress) => void;
	signal?: AbortSignal;
	limits?: Partial<LayerLimits>;
	/** Native gzip decoder factory, or null for fflate only (see `DecompressOptions`). */
	nativeGunzip?: DecompressOptions['nativeGunzip'];
}

/** A hive read out of the layer: the tar path it came from and its bytes. */
export interface LayerHive {
	path: string;
	bytes: Uint8Array;
}

export interface LayerScan {
	compression: LayerCompression;
	/** Entries walked (all of them unless `stoppedEarly`). */
	entries: number;
	roots: { files: boolean; hives: boolean; utilityVm: boolean };
	/** `Files/Windows/System32/config/SOFTWARE` (may be 0 bytes in synthetic base layers). */
	software?: LayerHive;
	/** `Hives/Software_Delta` (a differencing hive of a non-base layer). */
	softwareDelta?: LayerHive;
	/** Paths of `.wh.` whiteout entries, as stored. */
	whiteouts: string[];
	/** Linux-looking top-level names seen (etc, usr, …). */
	linuxHints: string[];
	warnings: Warning[];
	/** True when the scan stopped after reading the hive, before the end of the tar. */
	stoppedEarly: boolean;
	/** Bytes of the input actually read (compressed bytes for gzip/zstd, all passes). */
	bytesRead: number;
}

/** An opened tar: its entries, plus ways to read the current or an earlier entry's body. */
export interface OpenTar {
	compression: LayerCompression;
	/** The tar entries in order (one pass). */
	entries: AsyncGenerator<TarEntry>;
	/** Reads the body of the entry just yielded (see `readEntryBody`). */
	readBody(entry: TarEntry, maxBytes: number): Promise<Uint8Array>;
	/**
	 * Reads the body of an entry already passed: direct on a plain tar, by decompressing again
	 * up to it on gzip/zstd. Throws TAR_TRUNCATED if the input ends first.
	 */
	readEarlierBody(entry: TarEntry, maxBytes: number): Promise<Uint8Array>;
	/** Input bytes read so far (all passes). */
	bytesRead(): number;
	/** Input bytes consumed by the current pass (for progress). */
	inputPosition(): number;
	/** Recoverable anomalies met so far. */
	warnings: Warning[];
	close(): Promise<void>;
}

export interface OpenTarOptions extends Omit<LayerScanOptions, 'onProgress'> {
	/** Called with the input bytes consumed whenever the reader fetches more input. */
	onInputProgress?: (inputBytesConsumed: number) => void;
}

/**
 * Opens `source` as a tar, sniffing plain / gzip / zstd by magic bytes. On a plain tar entries
 * are walked with random access (bodies skipped unread), so `entry.dataOffset` is an offset in
 * `source` and a nested archive can be read as `sliceSource(source, entry.dataOffset,
 * entry.size)`; on gzip/zstd offsets are in the decompressed stream. Throws NOT_AN_ARCHIVE when
 * the input is none of these (entries throw NOT_AN_ARCHIVE if decompressed data is not a tar).
 */
export async function openTar(source: ByteSource, options: OpenTarOptions = {}): Promise<OpenTar> {
	throwIfCancelled(options.signal);
	const head = await source.read(0, FORMAT_SNIFF_BYTES);
	const format = detectFormat(head);
	if (format === 'unknown') throw new MullionError('NOT_AN_ARCHIVE', describeNonArchive(head), 0);
	return format === 'tar'
		? openPlainTar(source, options)
		: openCompressedTar(source, format, options);
}

function openPlainTar(source: ByteSource, options: OpenTarOptions): OpenTar {
	const reader = new SourceReader(source, {
		signal: options.signal,
		onProgress: options.onInputProgress
	});
	let extraBytes = 0;
	const warnings: Warning[] = [];
	return {
		compression: 'none',
		entries: tarEntries(reader, tarOptions(options, warnings)),
		readBody: (entry, maxBytes) => readEntryBody(reader, entry, maxBytes),
		async readEarlierBody(entry, maxBytes) {
			checkLimit(entry.size, maxBytes, `body size limit for ${entry.path}`, entry.dataOffset);
			const body = await source.read(entry.dataOffset, entry.size);
			extraBytes += body.length;
			return checkedBody(body, entry);
		},
		bytesRead: () => reader.bytesFetched + extraBytes,
		inputPosition: () => reader.position,
		warnings,
		close: () => reader.close()
	};
}

function openCompressedTar(
	source: ByteSource,
	format: CompressedFormat,
	options: OpenTarOptions
): OpenTar {
	const input = new InputCounter();
	const open = () => openDecompressedReader(source, format, options, input);
	const reader = open();
	const warnings: Warning[] = [];
	let rereads = 0;
	return {
		compression: format,
		entries: tarEntries(reader, tarOptions(options, warnings)),
		readBody: (entry, maxBytes) => readEntryBody(reader, entry, maxBytes),
		async readEarlierBody(entry, maxBytes) {
			checkLimit(entry.size, maxBytes, `body size limit for ${entry.path}`, entry.dataOffset);
			checkLimit(++rereads, MAX_EARLIER_BODY_REREADS, 'MAX_EARLIER_BODY_REREADS', entry.dataOffset);
			const again = open();
			try {
				if ((await again.skip(entry.dataOffset)) < entry.dataOffset) {
					throw new MullionError('TAR_TRUNCATED', 'The input ends early', again.position);
				}
				const body = await again.read(entry.size);
				// A view into a larger decompressed chunk is copied; a buffer of its own is not.
				return checkedBody(body.byteLength === body.buffer.byteLength ? body : body.slice(), entry);
			} finally {
				await again.close();
			}
		},
		bytesRead: () => input.total(),
		inputPosition: () => input.current,
		warnings,
		close: () => reader.close()
	};
}

/** Counts compressed input across passes (a native-gzip fallback or a re-read starts over). */
class InputCounter {
	current = 0;
	private finishedPasses = 0;

	update(consumed: number): void {
		if (consumed < this.current) this.finishedPasses += this.current;
		this.current = consumed;
	}

	total(): number {
		return this.finishedPasses + this.current;
	}
}

function openDecompressedReader(
	source: ByteSource,
	format: CompressedFormat,
	options: OpenTarOptions,
	input: InputCounter
): SequentialReader {
	const stream = decompressedStream(source, format, {
		maxOutputBytes: options.limits?.maxDecompressedBytes,
		signal: options.signal,
		nativeGunzip: options.nativeGunzip,
		onInputBytes: (consumed) => input.update(consumed)
	});
	return new StreamReader(stream, {
		signal: options.signal,
		onProgress: options.onInputProgress,
		inputPosition: () => input.current
	});
}

function tarOptions(options: OpenTarOptions, warnings: Warning[]) {
	return { limits: options.limits, onWarning: (warning: Warning) => void warnings.push(warning) };
}

function checkedBody(body: Uint8Array, entry: TarEntry): Uint8Array {
	if (body.length < entry.size) {
		throw new MullionError(
			'TAR_TRUNCATED',
			`The body of ${entry.path} ends early`,
			entry.dataOffset + body.length
		);
	}
	return body;
}

/**
 * Scans a layer for its SOFTWARE hive and Software_Delta (matched case-insensitively; UtilityVM
 * and alternate-data-stream entries ignored), following a hard link to an earlier `software*`
 * entry of the same layer. Stops once a non-empty Files SOFTWARE hive is read (and the delta too,
 * when a `Hives/` root was seen). A layer without a hive is a valid result, not an error.
 * Throws NOT_AN_ARCHIVE, LINUX_LAYER (no `Files/` but Linux-looking roots), CANCELLED,
 * TAR_TRUNCATED, TAR_BAD_HEADER, GZIP_CORRUPT, ZSTD_CORRUPT, LIMIT_EXCEEDED (MAX_HIVE_BYTES,
 * the decompression cap, tar limits).
 */
export async function scanLayer(
	source: ByteSource,
	options: LayerScanOptions = {}
): Promise<LayerScan> {
	const scan = new LayerScanner(source, options);
	const tar = await openTar(source, { ...options, onInputProgress: (done) => scan.report(done) });
	try {
		return await scan.run(tar);
	} finally {
		await tar.close();
	}
}

/** The state of one `scanLayer` call. */
class LayerScanner {
	private readonly result: LayerScan;
	private readonly maxHiveBytes: number;
	private readonly candidates = new Map<string, TarEntry>();
	private whiteoutsDropped = 0;
	private bytesDone = 0;
	private bytesReported = 0;
	private lastReportedEntries = 0;

	constructor(
		private readonly source: ByteSource,
		private readonly options: LayerScanOptions
	) {
		this.maxHiveBytes = options.limits?.maxHiveBytes ?? MAX_HIVE_BYTES;
		this.result = {
			compression: 'none',
			entries: 0,
			roots: { files: false, hives: false, utilityVm: false },
			whiteouts: [],
			linuxHints: [],
			warnings: [],
			stoppedEarly: false,
			bytesRead: 0
		};
	}

	async run(tar: OpenTar): Promise<LayerScan> {
		const result = this.result;
		result.compression = tar.compression;
		for await (const entry of tar.entries) {
			throwIfCancelled(this.options.signal);
			result.entries++;
			if (await this.visit(entry, tar)) {
				result.stoppedEarly = true;
				break;
			}
			this.reportEvery(tar);
		}
		return this.finish(tar);
	}

	/** Notes the input bytes consumed; reports every PROGRESS_INTERVAL_BYTES (or when forced). */
	report(bytesDone: number, force = false): void {
		this.bytesDone = Math.max(this.bytesDone, Math.min(bytesDone, this.source.size));
		if (!force && this.bytesDone - this.bytesReported < PROGRESS_INTERVAL_BYTES) return;
		this.bytesReported = this.bytesDone;
		this.options.onProgress?.({
			bytesDone: this.bytesDone,
			bytesTotal: this.source.size,
			entries: this.result.entries
		});
	}

	private reportEvery(tar: OpenTar): void {
		if (this.result.entries - this.lastReportedEntries < PROGRESS_INTERVAL_ENTRIES) return;
		this.lastReportedEntries = this.result.entries;
		this.report(tar.inputPosition(), true);
	}

	/** Looks at one entry; true when the scan has what it needs and can stop. */
	private async visit(entry: TarEntry, tar: OpenTar): Promise<boolean> {
		const key = matchKey(entry.path);
		const root = key.split('/', 1)[0] ?? '';
		this.noteRoot(root);
		if (this.result.entries === LINUX_DECISION_ENTRIES) this.judgeLinuxEarly();
		if (root === 'utilityvm') return false;
		this.noteWhiteout(entry.path, key);
		if (key.includes(':')) return false; // an alternate data stream, never the hive itself
		this.rememberCandidate(entry, key);
		if (key === SOFTWARE_PATH) this.result.software = await this.readHive(entry, tar);
		else if (key === SOFTWARE_DELTA_PATH)
			this.result.softwareDelta = await this.readHive(entry, tar);
		return this.hasEverything();
	}

	private noteRoot(root: string): void {
		const { roots, linuxHints } = this.result;
		if (root === 'files') roots.files = true;
		else if (root === 'hives') roots.hives = true;
		else if (root === 'utilityvm') roots.utilityVm = true;
		else if (LINUX_ROOTS.has(root) && !linuxHints.includes(root)) {
			if (linuxHints.length < MAX_LINUX_HINTS) linuxHints.push(root);
		}
	}

	/** A long run of Linux paths with no Windows root: say so without reading the whole layer. */
	private judgeLinuxEarly(): void {
		const { roots, linuxHints } = this.result;
		if (roots.files || roots.hives || roots.utilityVm || linuxHints.length === 0) return;
		throw linuxLayerError(this.result.linuxHints);
	}

	private noteWhiteout(path: string, key: string): void {
		const name = key.slice(key.lastIndexOf('/') + 1);
		if (!name.startsWith('.wh.')) return;
		if (this.result.whiteouts.length < MAX_WHITEOUTS_RECORDED) this.result.whiteouts.push(path);
		else this.whiteoutsDropped++;
	}

	/** Keeps earlier `software*` files, the only plausible hard-link targets of a hive. */
	private rememberCandidate(entry: TarEntry, key: string): void {
		if (entry.type !== 'file' || this.candidates.size >= MAX_LINK_CANDIDATES) return;
		const name = key.slice(key.lastIndexOf('/') + 1);
		if (name.startsWith('software')) this.candidates.set(key, entry);
	}

	/** Reads a hive entry (or the earlier entry it hard-links to); undefined when it cannot. */
	private async readHive(entry: TarEntry, tar: OpenTar): Promise<LayerHive | undefined> {
		if (entry.type === 'file') {
			checkLimit(entry.size, this.maxHiveBytes, 'MAX_HIVE_BYTES', entry.dataOffset);
			return this.named(entry, await tar.readBody(entry, this.maxHiveBytes));
		}
		if (entry.type === 'hardlink' && entry.linkPath !== undefined) {
			const target = this.candidates.get(matchKey(entry.linkPath));
			if (target) return this.named(entry, await tar.readEarlierBody(target, this.maxHiveBytes));
			this.warn(
				'HIVE_LINK_UNRESOLVED',
				`${entry.path} is a hard link to ${entry.linkPath}, ` +
					'which is not in this layer (a link into a lower layer?)',
				entry.headerOffset
			);
			return undefined;
		}
		this.warn(
			'HIVE_NOT_A_FILE',
			`${entry.path} is a ${entry.type}, not a file`,
			entry.headerOffset
		);
		return undefined;
	}

	private named(entry: TarEntry, bytes: Uint8Array): LayerHive {
		if (bytes.length === 0) {
			this.warn('HIVE_EMPTY', `${entry.path} is empty (0 bytes)`, entry.headerOffset);
		}
		return { path: entry.path, bytes };
	}

	/** Done when the Files SOFTWARE hive is read, and the delta too if this layer has `Hives/`. */
	private hasEverything(): boolean {
		const { software, softwareDelta, roots } = this.result;
		if (!software || software.bytes.length === 0) return false;
		return !roots.hives || softwareDelta !== undefined;
	}

	private warn(code: string, message: string, offset?: number): void {
		this.result.warnings.push({ code, message, offset });
	}

	private finish(tar: OpenTar): LayerScan {
		const result = this.result;
		result.warnings.unshift(...tar.warnings);
		result.bytesRead = tar.bytesRead();
		if (this.whiteoutsDropped > 0) {
			this.warn('WHITEOUTS_TRUNCATED', `${this.whiteoutsDropped} more whiteouts not listed`);
		}
		if (result.entries === 0) this.warn('TAR_EMPTY', 'The tar has no entries');
		if (!result.roots.files && result.linuxHints.length > 0) {
			throw linuxLayerError(result.linuxHints);
		}
		this.report(result.stoppedEarly ? tar.inputPosition() : this.source.size, true);
		return result;
	}
}

/** Lower-case, forward slashes, no leading `./` or `/`: how paths are compared. */
function matchKey(path: string): string {
	return path
		.replaceAll('\\', '/')
		.replace(/^(\.?\/)+/, '')
		.toLowerCase();
}

function linuxLayerError(hints: string[]): MullionError {
	return new MullionError(
		'LINUX_LAYER',
		`This tar has no Files/ root but Linux paths (${hints.join(', ')}/): it is not a Windows layer`
	);
}
