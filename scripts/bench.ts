/**
 * Mullion's benchmark: time to result and peak memory on realistic Windows layers, next to the
 * limits of the machine, in Node and in headless Chromium, measured in the same run.
 *
 *   npx tsx scripts/bench.ts [--quick | --full]     (default --quick)
 *
 * Layers are generated into .bench/ (kept between runs): a Nano Server-like layer (300 MiB,
 * 10 000 entries) and a Server Core-like one (1 GiB / 40 000 entries in --quick, 4 GiB /
 * 100 000 entries in --full) with the ~50 MiB synthetic SOFTWARE hive, plain and gzip (pigz -6
 * when installed, else node:zlib level 6). All reads are warm (the page cache cannot be dropped
 * here): every file is read once before it is measured.
 */

import { spawnSync } from 'node:child_process';
import {
	createReadStream,
	createWriteStream,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	statSync,
	writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip, gunzipSync } from 'node:zlib';
import { openHive } from '../src/lib/hive/hive';
import { decodeIndex } from '../src/lib/msrc/index-codec';
import { matchImage } from '../src/lib/msrc/match';
import { readWindowsFacts } from '../src/lib/windows/facts';
import { BrowserBench, type BrowserTaskResult } from './bench/browser';
import { writeLayer, type LayerManifest } from './bench/layer-generator';
import {
	byHand,
	headersWalk,
	mullionNode,
	nativeGunzip,
	rawRead,
	zlibGunzip,
	type NodeScan,
	type Timed
} from './bench/node-limits';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const benchFolder = path.join(repoRoot, '.bench');
const MiB = 1024 * 1024;
const GENERATOR_VERSION = 1;
const MATCH_RUNS = 25;
/** Extra memory allowed on top of the hive, in bytes (the target: peak ≤ hive + 64 MiB). */
const MEMORY_HEADROOM_BYTES = 64 * MiB;

const full = process.argv.includes('--full');
const repeats = full ? 3 : 1;

interface LayerCase {
	name: string;
	targetBytes: number;
	entries: number;
	hiveFile: string;
	hivePosition: number;
}

const LAYERS: LayerCase[] = [
	{
		name: 'nanoserver-like',
		targetBytes: 300 * MiB,
		entries: 10_000,
		hiveFile: 'nanoserver-ltsc2022.hive',
		hivePosition: 0.4
	},
	full
		? {
				name: 'servercore-like-4g',
				targetBytes: 4096 * MiB,
				entries: 100_000,
				hiveFile: 'large-synthetic.hive.gz',
				hivePosition: 0.4
			}
		: {
				name: 'servercore-like-1g',
				targetBytes: 1024 * MiB,
				entries: 40_000,
				hiveFile: 'large-synthetic.hive.gz',
				hivePosition: 0.4
			}
];

function readHive(name: string): Uint8Array {
	const bytes = readFileSync(path.join(repoRoot, 'tests/fixtures/software', name));
	return new Uint8Array(name.endsWith('.gz') ? gunzipSync(bytes) : bytes);
}

function log(message: string): void {
	process.stderr.write(`${message}\n`);
}

/** Generates (or reuses) the plain tar of one layer case. */
function ensureLayer(layer: LayerCase): { file: string; manifest: LayerManifest } {
	const file = path.join(benchFolder, `${layer.name}.tar`);
	const manifestFile = `${file}.json`;
	const key = JSON.stringify({ ...layer, version: GENERATOR_VERSION });
	if (existsSync(manifestFile) && existsSync(file)) {
		const saved = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
			key: string;
			manifest: LayerManifest;
		};
		if (saved.key === key && statSync(file).size === saved.manifest.bytes)
			return { file, manifest: saved.manifest };
	}
	log(`generating ${path.relative(repoRoot, file)} …`);
	const manifest = writeLayer(file, {
		targetBytes: layer.targetBytes,
		entries: layer.entries,
		hive: readHive(layer.hiveFile),
		hivePosition: layer.hivePosition,
		seed: 42
	});
	writeFileSync(manifestFile, JSON.stringify({ key, manifest }));
	if (existsSync(`${file}.gz`)) writeFileSync(`${file}.gz`, '');
	return { file, manifest };
}

/** Gzips (or reuses) the tar; returns the tool used. */
async function ensureGzip(file: string): Promise<{ file: string; tool: string }> {
	const gz = `${file}.gz`;
	const pigz = spawnSync('pigz', ['--version'], { encoding: 'utf8' }).status === 0;
	const tool = pigz ? `pigz -6 (${os.availableParallelism()} threads)` : 'node:zlib level 6';
	if (existsSync(gz) && statSync(gz).size > 0 && statSync(gz).mtimeMs >= statSync(file).mtimeMs)
		return { file: gz, tool };
	log(`compressing with ${tool} …`);
	if (pigz) {
		const child = spawnSync('sh', ['-c', 'pigz -6 -n -c "$1" > "$2"', 'sh', file, gz], {
			encoding: 'utf8'
		});
		if (child.status !== 0) throw new Error(`pigz failed: ${child.stderr}`);
	} else {
		await pipeline(createReadStream(file), createGzip({ level: 6 }), createWriteStream(gz));
	}
	return { file: gz, tool };
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Runs `measure` `count` times and keeps the run with the median time. */
async function medianOf<T extends { milliseconds: number }>(
	count: number,
	measure: () => Promise<T> | T
): Promise<T> {
	const runs: T[] = [];
	for (let run = 0; run < count; run++) runs.push(await measure());
	runs.sort((a, b) => a.milliseconds - b.milliseconds);
	return runs[Math.floor(runs.length / 2)] as T;
}

interface Row {
	layer: string;
	compression: 'none' | 'gzip';
	fileBytes: number;
	tarBytes: number;
	entries: number;
	hiveBytes: number;
	hiveEndOffset: number;
	node: { scan: NodeScan; raw: Timed; limit: Timed; limitFh?: Timed; limitStream?: Timed };
	chromium?: {
		scan: BrowserTaskResult;
		raw: BrowserTaskResult;
		limit: BrowserTaskResult;
		idle: BrowserTaskResult;
	};
	byHand?: { milliseconds: number; build: string };
}

async function measure(
	layer: LayerCase,
	manifest: LayerManifest,
	file: string,
	compression: 'none' | 'gzip',
	browser: BrowserBench | undefined
): Promise<Row> {
	const gzip = compression === 'gzip';
	log(`measuring ${path.basename(file)} …`);
	const nodeRaw = await medianOf(repeats, () => rawRead(file)); // also warms the page cache
	// Gzip: the faster of Node's two native decoders is the limit (DecompressionStream is slower).
	const nodeLimitStream = gzip ? await nativeGunzip(file) : undefined;
	const nodeLimitZlib = gzip ? await zlibGunzip(file) : undefined;
	const faster = (a: Timed, b: Timed) => (a.milliseconds <= b.milliseconds ? a : b);
	const nodeLimit =
		nodeLimitStream && nodeLimitZlib
			? faster(nodeLimitZlib, nodeLimitStream)
			: await medianOf(repeats, () => headersWalk(file, 'source'));
	const nodeLimitFh = gzip ? undefined : await medianOf(repeats, () => headersWalk(file, 'fh'));
	const nodeScan = await medianOf(gzip ? 1 : repeats, () => mullionNode(file));
	const row: Row = {
		layer: layer.name,
		compression,
		fileBytes: statSync(file).size,
		tarBytes: manifest.bytes,
		entries: manifest.entries,
		hiveBytes: manifest.hiveBytes,
		hiveEndOffset: manifest.hiveEndOffset,
		node: {
			scan: nodeScan,
			raw: nodeRaw,
			limit: nodeLimit,
			limitFh: nodeLimitFh,
			limitStream: nodeLimitStream
		}
	};
	if (browser) {
		const raw = await browser.run('raw', file);
		const limit = gzip
			? await browser.run('gunzip', file)
			: await medianOf(repeats, () => browser.run('headers', file));
		const scan = await medianOf(gzip ? 1 : repeats, () => browser.run('scan', file));
		const idle = await browser.run('idle', file);
		row.chromium = { scan, raw, limit, idle };
	}
	row.byHand = byHand(file, gzip);
	return row;
}

function matchBench():
	{ first: number; median: number; findings: number; runs: number } | undefined {
	const folder = path.join(repoRoot, 'static/msrc');
	const name = readdirSync(folder).find(
		(entry) => /^index\b.*\.(gz|json|bin)$/.test(entry) && !entry.includes('meta')
	);
	if (!name) return undefined;
	const index = decodeIndex(new Uint8Array(readFileSync(path.join(folder, name))));
	const { facts } = readWindowsFacts(openHive(readHive('large-synthetic.hive.gz')).root());
	const now = new Date(index.months[index.months.length - 1]?.initialReleaseDate ?? Date.now());
	const times: number[] = [];
	let findings = 0;
	for (let run = 0; run < MATCH_RUNS; run++) {
		const started = performance.now();
		findings = matchImage(facts, index, { now }).findings.length;
		times.push(performance.now() - started);
	}
	return { first: times[0] ?? NaN, median: median(times.slice(1)), findings, runs: MATCH_RUNS };
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB`;
const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)} s`;
const rate = (bytes: number, milliseconds: number) =>
	`${(bytes / MiB / (milliseconds / 1000)).toFixed(0)} MiB/s`;

/** "ok" or how far off the target is. */
function verdict(passed: boolean, miss: string): string {
	return passed ? 'ok' : `MISSED (${miss})`;
}

function printRow(row: Row): void {
	const gzip = row.compression === 'gzip';
	console.log(
		`\n## ${row.layer}${gzip ? '.tar.gz' : '.tar'} — ${mib(row.fileBytes)} file, ${mib(row.tarBytes)} tar, ${row.entries} entries, hive ${mib(row.hiveBytes)} ending at ${mib(row.hiveEndOffset)}`
	);
	console.log('| measure | Node | Chromium worker |');
	console.log('| --- | --- | --- |');
	const c = row.chromium;
	const n = row.node;
	console.log(
		`| raw sequential read, 8 MiB pieces | ${seconds(n.raw.milliseconds)} (${rate(n.raw.bytes, n.raw.milliseconds)}) | ${c ? `${seconds(c.raw.milliseconds)} (${rate(c.raw.bytes, c.raw.milliseconds)})` : '—'} |`
	);
	if (gzip) {
		const stream = n.limitStream ?? n.limit;
		console.log(
			`| native DecompressionStream gunzip, whole file | ${seconds(stream.milliseconds)} (${rate(stream.bytes, stream.milliseconds)} out) | ${c ? `${seconds(c.limit.milliseconds)} (${rate(c.limit.bytes, c.limit.milliseconds)} out)` : '—'} |`
		);
		if (n.limitStream && n.limit !== n.limitStream)
			console.log(
				`| node:zlib gunzip stream, whole file (Node's limit) | ${seconds(n.limit.milliseconds)} (${rate(n.limit.bytes, n.limit.milliseconds)} out) | — |`
			);
	} else {
		console.log(
			`| headers-plus-hive limit (same I/O as Mullion) | ${seconds(n.limit.milliseconds)} | ${c ? seconds(c.limit.milliseconds) : '—'} |`
		);
		if (n.limitFh)
			console.log(
				`| headers-plus-hive limit over fh.read | ${seconds(n.limitFh.milliseconds)} | — |`
			);
	}
	const scanRate = (milliseconds: number) =>
		gzip ? ` (${rate(row.hiveEndOffset, milliseconds)} out)` : '';
	console.log(
		`| **Mullion, time to result** | **${seconds(n.scan.milliseconds)}**${scanRate(n.scan.milliseconds)} | ${c ? `**${seconds(c.scan.milliseconds)}**${scanRate(c.scan.milliseconds)}` : '—'} |`
	);
	const nodeMemory = n.scan.peakRss - n.scan.baselineRss;
	console.log(
		`| Mullion peak memory above idle | RSS +${mib(nodeMemory)} (JS heap + ArrayBuffers +${mib(n.scan.peakJs - n.scan.baselineJs)}) | ${c ? `renderer RSS +${mib(c.scan.rssDelta)} (an idle worker: +${mib(c.idle.rssDelta)}; the ${gzip ? 'native gunzip' : 'headers-plus-hive'} limit task: +${mib(c.limit.rssDelta)})` : '—'} |`
	);
	if (row.byHand)
		console.log(
			`| GNU tar -x${gzip ? 'z' : ''}f + hivexget (by hand) | ${seconds(row.byHand.milliseconds)} (build ${row.byHand.build}) | — |`
		);
	console.log('\nTargets:');
	for (const [where, scanMs, limit, memory] of [
		['Node', n.scan.milliseconds, n.limit, nodeMemory],
		...(c ? [['Chromium', c.scan.milliseconds, c.limit, c.scan.rssDelta] as const] : [])
	] as const) {
		if (gzip) {
			const ours = row.hiveEndOffset / scanMs;
			const native = limit.bytes / limit.milliseconds;
			const ratio = ours / native;
			console.log(
				`- ${where} gzip throughput ≥ 0.9 × native gunzip: ${ratio.toFixed(2)} × → ${verdict(ratio >= 0.9, `${((0.9 - ratio) * 100).toFixed(0)} points short`)}`
			);
		} else {
			const ratio = scanMs / limit.milliseconds;
			console.log(
				`- ${where} plain ≤ 1.1 × headers-plus-hive limit: ${ratio.toFixed(2)} × → ${verdict(ratio <= 1.1, `${((ratio / 1.1 - 1) * 100).toFixed(0)} % over`)}`
			);
		}
		const budget = row.hiveBytes + MEMORY_HEADROOM_BYTES;
		console.log(
			`- ${where} peak memory ≤ hive + 64 MiB (${mib(budget)}): +${mib(memory)} → ${verdict(memory <= budget, `${mib(memory - budget)} over`)}`
		);
	}
}

async function main(): Promise<void> {
	mkdirSync(benchFolder, { recursive: true });
	const started = performance.now();
	log(`mode: ${full ? 'full' : 'quick'}`);
	let browser: BrowserBench | undefined;
	try {
		browser = await BrowserBench.start();
	} catch (error) {
		log(
			`Chromium unavailable, browser columns skipped: ${error instanceof Error ? error.message : error}`
		);
	}
	const rows: Row[] = [];
	let gzipTool = '';
	try {
		for (const layer of LAYERS) {
			const { file, manifest } = ensureLayer(layer);
			const gz = await ensureGzip(file);
			gzipTool = gz.tool;
			rows.push(await measure(layer, manifest, file, 'none', browser));
			rows.push(await measure(layer, manifest, gz.file, 'gzip', browser));
		}
	} finally {
		await browser?.close();
	}
	const match = matchBench();
	console.log(`# Mullion benchmark (${full ? '--full' : '--quick'})`);
	console.log(
		`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${mib(os.totalmem())} RAM, Node ${process.version}${browser ? `, Chromium ${browser.version()}` : ''}; warm page cache; gzip by ${gzipTool}; hive placed ${LAYERS[0]?.hivePosition ?? 0.4} of the way into each layer; ${repeats === 1 ? 'one run each' : `median of ${repeats} for plain-tar rows, one run for gzip rows`}.`
	);
	for (const row of rows) printRow(row);
	const overheads = rows
		.filter((row) => row.compression === 'none')
		.map((row) => row.node.scan.peakRss - row.node.scan.baselineRss - row.hiveBytes);
	if (overheads.length === 2)
		console.log(
			`\nNode memory above the hive, smallest vs largest plain layer: ${mib(overheads[0] ?? 0)} vs ${mib(overheads[1] ?? 0)}`
		);
	if (match) {
		console.log(
			`\n## Matching one image (Server Core 2022, ${match.findings} open findings) against the whole MSRC index`
		);
		console.log(
			`- first run ${match.first.toFixed(1)} ms; median of the next ${match.runs - 1}: ${match.median.toFixed(1)} ms → target < 50 ms: ${verdict(match.median < 50, `${(match.median - 50).toFixed(0)} ms over`)}`
		);
	}
	console.log(`\n(bench took ${seconds(performance.now() - started)})`);
}

await main();
