/**
 * One benchmark case in its own process, so that its peak memory is its own:
 *   node --import tsx scripts/bench/node-scan.ts <layer file>
 * Scans the file with `scanSource` (gzip through fflate) over a FileHandle ByteSource (file-source.ts) and prints one JSON line: time to
 * result, the RSS before the scan and the process's peak RSS (process.resourceUsage().maxRSS),
 * and the peak of V8 heap + ArrayBuffers sampled every 10 ms.
 */

import { scanSource } from '../../src/lib/scan';
import { fileSource } from './file-source';

const SAMPLE_INTERVAL_MS = 10;

async function main(): Promise<void> {
	const file = process.argv[2];
	if (!file) throw new Error('usage: node-scan.ts <layer file>');
	const source = await fileSource(file);
	const javascriptBytes = () => {
		const usage = process.memoryUsage();
		return usage.heapUsed + usage.arrayBuffers;
	};
	const baselineRss = process.memoryUsage.rss();
	const baselineJs = javascriptBytes();
	let peakJs = baselineJs;
	const sampler = setInterval(
		() => (peakJs = Math.max(peakJs, javascriptBytes())),
		SAMPLE_INTERVAL_MS
	);
	let bytesDone = 0;
	const started = performance.now();
	const result = await scanSource(source, {
		name: file,
		// On Node, fflate outruns DecompressionStream, whose web-stream adapter sends every input
		// piece through the thread pool and back (4 GiB layer, to the hive: 341 vs 224 MiB/s out).
		nativeGunzip: null,
		onProgress: (progress) => (bytesDone = progress.bytesDone)
	});
	const milliseconds = performance.now() - started;
	await source.close();
	peakJs = Math.max(peakJs, javascriptBytes());
	clearInterval(sampler);
	console.log(
		JSON.stringify({
			milliseconds,
			baselineRss,
			peakRss: process.resourceUsage().maxRSS * 1024,
			baselineJs,
			peakJs,
			bytesDone,
			hiveBytes: result.hive.size,
			entries: result.entries,
			build: result.facts.version,
			packages: result.facts.packages.length
		})
	);
}

await main();
