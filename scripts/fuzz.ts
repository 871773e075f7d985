/**
 * Seeded mutation fuzzing of Mullion's hive reader and layer scanner.
 *
 *   npx tsx scripts/fuzz.ts [--seconds N] [--seed S] [--workers W] [--cases N] [--case SEED]
 *
 * Cases are mutated hives (opened, walked to the last value, read for Windows facts) and mutated
 * layer tars / gzip / zstd streams (the whole scanSource pipeline). Each case runs in a worker
 * thread with a time cap (a hang names its case seed) and a heap cap; any exception that is not
 * a MullionError is a crash. `--case SEED` rebuilds one case, writes it to .fuzz/ and runs it here.
 * Exits 1 when there was any hang or crash.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { loadCorpus, type CorpusOptions } from './fuzz/corpus';
import { makeCase, runCase } from './fuzz/cases';
import { runFuzz, type FuzzReport } from './fuzz/engine';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function argument(name: string): string | undefined {
	const at = process.argv.indexOf(`--${name}`);
	return at >= 0 ? process.argv[at + 1] : undefined;
}

const HIVE_SHARE = 0.5;
const corpus: CorpusOptions = { repoRoot, shared: !process.argv.includes('--no-shared') };

async function replay(caseSeed: number): Promise<void> {
	const fuzzCase = makeCase(loadCorpus(corpus), caseSeed, HIVE_SHARE);
	const folder = path.join(repoRoot, '.fuzz');
	mkdirSync(folder, { recursive: true });
	const extension =
		fuzzCase.kind === 'hive'
			? 'hive'
			: { none: 'tar', gzip: 'tar.gz', zstd: 'tar.zst' }[fuzzCase.compression];
	const file = path.join(folder, `case-${caseSeed}.${extension}`);
	writeFileSync(file, fuzzCase.bytes);
	console.log(
		`case ${caseSeed}: ${fuzzCase.kind} from ${fuzzCase.base}; ${fuzzCase.steps.join(', ')}`
	);
	console.log(`written to ${path.relative(repoRoot, file)}`);
	const started = performance.now();
	console.log(await runCase(fuzzCase), `${(performance.now() - started).toFixed(0)} ms`);
}

function printReport(report: FuzzReport): void {
	const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
	console.log(
		`\nseed ${report.seed}: ${report.inputs} inputs in ${(report.elapsedMs / 1000).toFixed(1)} s`
	);
	console.log(`  by kind: ${JSON.stringify(report.byKind)}`);
	console.log(
		`  hangs: ${report.hangs.length}   untyped exceptions: ${report.untyped.length}   worker crashes (OOM…): ${report.workerCrashes.length}`
	);
	console.log('  outcomes (ok or MullionError code):');
	for (const [result, count] of Object.entries(report.byResult).sort((a, b) => b[1] - a[1])) {
		console.log(`    ${result.padEnd(22)} ${count}`);
	}
	console.log(
		`  peak worker heap ${mib(report.peakWorkerHeapBytes)}, peak process RSS ${mib(report.peakRssBytes)}`
	);
	if (report.slowest) {
		console.log(
			`  slowest case ${report.slowest.milliseconds.toFixed(0)} ms (case ${report.slowest.caseSeed}, ${report.slowest.base})`
		);
	}
	for (const failure of [...report.hangs, ...report.untyped, ...report.workerCrashes]) {
		console.log(
			`  ${failure.type}: case ${failure.caseSeed} ${failure.base ?? ''} ${failure.steps?.join(', ') ?? ''}: ${failure.message ?? ''}`
		);
	}
}

async function main(): Promise<void> {
	const caseArgument = argument('case');
	if (caseArgument !== undefined) return replay(Number(caseArgument));
	const report = await runFuzz({
		seed: Number(argument('seed') ?? 1),
		seconds: Number(argument('seconds') ?? 60),
		maxCases: argument('cases') === undefined ? undefined : Number(argument('cases')),
		workers: Number(argument('workers') ?? Math.max(1, availableParallelism())),
		caseTimeoutMs: Number(argument('case-timeout-ms') ?? 10_000),
		workerHeapMiB: 1024,
		hiveShare: HIVE_SHARE,
		corpus,
		onFailure: (failure) =>
			console.log(`! ${failure.type} case ${failure.caseSeed}: ${failure.message ?? ''}`)
	});
	printReport(report);
	if (report.hangs.length + report.untyped.length + report.workerCrashes.length > 0)
		process.exitCode = 1;
}

await main();
