/**
 * Fuzz worker thread: loads the corpus once, then builds and runs the cases the main thread
 * names by case seed, answering with the outcome, the time taken and its memory use.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { loadCorpus, type CorpusOptions } from './corpus';
import { makeCase, runCase } from './cases';

interface WorkerData {
	corpus: CorpusOptions;
	hiveShare: number;
}

const data = workerData as WorkerData;
const corpus = loadCorpus(data.corpus);
const port = parentPort;
if (!port) throw new Error('fuzz worker: no parent port');
port.postMessage({ type: 'ready', hives: corpus.hives.length, tars: corpus.tars.length });
port.on('message', async (message: { index: number; caseSeed: number }) => {
	const fuzzCase = makeCase(corpus, message.caseSeed, data.hiveShare);
	const started = performance.now();
	const outcome = await runCase(fuzzCase);
	port.postMessage({
		type: 'done',
		index: message.index,
		caseSeed: message.caseSeed,
		kind: fuzzCase.kind,
		base: fuzzCase.base,
		compression: fuzzCase.compression,
		steps: fuzzCase.steps,
		outcome,
		milliseconds: performance.now() - started,
		heapBytes: getHeapStatistics().used_heap_size,
		rssBytes: process.memoryUsage.rss()
	});
});
