/**
 * Proves that our reader returns, for real hives copied into tests/fixtures/hives, every key,
 * value (type, length, sha256 prefix) and key timestamp of the consensus reference dump made by
 * hivex, libregf, regfi and Parse::Win32Registry, and the same number of keys, except for the
 * documented deliberate differences in known-differences.ts.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openHive } from '../../../src/lib/hive/hive';
import { compare, dumpHive, readReference } from './reference-dump';
import { KNOWN_DIFFERENCES, type KnownDifference } from './known-differences';

const fixtures = path.resolve(__dirname, '../../fixtures/hives');

const HIVES = [
	'python-registry/UNICODE_TESTS',
	'python-registry/issue22.hive',
	'python-registry/REORGANIZED_VALUES_TESTS',
	'eztools-registry/SAM_hasBigEndianDWord',
	'eztools-registry/SECURITYNoRoot',
	'eztools-registry/SAMBadHBinHeader',
	'eztools-registry/SAN(OTHER)',
	'eztools-registry/BCD',
	'plaso/regf/100_sub_keys.hiv',
	'plaso/regf/corrupt_sub_key_list.hiv',
	'libregf/hive_bins_list.1',
	'hivex/minimal',
	'hivex/special',
	'hivex/rlenvalue_test_hive',
	'notatin/NTUSER.DAT',
	'dfwinreg/SECURITY',
	'dfwinreg/UsrClass.dat',
	'regipy/SAM',
	'regipy/SECURITY',
	'regipy/amcache.hve',
	'artemis/registry/win10/NTUSER.DAT',
	'artemis/registry/win10/NTUSER_Bad.DAT'
];

describe('fixture hives match the consensus reference dumps', () => {
	it.each(HIVES)('%s', (relpath) => {
		const hive = openHive(new Uint8Array(readFileSync(path.join(fixtures, relpath))));
		const ours = dumpHive(hive);
		const reference = readReference(path.join(fixtures, 'reference', `${relpath}.ndjson.gz`));
		const result = compare(reference, ours);
		const known: Partial<KnownDifference> = KNOWN_DIFFERENCES[relpath] ?? {};
		expect(result.missingKeys).toEqual([]);
		expect(result.missingValues).toHaveLength(known.missingValues ?? 0);
		expect(result.missingTimes).toHaveLength(known.missingTimes ?? 0);
		expect(result.extraKeys).toHaveLength(known.extraKeys ?? 0);
		expect(ours.keys.size).toBe(reference.keys.size + (known.extraKeys ?? 0));
	});
});
