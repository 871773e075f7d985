/**
 * A short fixed-seed run of the mutation fuzzer (scripts/fuzz.ts) as part of the unit tests:
 * proves that 2,000 mutated hives and layers (bit flips, edge-value fields, cyclic lists, huge
 * counts, bad tar headers and PAX records, damaged gzip/zstd) each end within the time cap with
 * a result or a MullionError — no hang, no untyped exception, no worker running out of heap.
 * Uses only committed fixtures (not ../shared/corpus), so a fresh clone runs the same cases.
 */

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../../scripts/fuzz/engine';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const CASES = 2_000;
const SEED = 20_240_611;

describe('fuzzing (fixed seed, committed fixtures only)', () => {
	it(`runs ${CASES} mutated inputs with 0 hangs and 0 untyped exceptions`, async () => {
		const report = await runFuzz({
			seed: SEED,
			maxCases: CASES,
			seconds: 40,
			workers: 2,
			caseTimeoutMs: 10_000,
			workerHeapMiB: 1024,
			hiveShare: 0.5,
			corpus: { repoRoot, shared: false }
		});
		const failures = [...report.hangs, ...report.untyped, ...report.workerCrashes].map(
			(failure) => `${failure.type} case ${failure.caseSeed}: ${failure.message ?? ''}`
		);
		expect(failures).toEqual([]);
		expect(report.inputs).toBeGreaterThan(CASES / 2);
		expect(report.byKind['hive']).toBeGreaterThan(0);
		expect(report.byKind['layer']).toBeGreaterThan(0);
	}, 60_000);
});
