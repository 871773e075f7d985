/// <reference lib="webworker" />
/**
 * Benchmark worker for headless Chromium (bundled by scripts/bench/browser.ts, never shipped):
 * runs one task on the File it is given and answers with the time it took, measured here.
 * Tasks: 'scan' (Mullion's scanSource over the File), 'raw' (sequential 8 MiB file.slice reads),
 * 'gunzip' or 'gunzip:<bytes>' (native DecompressionStream over file.stream(), all of it or up to
 * that much output), 'headers' (the headers-plus-hive
 * limit walker over 1 MiB file.slice windows), 'idle' (nothing: the cost of the worker itself).
 */

import { decompressedStream } from '../../src/lib/archive/compression';
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

/** Reads `stream` to its end, or until `outputBytes` have come; returns the bytes read. */
async function drain(stream: ReadableStream<Uint8Array>, outputBytes = Infinity): Promise<number> {
	const reader = stream.getReader();
	let total = 0;
	while (total < outputBytes) {
		const { done, value } = await reader.read();
		if (done) return total;
		total += value.length;
	}
	await reader.cancel();
	return total;
}

/** Native gunzip of the file, or of its first `outputBytes` decompressed bytes. */
function nativeGunzip(file: File, outputBytes?: number): Promise<number> {
	return drain(file.stream().pipeThrough(new DecompressionStream('gzip')), outputBytes);
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

/** Mullion's decompressed stream alone (no tar parsing), all of it or its first `outputBytes`. */
function decompress(file: File, outputBytes?: number): Promise<number> {
	return drain(decompressedStream(blobSource(file), 'gzip'), outputBytes);
}

/** Does nothing: the RSS a fresh module worker costs before it reads a byte. */
async function idle(): Promise<number> {
	return 0;
}

const TASKS: Record<string, (file: File, argument?: number) => Promise<number>> = {
	idle,
	decompress,
	raw: rawRead,
	gunzip: nativeGunzip,
	headers,
	scan
};

self.onmessage = async (event: MessageEvent<{ task: string; file: File }>) => {
	const [name = '', argument] = event.data.task.split(':');
	const file = event.data.file;
	try {
		const run = TASKS[name];
		if (!run) throw new Error(`unknown task ${event.data.task}`);
		const started = performance.now();
		const bytes = await run(file, argument === undefined ? undefined : Number(argument));
		self.postMessage({ milliseconds: performance.now() - started, bytes });
	} catch (error) {
		self.postMessage({
			error: error instanceof Error ? `${error.name}: ${error.message}` : String(error)
		});
	}
};
