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
}
