/**
 * The result of scanning one input: plain data that the worker returns, the UI shows, the
 * permalink carries and the exports are built from. It never contains the layer's bytes.
 */
import type { Warning } from '../warnings';
import type { WindowsFacts } from '../windows/types';

export const SCAN_RESULT_FORMAT = 1;

export type Compression = 'none' | 'gzip' | 'zstd';

export interface ScanInput {
	/** File name as dropped (display only). */
	name: string;
	size: number;
	compression: Compression;
}

export interface HiveSummary {
	/** Path of the hive inside the layer, e.g. `Files/Windows/System32/config/SOFTWARE`. */
	path: string;
	size: number;
	/** regf version, e.g. `1.5`. */
	version: string;
	/** Base block last-written time, ISO 8601. */
	lastWritten?: string;
	/** Sequence numbers disagree: the hive was not cleanly closed. */
	dirty: boolean;
}

export interface ScanResult {
	format: typeof SCAN_RESULT_FORMAT;
	/** ISO 8601 time of the scan. */
	scannedAt: string;
	input: ScanInput;
	/** Tar entries walked and whether the walk stopped once the hive was read. */
	entries: number;
	stoppedEarly: boolean;
	hive: HiveSummary;
	facts: WindowsFacts;
	warnings: Warning[];
	/** Saved-image details (absent for a single dropped layer, and in older results). */
	image?: ImageSummary;
}

/** How the input was packaged (layers-and-hives.md §2). */
export type ImageFormat = 'layer' | 'docker-save' | 'oci-archive' | 'oci-layout' | 'skopeo-dir';

/** What one layer of an image did to the registry. */
export type LayerRegistryChange =
	| 'full-hive' // brings a full Files/Windows/System32/config/SOFTWARE (replaces the view)
	| 'delta' // brings Hives/Software_Delta (layered over the view)
	| 'full-hive+delta'
	| 'whiteout' // deletes the SOFTWARE hive
	| 'none' // read; no registry change
	| 'not-read';

/** One layer of a saved image, base first. */
export interface LayerInfo {
	/** 0 for the base layer. */
	index: number;
	/** Blob digest, e.g. `sha256:…` (the manifest's; not verified). */
	digest?: string;
	/** Uncompressed digest from the config's rootfs.diff_ids. */
	diffId?: string;
	/** Where the blob was found (archive path or dropped file name). */
	path: string;
	/** Bytes of the blob as found (or as declared, when missing). */
	size: number;
	mediaType?: string;
	/** Compression sniffed from the bytes (read layers only). */
	compression?: Compression;
	/** Tar entries walked. */
	entries?: number;
	/** A foreign / non-distributable layer. */
	foreign?: boolean;
	/** read; missing (not in the input); skipped (not needed); unreadable (see note). */
	status: 'read' | 'missing' | 'skipped' | 'unreadable';
	registry: LayerRegistryChange;
	/** Size of this layer's Software_Delta, in bytes. */
	deltaBytes?: number;
	/** What the delta adds, changes and tombstones relative to the layers below. */
	delta?: {
		keysAdded: number;
		keysChanged: number;
		keysTombstoned: number;
		valuesSet: number;
		valuesTombstoned: number;
		truncated: boolean;
	};
	note?: string;
}

/** The saved image around the registry: format, platform, config and layers. */
export interface ImageSummary {
	format: ImageFormat;
	/** Chosen platform, e.g. `windows/amd64 10.0.20348.1366`. */
	platform?: string;
	/** Why that platform, when an index offered several. */
	platformNote?: string;
	/** Config `os.version`. */
	osVersion?: string;
	/** Config history `created_by` lines. */
	history?: string[];
	layers: LayerInfo[];
	/** Where the build comes from: the effective registry, or only the config (no base layer). */
	buildSource: 'registry' | 'config';
	/** The version the config claims (os.version, else the last history version). */
	configVersion?: string;
	/** Registry build vs config: agree, disagree, or nothing to compare. */
	crossCheck: 'match' | 'mismatch' | 'unavailable';
}
