/**
 * Proves the lazy reader is fast on a SOFTWARE-sized hive: a synthetic 60 MiB hive with 15,000
 * servicing packages (in an ri index of lh leaves, 3 values each) opens, finds the Packages key,
 * lists it and reads 3 values of every package in well under a second.
 */

import { describe, expect, it } from 'vitest';
import { openHive } from '../../../src/lib/hive/hive';
import { keyAt, RegType } from '../../../src/lib/hive/types';
import { valueDword, valueString } from '../../../src/lib/hive/value';
import { HiveWriter, utf16 } from './hive-writer';

const PACKAGE_COUNT = 15_000;
const HIVE_SIZE_BYTES = 60 * 1024 * 1024;
const LEAF_SIZE = 1000;
/**
 * Budget for open + lookup + listing + 45,000 value reads, in milliseconds of CPU time of this
 * process (CPU time, not wall time, so that a loaded test machine does not fail the test).
 */
const BUDGET_MILLISECONDS = 1000;

function packagesHive(): Uint8Array {
	const writer = new HiveWriter();
	const packages: number[] = [];
	for (let index = 0; index < PACKAGE_COUNT; index++) {
		const name = `Package_for_KB${5000000 + index}~31bf3856ad364e35~amd64~~10.0.1.${index}`;
		const values = [
			writer.vk({
				name: 'CurrentState',
				type: RegType.DWORD,
				data: new Uint8Array([0x70, 0, 0, 0])
			}),
			writer.vk({ name: 'InstallName', type: RegType.SZ, data: utf16(`${name}.mum\0`) }),
			writer.vk({ name: 'Visibility', type: RegType.DWORD, data: new Uint8Array([1, 0, 0, 0]) })
		];
		packages.push(writer.nk({ name, valueCount: 3, valueList: writer.valueList(values) }));
	}
	const leaves: number[] = [];
	for (let start = 0; start < PACKAGE_COUNT; start += LEAF_SIZE) {
		leaves.push(writer.list('lh', packages.slice(start, start + LEAF_SIZE)));
	}
	writer.cell(new Uint8Array(HIVE_SIZE_BYTES - writer.size - 8192)); // filler: the rest of SOFTWARE
	let key = writer.nk({
		name: 'Packages',
		subkeyCount: PACKAGE_COUNT,
		subkeyList: writer.list('ri', leaves)
	});
	for (const name of ['Component Based Servicing', 'CurrentVersion', 'Windows', 'Microsoft']) {
		key = writer.nk({ name, subkeyCount: 1, subkeyList: writer.list('lh', [key]) });
	}
	const root = writer.nk({
		name: 'ROOT',
		flags: 0x4,
		subkeyCount: 1,
		subkeyList: writer.list('lh', [key])
	});
	return writer.build(root);
}

describe('performance on a SOFTWARE-sized hive', () => {
	it(`lists ${PACKAGE_COUNT} packages and reads 3 values each in under ${BUDGET_MILLISECONDS} ms`, () => {
		const bytes = packagesHive();
		expect(bytes.length).toBeGreaterThan(HIVE_SIZE_BYTES - 1024 * 1024);
		const started = process.cpuUsage();
		const hive = openHive(bytes);
		const path = 'Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages';
		const packages = keyAt(hive.root(), path)?.subkeys() ?? [];
		let installed = 0;
		for (const key of packages) {
			if (valueDword(key.value('CurrentState')!) === 0x70) installed++;
			valueString(key.value('InstallName')!);
			valueDword(key.value('Visibility')!);
		}
		const used = process.cpuUsage(started);
		const elapsed = (used.user + used.system) / 1000;
		expect(packages).toHaveLength(PACKAGE_COUNT);
		expect(installed).toBe(PACKAGE_COUNT);
		expect(hive.warnings).toEqual([]);
		expect(elapsed).toBeLessThan(BUDGET_MILLISECONDS);
	});
});
