/**
 * Scans one layer: finds the SOFTWARE hive in the tar, opens it and reads the Windows facts.
 * This is the whole pipeline below the worker; it runs the same in the browser and in Node.
 */
import type { ByteSource } from './archive/source';
import { scanLayer, type LayerScan } from './archive/layer';
import { MullionError } from './errors';
import { openHive } from './hive/hive';
import { readWindowsFacts } from './windows/facts';
import { SCAN_RESULT_FORMAT, type ScanResult } from './report/types';
import type { Warning } from './warnings';

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
}

/**
 * Scans a layer tar (plain, gzip or zstd) and returns what it says about Windows.
 * Throws MullionError: NOT_AN_ARCHIVE, LINUX_LAYER, NO_SOFTWARE_HIVE, TAR_*, GZIP_*, HIVE_*, …
 */
export async function scanSource(source: ByteSource, options: ScanOptions): Promise<ScanResult> {
	const layer = await scanLayer(source, { onProgress: options.onProgress, signal: options.signal });
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
