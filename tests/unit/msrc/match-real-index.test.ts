import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchImage, type MatchFacts } from '../../../src/lib/msrc/match';
import { productForImage } from '../../../src/lib/msrc/products';
import type { MsrcIndex } from '../../../src/lib/msrc/types';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const indexPath = path.join(repoRoot, 'static/msrc/index.bin');
const codecPath = path.join(repoRoot, 'src/lib/msrc/index-codec.ts');
const available = existsSync(indexPath) && existsSync(codecPath);

/** Loads the committed index through the codec the index builder ships (imported lazily). */
async function loadCommittedIndex(): Promise<MsrcIndex> {
	const codec = (await import(/* @vite-ignore */ pathToFileURL(codecPath).href)) as {
		decodeIndex: (bytes: Uint8Array) => MsrcIndex;
	};
	return codec.decodeIndex(new Uint8Array(readFileSync(indexPath)));
}

describe.skipIf(!available)('matching against the committed MSRC index', () => {
	let index: MsrcIndex;
	let now: Date;
	const facts: MatchFacts = {
		build: 20348,
		ubr: 1366,
		packages: [],
		dotnet: [{ version: '4.8' }],
		msrcProduct: productForImage(20348, 'Server Core')
	};

	beforeAll(async () => {
		index = await loadCommittedIndex();
		now = new Date(index.months[index.months.length - 1]?.initialReleaseDate ?? 0);
	});

	it('finds Server Core 10.0.20348.1366 fixed for 2022-Dec and open from 2023-Jan onward', () => {
		const result = matchImage(facts, index, { now });
		const monthOrder = new Map(index.months.map((month, position) => [month.id, position]));
		const january2023 = monthOrder.get('2023-Jan') ?? Infinity;
		const osFindings = result.findings.filter((finding) => finding.product === '11924');
		const december = osFindings.filter(
			(finding) => finding.month === '2022-Dec' && finding.confidence === 'build'
		);
		// ADV220005 (signed-driver guidance, listed in 2022-Dec) was later revised to name the
		// January 2023 update KB5022291 (.1487) as its fix, so it is rightly open at .1366; every
		// CVE of 2022-Dec is fixed.
		expect(december.map((finding) => finding.cve)).toEqual(['ADV220005']);
		expect(december[0]?.fix).toMatchObject({ kb: '5022291', fixedBuild: '10.0.20348.1487' });
		const later = osFindings.filter(
			(finding) => (monthOrder.get(finding.month) ?? -1) >= january2023
		);
		expect(december.filter((finding) => finding.cve.startsWith('CVE-'))).toEqual([]);
		expect(later.length).toBeGreaterThan(0);
		expect(result.patchLevel).toMatchObject({ kb: '5021249', build: '10.0.20348.1366' });
		expect(JSON.parse(JSON.stringify(result))).toStrictEqual(result);
		const byConfidence = countBy(result.findings.map((finding) => finding.confidence));
		// Reported figures (not asserted beyond the checks above).
		process.stdout.write(
			`[match-real-index] 10.0.20348.1366 Server Core: open ${result.openCount} CVEs ` +
				`${JSON.stringify(result.counts)}, by confidence ${JSON.stringify(byConfidence)}, ` +
				`fixed ${result.fixedCount}, OS open from 2023-Jan on ${later.length}, ` +
				`months behind ${result.monthsBehind}, latest KB${result.latest?.kb} ` +
				`${result.latest?.build}, closeAll KB${result.closeAll?.kb}\n`
		);
	});

	it('measures matching time over the whole index (printed, not asserted)', () => {
		const images: MatchFacts[] = [
			facts,
			{ ...facts, build: 17763, ubr: 3770, msrcProduct: productForImage(17763, 'Server Core') },
			{ ...facts, build: 14393, ubr: 3986, msrcProduct: productForImage(14393, 'Server Core') },
			{ ...facts, build: 26100, ubr: 2033, msrcProduct: productForImage(26100, 'Server Core') }
		];
		const fresh = structuredClone(index);
		const firstStart = performance.now();
		for (const image of images) matchImage(image, fresh, { now });
		const firstMilliseconds = performance.now() - firstStart;
		const rounds = 20;
		const start = performance.now();
		for (let round = 0; round < rounds; round++) {
			for (const image of images) matchImage(image, fresh, { now });
		}
		const perMatch = (performance.now() - start) / (rounds * images.length);
		process.stdout.write(
			`[match-real-index] ${index.months.length} months, ` +
				`${index.months.reduce((sum, month) => sum + month.vulnerabilities.length, 0)} rows: ` +
				`first 4 matches (building lookups) ${firstMilliseconds.toFixed(1)} ms, ` +
				`then ${perMatch.toFixed(1)} ms per match\n`
		);
		expect(perMatch).toBeGreaterThan(0);
	});
});

function countBy(values: readonly string[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
	return counts;
}
