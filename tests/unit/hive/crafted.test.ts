/**
 * Proves, on hives crafted byte by byte (hive-writer.ts), that hostile structures give the
 * expected MullionError code or warning quickly, and that the decoders read each encoding right.
 */

import { describe, expect, it } from 'vitest';
import { isMullionError } from '../../../src/lib/errors';
import { openHive, walk } from '../../../src/lib/hive/hive';
import { RegType } from '../../../src/lib/hive/types';
import { valueDword, valueMultiString, valueQword, valueString } from '../../../src/lib/hive/value';
import { HiveWriter, latin1, utf16, writeChecksum } from './hive-writer';

/** Every crafted case must finish within this many milliseconds. */
const QUICK_MILLISECONDS = 500;

function thrownCode(action: () => unknown): string | undefined {
	const started = performance.now();
	try {
		action();
	} catch (error) {
		expect(performance.now() - started).toBeLessThan(QUICK_MILLISECONDS);
		return isMullionError(error) ? error.code : `not a MullionError: ${String(error)}`;
	}
	return undefined;
}

/** A root with one child 'A' whose subkey list holds A's parent (root), A itself and 'B'. */
function cyclicHive(): Uint8Array {
	const writer = new HiveWriter();
	const b = writer.nk({ name: 'B' });
	const a = writer.nk({ name: 'A', subkeyCount: 3 });
	const rootList = writer.list('lf', [a]);
	const root = writer.nk({ name: 'ROOT', flags: 0x4, subkeyCount: 1, subkeyList: rootList });
	writer.patchU32(a, 28, writer.list('lh', [root, a, b]));
	return writer.build(root);
}

describe('crafted hostile hives', () => {
	it('a subkey list pointing back at an ancestor: entry skipped with HIVE_KEY_CYCLE; strict throws', () => {
		const hive = openHive(cyclicHive());
		const a = hive.root().subkey('a');
		expect(a?.subkeys().map((key) => key.name)).toEqual(['B']);
		expect(hive.warnings.map((warning) => warning.code)).toEqual(['HIVE_KEY_CYCLE']);
		expect(walk(hive, {}).keys).toBe(3);
		const strict = openHive(cyclicHive(), { strict: true });
		expect(thrownCode(() => strict.root().subkey('A')?.subkeys())).toBe('HIVE_BAD_CELL');
	});

	it('a value list offset that wraps into the base block throws HIVE_OUT_OF_BOUNDS', () => {
		const writer = new HiveWriter();
		const root = writer.nk({ name: 'ROOT', valueCount: 1, valueList: 0xfffff000 });
		const hive = openHive(writer.build(root));
		expect(thrownCode(() => hive.root().values())).toBe('HIVE_OUT_OF_BOUNDS');
		expect(walk(hive, {}).problems.map((problem) => problem.code)).toEqual(['HIVE_OUT_OF_BOUNDS']);
	});

	it('a value count of millions throws LIMIT_EXCEEDED; a count larger than its list cell HIVE_BAD_CELL', () => {
		const writer = new HiveWriter();
		const list = writer.valueList([0x20]);
		const huge = writer.nk({ name: 'HUGE', valueCount: 5_000_000, valueList: list });
		const large = writer.nk({ name: 'LARGE', valueCount: 100_000, valueList: list });
		const rootList = writer.list('lf', [huge, large]);
		const root = writer.nk({ name: 'ROOT', subkeyCount: 2, subkeyList: rootList });
		const keys = openHive(writer.build(root)).root().subkeys();
		expect(thrownCode(() => keys[0]?.values())).toBe('LIMIT_EXCEEDED');
		expect(thrownCode(() => keys[1]?.values())).toBe('HIVE_BAD_CELL');
	});

	it('a subkey list count larger than its cell throws HIVE_BAD_CELL', () => {
		const writer = new HiveWriter();
		const list = writer.list('lh', [0x20], 0xffff);
		const root = writer.nk({ name: 'ROOT', subkeyCount: 3_000_000, subkeyList: list });
		expect(thrownCode(() => openHive(writer.build(root)).root().subkeys())).toBe('HIVE_BAD_CELL');
	});

	it('cell sizes near 2^31 throw HIVE_BAD_CELL', () => {
		for (const size of [-0x7ffffff8, 0x7ffffff8, -0x80000000]) {
			const writer = new HiveWriter();
			const root = writer.nk({ name: 'ROOT' });
			writer.patchCellSize(root, size);
			expect(thrownCode(() => openHive(writer.build(root)))).toBe('HIVE_BAD_CELL');
		}
	});

	it('an ri inside an ri throws HIVE_BAD_CELL; li and ri of leaves are read in order', () => {
		const writer = new HiveWriter();
		const [one, two, three] = ['one', 'two', 'three'].map((name) => writer.nk({ name }));
		const index = writer.list('ri', [writer.list('li', [one!, two!]), writer.list('lf', [three!])]);
		const nested = writer.list('ri', [index]);
		const good = writer.nk({ name: 'GOOD', subkeyCount: 3, subkeyList: index });
		const bad = writer.nk({ name: 'BAD', subkeyCount: 3, subkeyList: nested });
		const root = writer.nk({
			name: 'ROOT',
			subkeyCount: 2,
			subkeyList: writer.list('lf', [good, bad])
		});
		const hive = openHive(writer.build(root));
		expect(
			hive
				.root()
				.subkey('good')
				?.subkeys()
				.map((key) => key.name)
		).toEqual(['one', 'two', 'three']);
		expect(thrownCode(() => hive.root().subkey('BAD')?.subkeys())).toBe('HIVE_BAD_CELL');
	});

	it('a truncated file: HIVE_TRUNCATED warning, then HIVE_OUT_OF_BOUNDS for cells past the end', () => {
		const writer = new HiveWriter();
		const root = writer.nk({ name: 'ROOT', valueCount: 1 });
		const value = writer.vk({ name: 'v', type: RegType.BINARY, data: new Uint8Array(3000) });
		writer.patchU32(root, 40, writer.valueList([value]));
		const whole = writer.build(root);
		expect(thrownCode(() => openHive(whole.subarray(0, 1000)))).toBe('HIVE_OUT_OF_BOUNDS');
		const cut = openHive(whole.subarray(0, 4096 + 0x80));
		expect(cut.warnings.map((warning) => warning.code)).toEqual(['HIVE_TRUNCATED']);
		expect(thrownCode(() => cut.root().values())).toBe('HIVE_OUT_OF_BOUNDS');
		expect(thrownCode(() => openHive(whole.subarray(0, 4096 + 0x80), { strict: true }))).toBe(
			'HIVE_OUT_OF_BOUNDS'
		);
	});

	it('base block checks: version 1.7 → HIVE_BAD_VERSION; log file type → HIVE_BAD_BASE_BLOCK; dirty → HIVE_DIRTY', () => {
		const writer = new HiveWriter();
		const root = writer.nk({ name: 'ROOT' });
		const badVersion = writer.build(root, { minor: 7 });
		expect(thrownCode(() => openHive(badVersion))).toBe('HIVE_BAD_VERSION');
		const log = writer.build(root);
		new DataView(log.buffer).setUint32(28, 1, true);
		writeChecksum(log);
		expect(thrownCode(() => openHive(log))).toBe('HIVE_BAD_BASE_BLOCK');
		const dirty = openHive(writer.build(root, { sequence: [5, 4] }), { strict: true });
		expect(dirty.warnings.map((warning) => warning.code)).toEqual(['HIVE_DIRTY']);
		expect(thrownCode(() => openHive(new Uint8Array(3)))).toBe('HIVE_BAD_SIGNATURE');
	});

	it('a big-data value is reassembled from its segments and cut to the declared size', () => {
		const writer = new HiveWriter();
		const declared = 16344 + 100;
		const first = writer.cell(new Uint8Array(16344).fill(0x41));
		const second = writer.cell(new Uint8Array(200).fill(0x42));
		const segments = writer.valueList([first, second]);
		const header = new Uint8Array(8);
		header.set(latin1('db'));
		new DataView(header.buffer).setUint16(2, 2, true);
		new DataView(header.buffer).setUint32(4, segments, true);
		const db = writer.cell(header);
		const big = writer.vk({ name: 'big', type: RegType.BINARY, rawSize: declared, dataOffset: db });
		const root = writer.nk({ name: 'ROOT', valueCount: 1, valueList: writer.valueList([big]) });
		const data = openHive(writer.build(root, { minor: 5 }))
			.root()
			.value('BIG')?.data;
		expect(data?.length).toBe(declared);
		expect(data?.[16343]).toBe(0x41);
		expect(data?.[16344]).toBe(0x42);
	});
});

describe('value decoders', () => {
	function hiveWithValues(): ReturnType<typeof openHive> {
		const writer = new HiveWriter();
		const be = new Uint8Array([0, 0, 1, 2]);
		const qword = new Uint8Array(8);
		new DataView(qword.buffer).setBigUint64(0, 0x1122334455667788n, true);
		const text = utf16('10.0.20348\0junk');
		const values = [
			writer.vk({ name: 'sz', type: RegType.SZ, data: text }),
			writer.vk({ name: 'odd', type: RegType.EXPAND_SZ, data: utf16('abc').subarray(0, 5) }),
			writer.vk({ name: 'multi', type: RegType.MULTI_SZ, data: utf16('a\0bc\0\0') }),
			writer.vk({ name: 'dword', type: RegType.DWORD, data: new Uint8Array([0x2b, 0x0a, 0, 0]) }),
			writer.vk({ name: 'be', type: RegType.DWORD_BIG_ENDIAN, data: be }),
			writer.vk({ name: 'qword', type: RegType.QWORD, data: qword }),
			writer.vk({ name: 'one', type: RegType.BINARY, data: new Uint8Array([7]) }),
			writer.vk({ name: '', type: 0xffff0012, data: new Uint8Array([1, 2, 3, 4, 5]) })
		];
		const root = writer.nk({
			name: 'ROOT',
			valueCount: values.length,
			valueList: writer.valueList(values)
		});
		return openHive(writer.build(root));
	}

	it('decodes strings, multi-strings, both DWORD byte orders, QWORD, inline and raw data', () => {
		const root = hiveWithValues().root();
		const get = (name: string) => {
			const value = root.value(name);
			if (value === undefined) throw new Error(`value ${name} missing`);
			return value;
		};
		expect(valueString(get('SZ'))).toBe('10.0.20348');
		expect(valueString(get('odd'))).toBe('ab');
		expect(valueMultiString(get('multi'))).toEqual(['a', 'bc']);
		expect(valueDword(get('dword'))).toBe(0xa2b);
		expect(valueDword(get('be'))).toBe(0x102);
		expect(valueQword(get('qword'))).toBe(0x1122334455667788n);
		expect([...get('one').data]).toEqual([7]);
		expect(get('').type).toBe(0xffff0012);
		expect([...get('').data]).toEqual([1, 2, 3, 4, 5]);
		expect(valueString(get('dword'))).toBeUndefined();
		expect(valueDword(get('sz'))).toBeUndefined();
	});
});
