/**
 * Hostile inputs not already covered by tests/unit/archive and tests/unit/hive (huge tar sizes,
 * endless PAX chains and a gzip bomb under a lowered cap are in tests/unit/archive/tar.test.ts
 * and layer.test.ts): a gzip bomb under the default caps through the whole pipeline, a key with
 * over a million subkeys, and keys nested 10,000 levels deep. Each ends in a typed error, fast.
 */

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../src/lib/archive/source';
import { isMullionError } from '../../../src/lib/errors';
import { openHive, walk, MAX_KEY_DEPTH_LEVELS } from '../../../src/lib/hive/hive';
import { keyAt } from '../../../src/lib/hive/types';
import { MAX_SUBKEYS_PER_KEY } from '../../../src/lib/hive/subkey-list';
import { scanSource } from '../../../src/lib/scan';
import { readWindowsFacts } from '../../../src/lib/windows/facts';
import { HiveWriter } from '../hive/hive-writer';
import { headerBlock } from '../../helpers/tar-writer';

function codeOf(run: () => unknown): string {
	try {
		run();
		return 'ok';
	} catch (error) {
		return isMullionError(error) ? error.code : `untyped: ${String(error)}`;
	}
}

describe('hostile layers', () => {
	it('stops a 1.5 GiB gzip bomb at the default decompression cap with LIMIT_EXCEEDED', async () => {
		// Proves: 24 gzip members of 64 MiB of zeros (1.6 MB compressed) behind a tar header that
		// claims an 8 GiB body pass the default cap (1 GiB + 200 × input) and end typed, without
		// the output ever being held (the body is skipped as it streams).
		const header = headerBlock({ name: 'Files/zeros.bin', size: 8 * 1024 ** 3, base256Size: true });
		const zeros = gzipSync(new Uint8Array(64 * 1024 * 1024), { level: 9 });
		const members = [gzipSync(header), ...Array.from({ length: 24 }, () => zeros)];
		const bomb = new Uint8Array(members.reduce((sum, member) => sum + member.length, 0));
		members.reduce((offset, member) => (bomb.set(member, offset), offset + member.length), 0);
		const started = performance.now();
		const code = await scanSource(bytesSource(bomb), { name: 'bomb' }).then(
			() => 'ok',
			(error: unknown) => (isMullionError(error) ? error.code : `untyped: ${String(error)}`)
		);
		expect(code).toBe('LIMIT_EXCEEDED');
		expect(performance.now() - started).toBeLessThan(20_000);
	}, 30_000);
});

describe('hostile hives', () => {
	it('a key with 1,048,560 subkeys (16 full lh leaves in an ri) throws LIMIT_EXCEEDED', () => {
		// Proves: the list is refused past MAX_SUBKEYS_PER_KEY, before a million key objects are
		// made; the walk records it and goes on; facts reading ends typed.
		const writer = new HiveWriter();
		const child = writer.nk({ name: 'child' });
		const entries = new Array<number>(0xffff).fill(child);
		const leaves = Array.from({ length: 16 }, () => writer.list('lh', entries));
		const root = writer.nk({
			name: 'ROOT',
			flags: 0x4,
			subkeyCount: 1_048_560,
			subkeyList: writer.list('ri', leaves)
		});
		const hive = openHive(writer.build(root));
		const started = performance.now();
		expect(1_048_560).toBeGreaterThan(MAX_SUBKEYS_PER_KEY);
		expect(codeOf(() => hive.root().subkeys())).toBe('LIMIT_EXCEEDED');
		expect(codeOf(() => hive.root().subkey('Microsoft'))).toBe('LIMIT_EXCEEDED');
		expect(walk(hive, {}).problems.map((problem) => problem.code)).toEqual(['LIMIT_EXCEEDED']);
		expect(codeOf(() => readWindowsFacts(hive.root()))).not.toMatch(/^untyped/);
		expect(performance.now() - started).toBeLessThan(2000);
	});

	it('keys nested 10,000 levels deep end at MAX_KEY_DEPTH_LEVELS without a stack overflow', () => {
		// Proves: a walk stops entering keys at the depth limit (a typed problem, no recursion),
		// and a path lookup past it throws LIMIT_EXCEEDED.
		const writer = new HiveWriter();
		let key = writer.nk({ name: 'level' });
		for (let level = 0; level < 10_000; level++) {
			key = writer.nk({ name: 'level', subkeyCount: 1, subkeyList: writer.list('lh', [key]) });
		}
		const root = writer.nk({
			name: 'ROOT',
			flags: 0x4,
			subkeyCount: 1,
			subkeyList: writer.list('lh', [key])
		});
		const hive = openHive(writer.build(root));
		const started = performance.now();
		const result = walk(hive, {});
		expect(result.keys).toBe(MAX_KEY_DEPTH_LEVELS + 1);
		expect(result.problems.map((problem) => problem.code)).toContain('LIMIT_EXCEEDED');
		const deepPath = Array.from({ length: 600 }, () => 'level').join('\\');
		expect(codeOf(() => keyAt(hive.root(), deepPath))).toBe('LIMIT_EXCEEDED');
		expect(codeOf(() => readWindowsFacts(hive.root()))).toBe('UNSUPPORTED');
		expect(performance.now() - started).toBeLessThan(2000);
	});
});
