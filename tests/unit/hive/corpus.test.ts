/**
 * Corpus-wide differential check (skips itself without ../shared/corpus): every file of
 * corpus/hives/MANIFEST.tsv is opened and walked under a time cap. Files with a consensus dump
 * (at least two tools produced output) must match it, up to the documented differences; every
 * other file must either open (with warnings allowed) or fail with a MullionError, never with
 * another exception type.
 */

import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMullionError } from '../../../src/lib/errors';
import { openHive } from '../../../src/lib/hive/hive';
import { compare, dumpHive, readReference } from './reference-dump';
import { KNOWN_DIFFERENCES, type KnownDifference } from './known-differences';

const repoRoot = path.resolve(__dirname, '../../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/hives');
/** Most time one file may take to open, walk and hash, in milliseconds. */
const TIME_CAP_MILLISECONDS = 15_000;

function manifest(): string[] {
	const lines = readFileSync(path.join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
	return lines.slice(1).map((line) => line.split('\t')[0] as string);
}

function consensusPath(relpath: string): string | undefined {
	const file = path.join(corpus, 'reference', `${relpath}.ndjson.gz`);
	if (!existsSync(file)) return undefined;
	const header = gunzipSync(readFileSync(file)).toString('utf8').split('\n', 1)[0] as string;
	const tools = (JSON.parse(header) as { tools_with_output: string[] }).tools_with_output;
	return tools.length >= 2 ? file : undefined;
}

const matched: string[] = [];

describe.skipIf(!existsSync(corpus))('corpus hives', () => {
	const files = existsSync(corpus) ? manifest() : [];
	it.each(files)('%s', (relpath) => {
		const started = performance.now();
		const reference = consensusPath(relpath);
		let opened: ReturnType<typeof openHive> | undefined;
		try {
			opened = openHive(new Uint8Array(readFileSync(path.join(corpus, relpath))));
		} catch (error) {
			expect(isMullionError(error), String(error)).toBe(true);
			expect(reference, 'a hive with a consensus dump must open').toBeUndefined();
			return;
		}
		const ours = dumpHive(opened);
		expect(performance.now() - started).toBeLessThan(TIME_CAP_MILLISECONDS);
		if (reference === undefined) return;
		const result = compare(readReference(reference), ours);
		const known: Partial<KnownDifference> = KNOWN_DIFFERENCES[relpath] ?? {};
		expect(result.missingKeys).toEqual([]);
		expect(result.missingValues).toHaveLength(known.missingValues ?? 0);
		expect(result.missingTimes).toHaveLength(known.missingTimes ?? 0);
		expect(result.extraKeys).toHaveLength(known.extraKeys ?? 0);
		matched.push(relpath);
	});

	it('reports how many files matched their consensus dump', () => {
		// Every file with a consensus dump (2+ tools) is compared above; 108 at the time of writing.
		process.stdout.write(`hive corpus: ${matched.length} files matched their consensus dump\n`);
		expect(matched.length).toBeGreaterThan(100);
	});
});
