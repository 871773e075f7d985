/**
 * Builds the condensed MSRC index shipped with the app (msrc-cvrf.md §7).
 *
 *   npx tsx scripts/msrc-index.ts [historyDir] [outFile]
 *
 * `historyDir` holds one `<ID>.xml.zst` per CVRF document plus `index.json` (the `/updates` list),
 * as in the MaineK00n/msrc-cvrf-watch snapshot; default `../shared/corpus/msrc/history-20260706`
 * beside the repository. Writes `outFile` (default `static/msrc/index.bin`: gzip of the JSON, named .bin so that static servers do not
 * send it with Content-Encoding: gzip) and, beside it,
 * `index-meta.json` with counts and sizes. Node only.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompress } from 'fzstd';
import { condenseCvrf } from '../src/lib/msrc/cvrf';
import { encodeIndex } from '../src/lib/msrc/index-codec';
import { mergeMonths } from '../src/lib/msrc/merge';
import { MSRC_INDEX_FORMAT, type MsrcIndex, type MsrcMonth } from '../src/lib/msrc/types';
import { parseUpdates, type MsrcUpdate } from '../src/lib/msrc/updates';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultHistory = path.resolve(repoRoot, '../shared/corpus/msrc/history-20260706');
const defaultOut = path.resolve(repoRoot, 'static/msrc/index.bin');

/** Everything one build measured, for the console and for index-meta.json. */
interface BuildReport {
	index: MsrcIndex;
	rawBytes: number;
	slowest: { id: string; milliseconds: number; documentBytes: number };
}

/** Condenses every Security Updates document of `historyDir` into one index. */
export function buildIndex(
	historyDir: string,
	generatedAt = new Date().toISOString()
): BuildReport {
	const updates = parseUpdates(readFileSync(path.join(historyDir, 'index.json'), 'utf8'));
	const months: MsrcMonth[] = [];
	let slowest = { id: '', milliseconds: 0, documentBytes: 0 };
	for (const update of updates) {
		const { month, milliseconds, documentBytes } = condenseFile(historyDir, update);
		months.push(month);
		if (milliseconds > slowest.milliseconds)
			slowest = { id: update.id, milliseconds, documentBytes };
	}
	const empty: MsrcIndex = { format: MSRC_INDEX_FORMAT, generatedAt, months: [] };
	const index = mergeMonths(empty, months).index;
	return { index, rawBytes: Buffer.byteLength(JSON.stringify(index)), slowest };
}

function condenseFile(historyDir: string, update: MsrcUpdate) {
	const file = path.join(historyDir, `${update.id}.xml.zst`);
	if (!existsSync(file)) {
		throw new Error(`${file} is missing: index.json lists ${update.id}, so its document is needed`);
	}
	const text = new TextDecoder().decode(decompress(readFileSync(file)));
	const started = performance.now();
	const month = condenseCvrf(text, { id: update.id });
	return { month, milliseconds: performance.now() - started, documentBytes: text.length };
}

const USAGE = `Usage: npm run msrc:index -- [historyDir] [outFile]

historyDir (default ../shared/corpus/msrc/history-20260706) holds
  index.json          the MSRC /cvrf/v3.0/updates answer (JSON: { "value": [ { "ID": "2024-Jan", … } ] })
  <ID>.xml.zst        one CVRF document per listed ID, XML as the API serves it, zstd-compressed
                      (e.g. curl -s https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/2024-Jan | zstd -o 2024-Jan.xml.zst)
outFile (default static/msrc/index.bin) gets the gzip index; index-meta.json is written beside it.
`;

/** Exits with a message naming the problem (and the usage) instead of a stack trace. */
function fail(problem: string): never {
	process.stderr.write(`msrc:index: ${problem}\n\n${USAGE}`);
	process.exit(1);
}

function main(): void {
	const args = process.argv.slice(2);
	if (args.includes('--help') || args.includes('-h')) {
		process.stdout.write(USAGE);
		return;
	}
	const historyDir = path.resolve(args[0] ?? defaultHistory);
	const outFile = path.resolve(args[1] ?? defaultOut);
	if (!existsSync(historyDir)) fail(`the history folder ${historyDir} does not exist`);
	if (!existsSync(path.join(historyDir, 'index.json'))) {
		fail(`${historyDir} has no index.json (the /updates list)`);
	}
	if (!existsSync(path.dirname(outFile))) fail(`the folder of ${outFile} does not exist`);
	try {
		build(historyDir, outFile);
	} catch (error) {
		fail(error instanceof Error ? error.message : String(error));
	}
}

function build(historyDir: string, outFile: string): void {
	const started = performance.now();
	const { index, rawBytes, slowest } = buildIndex(historyDir);
	if (index.months.length === 0) {
		throw new Error(`no CVRF document listed in ${historyDir}/index.json was condensed`);
	}
	const gzipped = encodeIndex(index);
	writeFileSync(outFile, gzipped);
	const meta = {
		generatedAt: index.generatedAt,
		newestMonth: index.months.at(-1)?.id,
		months: index.months.length,
		vulnerabilities: index.months.reduce((sum, month) => sum + month.vulnerabilities.length, 0),
		rawBytes,
		gzipBytes: gzipped.length
	};
	writeFileSync(
		path.join(path.dirname(outFile), 'index-meta.json'),
		`${JSON.stringify(meta, null, '\t')}\n`
	);
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	process.stdout.write(
		`${outFile}: ${meta.months} months, ${meta.vulnerabilities} CVE entries, newest ${meta.newestMonth}\n` +
			`raw JSON ${rawBytes} bytes, gzip ${gzipped.length} bytes, built in ${seconds} s\n` +
			`slowest month ${slowest.id} (${slowest.documentBytes} chars): ${slowest.milliseconds.toFixed(0)} ms\n`
	);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
