/**
 * Runs fuzz cases in worker threads under a watchdog: each case has a time cap (a case that
 * does not answer in time is a hang; its worker is killed and replaced) and each worker a heap
 * cap (running out of it is a crash). Case seeds come from the run seed, so any case can be
 * replayed alone with `--case <seed>`.
 */

import { Worker } from 'node:worker_threads';
import type { CorpusOptions } from './corpus';
import { mixSeed } from './prng';

export interface FuzzOptions {
	seed: number;
	/** Stop dispatching after this many seconds … */
	seconds?: number;
	/** … or after this many cases, whichever comes first. */
	maxCases?: number;
	workers: number;
	/** A case running longer than this is a hang, in milliseconds. */
	caseTimeoutMs: number;
	/** Heap cap per worker (old generation), in MiB. */
	workerHeapMiB: number;
	hiveShare: number;
	corpus: CorpusOptions;
	/** Called for each hang or crash as it happens. */
	onFailure?: (failure: CaseFailure) => void;
}

/** A case that hung or crashed, with what is needed to replay it. */
export interface CaseFailure {
	type: 'hang' | 'untyped' | 'worker-crash';
	caseSeed: number;
	kind?: string;
	base?: string;
	steps?: string[];
	message?: string;
	stack?: string;
}

export interface FuzzReport {
	seed: number;
	inputs: number;
	byKind: Record<string, number>;
	/** Outcome counts: 'ok' or a MullionError code. */
	byResult: Record<string, number>;
	hangs: CaseFailure[];
	untyped: CaseFailure[];
	workerCrashes: CaseFailure[];
	peakRssBytes: number;
	peakWorkerHeapBytes: number;
	slowest: { milliseconds: number; caseSeed: number; base: string } | undefined;
	elapsedMs: number;
}

interface DoneMessage {
	type: 'done';
	index: number;
	caseSeed: number;
	kind: string;
	base: string;
	compression: string;
	steps: string[];
	outcome: { result: string; message?: string; stack?: string };
	milliseconds: number;
	heapBytes: number;
	rssBytes: number;
}

const WORKER_URL = new URL('./worker-bootstrap.mjs', import.meta.url);

/** Runs the fuzzer and resolves with the counts once every dispatched case has ended. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
	const report: FuzzReport = {
		seed: options.seed,
		inputs: 0,
		byKind: {},
		byResult: {},
		hangs: [],
		untyped: [],
		workerCrashes: [],
		peakRssBytes: 0,
		peakWorkerHeapBytes: 0,
		slowest: undefined,
		elapsedMs: 0
	};
	const started = Date.now();
	let nextIndex = 0;
	const wantMore = () =>
		nextIndex < (options.maxCases ?? Infinity) &&
		(options.seconds === undefined || Date.now() - started < options.seconds * 1000);
	const lanes = Array.from({ length: options.workers }, () => runLane());
	await Promise.all(lanes);
	report.elapsedMs = Date.now() - started;
	return report;

	/** One worker slot: runs cases one after another, replacing its worker after a hang/crash. */
	async function runLane(): Promise<void> {
		let worker = await startWorker(options);
		try {
			while (wantMore()) {
				const index = nextIndex++;
				const caseSeed = mixSeed(options.seed, index);
				const answer = await runOne(worker, index, caseSeed, options.caseTimeoutMs);
				report.inputs++;
				if (answer.type === 'done') {
					record(answer);
					continue;
				}
				const failure: CaseFailure = { type: answer.type, caseSeed, message: answer.message };
				(answer.type === 'hang' ? report.hangs : report.workerCrashes).push(failure);
				options.onFailure?.(failure);
				await worker.terminate();
				worker = await startWorker(options);
			}
		} finally {
			await worker.terminate();
		}
	}

	function record(done: DoneMessage): void {
		report.byKind[done.kind] = (report.byKind[done.kind] ?? 0) + 1;
		report.byResult[done.outcome.result] = (report.byResult[done.outcome.result] ?? 0) + 1;
		report.peakRssBytes = Math.max(report.peakRssBytes, done.rssBytes);
		report.peakWorkerHeapBytes = Math.max(report.peakWorkerHeapBytes, done.heapBytes);
		if (!report.slowest || done.milliseconds > report.slowest.milliseconds) {
			report.slowest = {
				milliseconds: done.milliseconds,
				caseSeed: done.caseSeed,
				base: done.base
			};
		}
		if (done.outcome.result !== 'untyped') return;
		const failure: CaseFailure = {
			type: 'untyped',
			caseSeed: done.caseSeed,
			kind: done.kind,
			base: done.base,
			steps: done.steps,
			message: done.outcome.message,
			stack: done.outcome.stack
		};
		report.untyped.push(failure);
		options.onFailure?.(failure);
	}
}

function startWorker(options: FuzzOptions): Promise<Worker> {
	const worker = new Worker(WORKER_URL, {
		workerData: { corpus: options.corpus, hiveShare: options.hiveShare },
		resourceLimits: { maxOldGenerationSizeMb: options.workerHeapMiB }
	});
	return new Promise((resolve, reject) => {
		worker.once('message', () => resolve(worker));
		worker.once('error', reject);
	});
}

type Answer = DoneMessage | { type: 'hang' | 'worker-crash'; message: string };

function runOne(
	worker: Worker,
	index: number,
	caseSeed: number,
	timeoutMs: number
): Promise<Answer> {
	return new Promise((resolve) => {
		const finish = (answer: Answer) => {
			clearTimeout(timer);
			worker.off('message', onMessage);
			worker.off('error', onError);
			worker.off('exit', onExit);
			resolve(answer);
		};
		const onMessage = (message: DoneMessage) => {
			if (message.type === 'done' && message.index === index) finish(message);
		};
		const onError = (error: Error) => finish({ type: 'worker-crash', message: error.message });
		const onExit = (code: number) =>
			finish({ type: 'worker-crash', message: `worker exited (${code})` });
		const timer = setTimeout(
			() => finish({ type: 'hang', message: `no answer within ${timeoutMs} ms` }),
			timeoutMs
		);
		worker.on('message', onMessage);
		worker.on('error', onError);
		worker.on('exit', onExit);
		worker.postMessage({ index, caseSeed });
	});
}
