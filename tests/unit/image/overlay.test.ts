import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMullionError } from '../../../src/lib/errors';
import { openHive, walk } from '../../../src/lib/hive/hive';
import { MAX_OVERLAY_LAYERS, overlayKey, summarizeDelta } from '../../../src/lib/hive/overlay';
import { keyAt, LayerSemantics, type RegKey, type RegValue } from '../../../src/lib/hive/types';
import { readWindowsFacts } from '../../../src/lib/windows/facts';
import { DELTA_UPDATE, SERVERCORE_2022 } from './fixtures';
import { fakeKey, text, type FakeKeySpec } from './fake-key';

const { TOMBSTONE, SUPERSEDE_LOCAL, SUPERSEDE_TREE } = LayerSemantics;

/** A REG_SZ of a real hive (UTF-16LE, NUL-terminated) as text. */
function utf16(value: RegValue | undefined): string | undefined {
	return value && new TextDecoder('utf-16le').decode(value.data).replace(/\0+$/, '');
}

const base = fakeKey('ROOT', {
	subkeys: {
		Kept: { values: { A: 'base a', B: 'base b' }, subkeys: { Child: { values: { X: 'x' } } } },
		Gone: { values: { V: 'v' }, subkeys: { Deep: {} } },
		Local: { values: { Old: 'old' }, subkeys: { Sub: { values: { S: 'base s' } } } },
		Tree: { values: { Old: 'old' }, subkeys: { Sub: {}, Other: {} } }
	}
});

function delta(subkeys: Record<string, FakeKeySpec>): RegKey {
	return fakeKey('DELTA-ROOT', { subkeys });
}

describe('overlayKey', () => {
	it('semantics 0 merges values by name: the upper layer wins, new names are added, lookups ignore case', () => {
		const view = overlayKey(base, [delta({ kept: { values: { a: 'delta a', C: 'delta c' } } })]);
		const kept = view.subkey('KEPT');
		expect(text(kept?.value('A'))).toBe('delta a');
		expect(text(kept?.value('b'))).toBe('base b');
		expect(kept?.values().map((value) => text(value))).toEqual(['delta a', 'base b', 'delta c']);
		expect(keyAt(view, 'Kept\\Child')?.value('X')).toBeDefined(); // subkeys still merge
	});

	it('a tombstone value hides the name in value() and values()', () => {
		const view = overlayKey(base, [delta({ Kept: { values: { A: null } } })]);
		expect(view.subkey('Kept')?.value('A')).toBeUndefined();
		expect(
			view
				.subkey('Kept')
				?.values()
				.map((value) => value.name)
		).toEqual(['B']);
	});

	it('semantics 1 (tombstone) removes the key and its subtree', () => {
		const view = overlayKey(base, [delta({ Gone: { semantics: TOMBSTONE } })]);
		expect(view.subkey('Gone')).toBeUndefined();
		expect(keyAt(view, 'Gone\\Deep')).toBeUndefined();
		expect(view.subkeys().map((key) => key.name)).not.toContain('Gone');
	});

	it('a key tombstoned in one delta and re-added in a higher one comes back without the old content', () => {
		const view = overlayKey(base, [
			delta({ Gone: { semantics: TOMBSTONE } }),
			delta({ Gone: { values: { New: 'n' } } })
		]);
		expect(
			view
				.subkey('Gone')
				?.values()
				.map((value) => value.name)
		).toEqual(['New']);
		expect(view.subkey('Gone')?.subkey('Deep')).toBeUndefined();
	});

	it('semantics 2 (supersede local) replaces the values but keeps merging subkeys', () => {
		const view = overlayKey(base, [
			delta({
				Local: {
					semantics: SUPERSEDE_LOCAL,
					values: { New: 'new' },
					subkeys: { Sub: { values: { T: 't' } } }
				}
			})
		]);
		const local = view.subkey('Local');
		expect(local?.values().map((value) => value.name)).toEqual(['New']);
		expect(local?.value('Old')).toBeUndefined();
		expect(
			local
				?.subkey('Sub')
				?.values()
				.map((value) => value.name)
		).toEqual(['S', 'T']);
	});

	it('semantics 3 (supersede tree) replaces the whole subtree', () => {
		const view = overlayKey(base, [
			delta({
				Tree: {
					semantics: SUPERSEDE_TREE,
					values: { New: 'new' },
					subkeys: { Sub: { semantics: SUPERSEDE_TREE } }
				}
			})
		]);
		const tree = view.subkey('Tree');
		expect(tree?.values().map((value) => value.name)).toEqual(['New']);
		expect(tree?.subkeys().map((key) => key.name)).toEqual(['Sub']);
		expect(tree?.subkey('Other')).toBeUndefined();
	});

	it('deltas apply lowest first: the highest layer wins', () => {
		const view = overlayKey(base, [
			delta({ Kept: { values: { A: 'first' } } }),
			delta({ Kept: { values: { A: 'second' } } })
		]);
		expect(text(view.subkey('Kept')?.value('A'))).toBe('second');
	});

	it('keys only in a delta are added; keys only in the base pass through', () => {
		const view = overlayKey(base, [delta({ Fresh: { values: { F: 'f' } } })]);
		expect(view.subkeys().map((key) => key.name)).toEqual([
			'Kept',
			'Gone',
			'Local',
			'Tree',
			'Fresh'
		]);
	});

	it('refuses more than MAX_OVERLAY_LAYERS layers', () => {
		const deltas = Array.from({ length: MAX_OVERLAY_LAYERS }, () => delta({}));
		expect(() => overlayKey(base, deltas)).toThrow(
			expect.objectContaining({ code: 'LIMIT_EXCEEDED' })
		);
	});

	it('stops at MAX_OVERLAY_DEPTH_LEVELS on a key chain that never ends', () => {
		const endless: RegKey = {
			name: 'loop',
			lastWritten: 0n,
			layerSemantics: 0,
			subkeys: () => [endless],
			subkey: () => endless,
			values: () => [],
			value: () => undefined
		};
		let key: RegKey | undefined = overlayKey(endless, [endless]);
		let error: unknown;
		try {
			for (let depth = 0; key !== undefined && depth < 10_000; depth++) key = key.subkey('loop');
		} catch (caught) {
			error = caught;
		}
		expect(isMullionError(error, 'LIMIT_EXCEEDED')).toBe(true);
	});

	it('with the committed delta hive over servercore-ltsc2022, the facts show the update', () => {
		const view = overlayKey(openHive(SERVERCORE_2022).root(), [openHive(DELTA_UPDATE).root()]);
		const { facts } = readWindowsFacts(view);
		expect(facts.version).toBe('10.0.20348.2700');
		expect(facts.displayVersion).toBeUndefined();
		const current = keyAt(view, 'Microsoft\\Windows NT\\CurrentVersion');
		expect(utf16(current?.value('DeltaMarker'))).toBe('set by the update layer');
		expect(utf16(current?.value('EditionID'))).toBe('ServerDatacenter'); // base value kept
	});

	it('summarizeDelta counts what the committed delta adds, changes and tombstones', () => {
		const summary = summarizeDelta(openHive(SERVERCORE_2022).root(), openHive(DELTA_UPDATE).root());
		expect(summary).toMatchObject({
			keysAdded: 1, // Package_for_RollupFix~…~20348.2700.1.5
			keysChanged: 3, // CurrentVersion, NDP\v4\Full (supersede local), RollupFix 1366
			keysTombstoned: 1, // RollupFix 1249
			valuesTombstoned: 1, // DisplayVersion
			truncated: false
		});
	});
});

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const systemDelta = path.resolve(repoRoot, '../shared/corpus/hives/yarp/System_Delta');

describe.skipIf(!existsSync(systemDelta))(
	'a real differencing hive (corpus, yarp System_Delta)',
	() => {
		it('opens with openHive, and over a base holding the same names its tombstone values hide them', () => {
			const deltaHive = openHive(new Uint8Array(readFileSync(systemDelta)));
			const tombstones: { path: string[]; name: string }[] = [];
			walk(deltaHive, {
				value(keyPath, value) {
					if (value.isTombstone) tombstones.push({ path: [...keyPath], name: value.name });
				}
			});
			expect(tombstones.length).toBeGreaterThan(0);
			const view = overlayKey(baseWithValues(tombstones), [deltaHive.root()]);
			for (const { path: keyPath, name } of tombstones) {
				const key = keyAt(view, keyPath.join('\\'));
				expect(key, keyPath.join('\\')).toBeDefined();
				expect(key?.value(name)).toBeUndefined();
				expect(key?.values().some((value) => value.name.toLowerCase() === name.toLowerCase())).toBe(
					false
				);
				expect(text(key?.value('BaseOnly'))).toBe('kept');
			}
		});
	}
);

/** A trivial base: the tombstoned names set at their paths, plus a BaseOnly value that must stay. */
function baseWithValues(entries: { path: string[]; name: string }[]): RegKey {
	const root: FakeKeySpec = {};
	for (const { path: keyPath, name } of entries) {
		let spec = root;
		for (const part of keyPath) {
			spec.subkeys ??= {};
			spec = spec.subkeys[part] ??= {};
		}
		spec.values = { ...spec.values, [name]: 'base value', BaseOnly: 'kept' };
	}
	return fakeKey('ROOT', root);
}
