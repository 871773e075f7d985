/**
 * Node-side limits and baselines: a raw sequential read (fh.read, 8 MiB), native gunzip of the
 * whole file (DecompressionStream, and node:zlib's stream, the faster one), the headers-plus-hive walker (over fh.read and
 * over the same FileHandle ByteSource Mullion is given), GNU tar + hivexget, and Mullion itself in a
 * child process (for its own peak memory).
 */

import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { fileSource } from './file-source';
import { walkHeadersToHive } from './header-walker';
import { HIVE_PATH } from './hive-path';

const RAW_READ_BYTES = 8 * 1024 * 1024;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface Timed {
	milliseconds: number;
	bytes: number;
}

async function timed(run: () => Promise<number>): Promise<Timed> {
	const started = performance.now();
	const bytes = await run();
	return { milliseconds: performance.now() - started, bytes };
}

/** Sequential fh.read of the whole file in 8 MiB pieces. */
export function rawRead(file: string): Promise<Timed> {
	return timed(async () => {
		const handle = await open(file);
		const buffer = new Uint8Array(RAW_READ_BYTES);
		let total = 0;
		try {
			for (;;) {
				const { bytesRead } = await handle.read(buffer, 0, RAW_READ_BYTES, total);
				if (bytesRead === 0) return total;
				total += bytesRead;
			}
		} finally {
			await handle.close();
		}
	});
}

/** Native DecompressionStream('gzip') over the file's stream; bytes = decompressed bytes. */
export function nativeGunzip(file: string): Promise<Timed> {
	return timed(async () => {
		const source = await fileSource(file);
		const gunzip = new DecompressionStream('gzip') as unknown as TransformStream<
			Uint8Array,
			Uint8Array
		>;
		const stream = source.stream().pipeThrough(gunzip);
		let total = 0;
		for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) total += chunk.length;
		await source.close();
		return total;
	});
}

/** node:zlib's gunzip stream over a 1 MiB-chunk read stream; bytes = decompressed bytes. */
export function zlibGunzip(file: string): Promise<Timed> {
	return timed(async () => {
		let total = 0;
		const gunzip = createReadStream(file, { highWaterMark: RAW_READ_BYTES / 8 }).pipe(
			createGunzip()
		);
		for await (const chunk of gunzip as AsyncIterable<Buffer>) total += chunk.length;
		return total;
	});
}

/** The headers-plus-hive walker; `io` picks bare fh.read or the ByteSource Mullion is given. */
export function headersWalk(file: string, io: 'fh' | 'source'): Promise<Timed> {
	return timed(async () => {
		if (io === 'source') {
			const source = await fileSource(file);
			try {
				const read = (offset: number, length: number) => source.read(offset, length);
				return (await walkHeadersToHive(read, source.size, HIVE_PATH)).hiveBytes;
			} finally {
				await source.close();
			}
		}
		const handle = await open(file);
		try {
			const { size } = await handle.stat();
			const read = async (offset: number, length: number) => {
				const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
				await handle.read(buffer, 0, buffer.length, offset);
				return buffer;
			};
			return (await walkHeadersToHive(read, size, HIVE_PATH)).hiveBytes;
		} finally {
			await handle.close();
		}
	});
}

export interface NodeScan {
	milliseconds: number;
	baselineRss: number;
	peakRss: number;
	baselineJs: number;
	peakJs: number;
	bytesDone: number;
	hiveBytes: number;
	entries: number;
	build: string;
	packages: number;
}

/** Mullion's scanSource over a FileHandle ByteSource, in a fresh Node process. */
export function mullionNode(file: string): NodeScan {
	const child = spawnSync(
		process.execPath,
		['--import', 'tsx', path.join(repoRoot, 'scripts/bench/node-scan.ts'), file],
		{
			cwd: repoRoot,
			encoding: 'utf8',
			maxBuffer: 1 << 20
		}
	);
	if (child.status !== 0) throw new Error(`node-scan failed: ${child.stderr}`);
	return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as NodeScan;
}

export interface ByHand {
	milliseconds: number;
	build: string;
}

/** `tar -x[z]f layer --wildcards <hive>` then `hivexget … CurrentBuildNumber`; undefined without hivexget. */
export function byHand(file: string, gzip: boolean): ByHand | undefined {
	if (!existsSync('/usr/bin/hivexget')) return undefined;
	const folder = mkdtempSync(path.join(tmpdir(), 'mullion-bench-'));
	try {
		const started = performance.now();
		const tar = spawnSync(
			'tar',
			[
				'--warning=no-unknown-keyword',
				gzip ? '-xzf' : '-xf',
				file,
				'-C',
				folder,
				'--wildcards',
				HIVE_PATH
			],
			{ encoding: 'utf8' }
		);
		if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.slice(-500)}`);
		const hivex = spawnSync(
			'hivexget',
			[
				path.join(folder, HIVE_PATH),
				'\\Microsoft\\Windows NT\\CurrentVersion',
				'CurrentBuildNumber'
			],
			{ encoding: 'utf8' }
		);
		const milliseconds = performance.now() - started;
		if (hivex.status !== 0) throw new Error(`hivexget failed: ${hivex.stderr}`);
		return { milliseconds, build: hivex.stdout.trim() };
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}
