/**
 * Stream-writes Windows-shaped layer tars for the benchmark: PAX headers as Go's archive/tar
 * writes them for hcsshim (MSWINDOWS.* records, PAX `path` for long names), directories, file
 * bodies of mixed content (pseudo-random 64 KiB pieces of a few 1 MiB blocks and zero runs,
 * about 2:1 under gzip like real DLLs), and the SOFTWARE hive at a given share of the entries.
 * Never holds more than one 8 MiB output buffer plus the hive and the random blocks.
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { headerBlock, paxBody } from '../../tests/helpers/tar-writer';
import { Prng } from '../fuzz/prng';
import { HIVE_PATH } from './hive-path';

const BLOCK = 512;
const OUTPUT_BUFFER_BYTES = 8 * 1024 * 1024;
const PIECE_BYTES = 64 * 1024;
const RANDOM_BLOCK_BYTES = 1024 * 1024;
const RANDOM_BLOCKS = 8;
/** One directory entry per this many files. */
const FILES_PER_DIRECTORY = 24;

export interface LayerSpec {
	/** Total tar size to aim for, in bytes. */
	targetBytes: number;
	entries: number;
	hive: Uint8Array;
	/** Share of the entries written before the hive (0.4: the hive is 40 % into the tar). */
	hivePosition: number;
	seed: number;
}

export interface LayerManifest {
	bytes: number;
	entries: number;
	hiveBytes: number;
	/** Offset of the first byte after the hive body (what a scan that stops there has read). */
	hiveEndOffset: number;
}

const WINDOWS_PAX = {
	'MSWINDOWS.fileattr': '32',
	'MSWINDOWS.rawsd': 'AQAAgBQAAAAkAAAAAAAAAAAAAAABAgAAAAAABSAAAAAhAgAAAQIAAAAAAAUgAAAAIQIAAA==',
	'LIBARCHIVE.creationtime': '1670918400'
};
const DIRECTORY_PAX = { ...WINDOWS_PAX, 'MSWINDOWS.fileattr': '16' };

/** Buffered sequential writer over a file descriptor. */
class Output {
	private buffer = new Uint8Array(OUTPUT_BUFFER_BYTES);
	private used = 0;
	written = 0;

	constructor(private readonly descriptor: number) {}

	write(bytes: Uint8Array): void {
		if (this.used + bytes.length > this.buffer.length) this.flush();
		if (bytes.length > this.buffer.length) {
			writeSync(this.descriptor, bytes);
		} else {
			this.buffer.set(bytes, this.used);
			this.used += bytes.length;
		}
		this.written += bytes.length;
	}

	flush(): void {
		if (this.used > 0) writeSync(this.descriptor, this.buffer, 0, this.used);
		this.used = 0;
	}
}

/** File sizes with a long tail (most files small, a few MiB-sized), scaled to `totalBytes`. */
function fileSizes(count: number, totalBytes: number, random: Prng): number[] {
	const smallest = Math.log(256);
	const largest = Math.log(24 * 1024 * 1024);
	const raw = Array.from({ length: count }, () => {
		const u = random.next() / 0x1_0000_0000;
		return Math.exp(smallest + u ** 3 * (largest - smallest));
	});
	const sum = raw.reduce((total, size) => total + size, 0);
	return raw.map((size) => Math.max(1, Math.round((size / sum) * totalBytes)));
}

function randomBlocks(random: Prng): Uint8Array[] {
	return Array.from({ length: RANDOM_BLOCKS }, () => {
		const block = new Uint8Array(RANDOM_BLOCK_BYTES);
		const words = new Uint32Array(block.buffer);
		for (let index = 0; index < words.length; index++) words[index] = random.next();
		return block;
	});
}

function writeEntry(output: Output, path: string, type: 'file' | 'directory', size: number): void {
	const pax: Record<string, string> =
		type === 'directory' ? { ...DIRECTORY_PAX } : { ...WINDOWS_PAX };
	if (new TextEncoder().encode(path).length > 100) pax['path'] = path;
	const body = paxBody(pax);
	output.write(headerBlock({ name: 'PaxHeaders/entry', typeflag: 'x', size: body.length }));
	output.write(padded(body));
	const name = path.length > 100 ? path.slice(0, 100) : path;
	output.write(headerBlock({ name, typeflag: type === 'directory' ? '5' : '0', size }));
}

function padded(body: Uint8Array): Uint8Array {
	const out = new Uint8Array(Math.ceil(body.length / BLOCK) * BLOCK);
	out.set(body);
	return out;
}

/** Writes `size` bytes of mixed body plus padding. */
function writeBody(
	output: Output,
	size: number,
	blocks: Uint8Array[],
	random: Prng,
	zeros: Uint8Array
) {
	for (let done = 0; done < size; done += PIECE_BYTES) {
		const length = Math.min(PIECE_BYTES, size - done);
		if (random.chance(0.5)) output.write(zeros.subarray(0, length));
		else {
			const block = random.pick(blocks);
			const start = random.below(RANDOM_BLOCK_BYTES - length);
			output.write(block.subarray(start, start + length));
		}
	}
	const padding = (BLOCK - (size % BLOCK)) % BLOCK;
	if (padding > 0) output.write(zeros.subarray(0, padding));
}

function componentPath(index: number): string {
	const component = `amd64_microsoft-windows-component-${String(Math.floor(index / FILES_PER_DIRECTORY)).padStart(6, '0')}_31bf3856ad364e35_10.0.20348.1366_none_0123456789abcdef`;
	return `Files/Windows/WinSxS/${component}`;
}

/** Writes the layer to `file` and returns where the hive ended up. */
export function writeLayer(file: string, spec: LayerSpec): LayerManifest {
	const random = new Prng(spec.seed);
	const blocks = randomBlocks(random);
	const zeros = new Uint8Array(PIECE_BYTES);
	const fileCount = Math.floor(spec.entries * (FILES_PER_DIRECTORY / (FILES_PER_DIRECTORY + 1)));
	const sizes = fileSizes(fileCount, spec.targetBytes - spec.hive.length, random);
	const hiveAfter = Math.floor(fileCount * spec.hivePosition);
	const descriptor = openSync(file, 'w');
	const output = new Output(descriptor);
	let entries = 0;
	let hiveEndOffset = 0;
	for (const directory of [
		'Files',
		'Files/Windows',
		'Files/Windows/System32',
		'Files/Windows/System32/config',
		'Files/Windows/WinSxS'
	]) {
		writeEntry(output, directory, 'directory', 0);
		entries++;
	}
	for (let index = 0; index < fileCount; index++) {
		if (index === hiveAfter) {
			writeEntry(output, HIVE_PATH, 'file', spec.hive.length);
			output.write(padded(spec.hive));
			hiveEndOffset = output.written;
			entries++;
		}
		if (index % FILES_PER_DIRECTORY === 0) {
			writeEntry(output, componentPath(index), 'directory', 0);
			entries++;
		}
		const size = sizes[index] ?? 0;
		writeEntry(output, `${componentPath(index)}/payload-${index}.dll`, 'file', size);
		writeBody(output, size, blocks, random, zeros);
		entries++;
	}
	output.write(new Uint8Array(BLOCK * 2));
	output.flush();
	closeSync(descriptor);
	return { bytes: output.written, entries, hiveBytes: spec.hive.length, hiveEndOffset };
}
