/** Shared inputs of the image tests (not a test file): committed hives and the scan call. */
import { readFileSync } from 'node:fs';
import { bytesSource } from '../../../src/lib/archive/source';
import { scanFiles } from '../../../src/lib/scan';
import type { ScanResult } from '../../../src/lib/report/types';

const fixtures = new URL('../../fixtures/', import.meta.url);

export function fixture(path: string): Uint8Array {
	return new Uint8Array(readFileSync(new URL(path, fixtures)));
}

export const SERVERCORE_2022 = fixture('software/servercore-ltsc2022.hive');
export const NANOSERVER_2022 = fixture('software/nanoserver-ltsc2022.hive');
export const MINIMAL = fixture('software/minimal.hive');
/** Software_Delta: UBR 2700, DisplayVersion tombstoned, RollupFix 1249 tombstoned, … */
export const DELTA_UPDATE = fixture('image/delta-update.hive');
/** zstd base layer carrying SERVERCORE_2022. */
export const ZSTD_BASE_LAYER = fixture('image/base-layer.tar.zst');

export const UPDATE_HISTORY = ['Apply image 10.0.20348.1366', 'Install update 10.0.20348.2700'];

/** Scans one file given as bytes. */
export function scanBytes(bytes: Uint8Array, name = 'image.tar'): Promise<ScanResult> {
	return scanFiles([{ name, source: bytesSource(bytes) }], { name });
}

/** Scans several named files dropped together. */
export function scanNamed(files: { name: string; data: Uint8Array }[]): Promise<ScanResult> {
	const dropped = files.map((file) => ({ name: file.name, source: bytesSource(file.data) }));
	return scanFiles(dropped, { name: files[0]?.name ?? '' });
}

export function codes(result: ScanResult): string[] {
	return result.warnings.map((warning) => warning.code);
}
