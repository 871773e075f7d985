/// <reference lib="webworker" />
/**
 * Benchmark worker for headless Chromium (bundled by scripts/bench/browser.ts, never shipped):
 * runs one task on the File it is given and answers with the time it took, measured here.
 * Tasks: 'scan' (Mullion's scanSource over the File), 'raw' (sequential 8 MiB file.slice reads),
 * 'gunzip' (native DecompressionStream over file.stream()), 'headers' (the headers-plus-hive
 * limit walker over 1 MiB file.slice windows), 'idle' (nothing: the cost of the worker itself).
 */

import { blobSource } from '../../src/lib/archive/source';
import { scanSource } from '../../src/lib/scan';
import { HIVE_PATH } from './hive-path';
import { walkHeadersToHive } from './header-walker';

const RAW_READ_BYTES = 8 * 1024 * 1024;

async function rawRead(file: File): Promise<number> {
	let total = 0;
	for (let offset = 0; offset < file.size; offset += RAW_READ_BYTES) {
		total += (await file.slice(offset, offset + RAW_READ_BYTES).arrayBuffer()).byteLength;
	}
	return total;
}

async function nativeGunzip(file: File): Promise<number> {
	const reader = file.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return total;
		total += value.length;
	}
}

async function headers(file: File): Promise<number> {
	const source = blobSource(file);
	const result = await walkHeadersToHive(
		(offset, length) => source.read(offset, length),
		file.size,
		HIVE_PATH
	);
	return result.hiveBytes;
}

async function scan(file: File): Promise<number> {
	const result = await scanSource(blobSource(file), { name: file.name });
	return result.hive.size;
}

/** Does nothing: the RSS a fresh module worker costs before it reads a byte. */
async function idle(): Promise<number> {
	return 0;
}

const TASKS: Record<string, (file: File) => Promise<number>> = {
	idle,
	raw: rawRead,
	gunzip: nativeGunzip,
	headers,
	scan
};

self.onmessage = async (event: MessageEvent<{ task: string; file: File }>) => {
	const { task, file } = event.data;
	try {
		const run = TASKS[task];
		if (!run) throw new Error(`unknown task ${task}`);
		const started = performance.now();
		const bytes = await run(file);
		self.postMessage({ milliseconds: performance.now() - started, bytes });
	} catch (error) {
		self.postMessage({
			error: error instanceof Error ? `${error.name}: ${error.message}` : String(error)
		});
	}
};
