/**
 * Proves the exact outcome (error code or warnings) for the deliberately broken hives copied into
 * tests/fixtures/hives.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMullionError } from '../../../src/lib/errors';
import { openHive, walk } from '../../../src/lib/hive/hive';
import { keyAt } from '../../../src/lib/hive/types';

const fixtures = path.resolve(__dirname, '../../fixtures/hives');
const load = (relpath: string) => new Uint8Array(readFileSync(path.join(fixtures, relpath)));
const codes = (warnings: { code: string }[]) => warnings.map((warning) => warning.code);

function thrownCode(action: () => unknown): string | undefined {
	try {
		action();
	} catch (error) {
		return isMullionError(error) ? error.code : `not a MullionError: ${String(error)}`;
	}
	return undefined;
}

describe('deliberately broken hives', () => {
	it('NotAHive is rejected with HIVE_BAD_SIGNATURE at offset 0', () => {
		expect(thrownCode(() => openHive(load('eztools-registry/NotAHive')))).toBe(
			'HIVE_BAD_SIGNATURE'
		);
	});

	it('SECURITYNoRoot still opens: its root cell offset points at a readable nk', () => {
		const hive = openHive(load('eztools-registry/SECURITYNoRoot'));
		expect(hive.warnings).toEqual([]);
		expect(walk(hive, {}).keys).toBe(8);
	});

	it('SAMBadHBinHeader: warns HIVE_BAD_BIN at file offset 0x2000; SAM subkeys throw HIVE_OUT_OF_BOUNDS', () => {
		const hive = openHive(load('eztools-registry/SAMBadHBinHeader'));
		expect(hive.warnings).toMatchObject([{ code: 'HIVE_BAD_BIN', offset: 0x2000 }]);
		const sam = hive.root().subkey('SAM');
		expect(sam).toBeDefined();
		expect(thrownCode(() => sam?.subkeys())).toBe('HIVE_OUT_OF_BOUNDS');
		expect(
			thrownCode(() => openHive(load('eztools-registry/SAMBadHBinHeader'), { strict: true }))
		).toBe('HIVE_BAD_CELL');
	});

	it('SAN(OTHER): bad checksum is a HIVE_BAD_CHECKSUM warning, and HIVE_BAD_BASE_BLOCK when strict', () => {
		expect(codes(openHive(load('eztools-registry/SAN(OTHER)')).warnings)).toEqual([
			'HIVE_BAD_CHECKSUM'
		]);
		expect(thrownCode(() => openHive(load('eztools-registry/SAN(OTHER)'), { strict: true }))).toBe(
			'HIVE_BAD_BASE_BLOCK'
		);
	});

	it('corrupt_sub_key_list.hiv: the bad entry is skipped with HIVE_BAD_SUBKEY, 99 subkeys kept', () => {
		const hive = openHive(load('plaso/regf/corrupt_sub_key_list.hiv'));
		expect(hive.root().subkeys()).toHaveLength(99);
		expect(hive.warnings).toMatchObject([{ code: 'HIVE_BAD_SUBKEY', offset: 0x5480 }]);
		const strict = openHive(load('plaso/regf/corrupt_sub_key_list.hiv'), { strict: true });
		expect(thrownCode(() => strict.root().subkeys())).toBe('HIVE_BAD_CELL');
	});

	it('NTUSER_Bad.DAT: Console listing itself is skipped with HIVE_KEY_CYCLE; the walk ends', () => {
		const hive = openHive(load('artemis/registry/win10/NTUSER_Bad.DAT'));
		const console = keyAt(hive.root(), 'Console');
		expect(console?.subkeys().map((key) => key.name)).not.toContain('Console');
		expect(codes(hive.warnings)).toEqual(['HIVE_KEY_CYCLE']);
		expect(walk(hive, {}).keys).toBe(665);
		const strict = openHive(load('artemis/registry/win10/NTUSER_Bad.DAT'), { strict: true });
		expect(thrownCode(() => keyAt(strict.root(), 'Console')?.subkeys())).toBe('HIVE_BAD_CELL');
	});

	it('hive_bins_list.1 (shorter than its declared bins) warns HIVE_TRUNCATED', () => {
		const hive = openHive(load('libregf/hive_bins_list.1'));
		expect(codes(hive.warnings)).toEqual(['HIVE_TRUNCATED']);
		expect(thrownCode(() => openHive(load('libregf/hive_bins_list.1'), { strict: true }))).toBe(
			'HIVE_OUT_OF_BOUNDS'
		);
	});
});
