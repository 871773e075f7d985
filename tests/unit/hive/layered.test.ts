/**
 * Proves that layer semantics of key nodes and tombstone values are read: on
 * tests/fixtures/hives/layered.hive (made by generate.sh from hivex's minimal hive with
 * hivexregedit, then patched), and on the real differencing hive yarp/System_Delta when the
 * shared corpus is present (GPL: read in place, never copied).
 */

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openHive, walk, type HiveValue } from '../../../src/lib/hive/hive';
import { keyAt, LayerSemantics, RegType } from '../../../src/lib/hive/types';
import { valueDword, valueString } from '../../../src/lib/hive/value';

const fixture = path.resolve(__dirname, '../../fixtures/hives/layered.hive');
const repoRoot = path.resolve(__dirname, '../../..');
const systemDelta = path.resolve(repoRoot, '../shared/corpus/hives/yarp/System_Delta');

describe('layered keys and tombstone values (fixture)', () => {
	const hive = openHive(new Uint8Array(readFileSync(fixture)));
	const current = keyAt(hive.root(), 'Microsoft\\Windows NT\\CurrentVersion');

	it('reads the base block as a layered 1.6 hive without warnings', () => {
		expect(hive.baseBlock.minorVersion).toBe(6);
		expect(hive.baseBlock.supportsLayeredKeys).toBe(true);
		expect(hive.warnings).toEqual([]);
	});

	it('reports the layer semantics of each key', () => {
		expect(current?.layerSemantics).toBe(LayerSemantics.NORMAL);
		expect(current?.subkey('deletedkey')?.layerSemantics).toBe(LayerSemantics.TOMBSTONE);
		expect(current?.subkey('SupersededTree')?.layerSemantics).toBe(LayerSemantics.SUPERSEDE_TREE);
	});

	it('reports the tombstone value, and ordinary values next to it', () => {
		const removed = current?.value('Removed');
		expect(removed?.isTombstone).toBe(true);
		expect(removed?.type).toBe(RegType.NONE);
		expect(removed?.data.length).toBe(0);
		expect(current?.value('UBR')?.isTombstone).toBe(false);
		expect(valueDword(current!.value('UBR')!)).toBe(0xa2b);
		expect(valueString(current!.value('CurrentBuild')!)).toBe('20348');
	});
});

describe.skipIf(!existsSync(systemDelta))(
	'real differencing hive yarp/System_Delta (corpus only)',
	() => {
		it('opens as regf 1.6 with layered keys and holds tombstone values', () => {
			const hive = openHive(new Uint8Array(readFileSync(systemDelta)));
			expect(hive.baseBlock.minorVersion).toBe(6);
			expect(hive.baseBlock.supportsLayeredKeys).toBe(true);
			const tombstones: HiveValue[] = [];
			const result = walk(hive, {
				value: (_path, value) => void (value.isTombstone && tombstones.push(value))
			});
			expect(result.keys).toBe(586);
			expect(tombstones).toHaveLength(3);
			for (const value of tombstones) expect(value.data.length).toBe(0);
		});
	}
);
