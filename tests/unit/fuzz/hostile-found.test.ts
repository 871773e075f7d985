/**
 * Inputs found by a hostile-input review that hung, crashed or misled an earlier version, each
 * reduced to a small case: quadratic string work on untrusted text, global PAX records copied per
 * entry, a subkey list naming one key thousands of times, a schema check collecting one issue per
 * bad item, megabyte error messages, SBOM refs for repeated names. Each must end fast (the test
 * timeout is the guard: the old code took tens of seconds or ran out of memory on these).
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { deflateSync, gzipSync as fflateGzip } from 'fflate';
import { describe, expect, it } from 'vitest';
import { MAX_GLOBAL_PAX_KEYS } from '../../../src/lib/archive/pax';
import { bytesSource } from '../../../src/lib/archive/source';
import { MAX_ERROR_MESSAGE_CHARS, MullionError, isMullionError } from '../../../src/lib/errors';
import { openHive } from '../../../src/lib/hive/hive';
import { MAX_DELTA_SUMMARY_VALUES, summarizeDelta } from '../../../src/lib/hive/overlay';
import { readImageRegistry } from '../../../src/lib/image/registry';
import { condenseCvrf } from '../../../src/lib/msrc/cvrf';
import { normaliseDotNetVersion } from '../../../src/lib/msrc/products';
import { buildCycloneDx } from '../../../src/lib/report/cyclonedx';
import { decodePermalink, packPermalinkBytes } from '../../../src/lib/report/permalink';
import { scanFiles, scanSource } from '../../../src/lib/scan';
import { trimTrailing } from '../../../src/lib/strings';
import { readWindowsFacts } from '../../../src/lib/windows/facts';
import { HiveWriter, utf16 } from '../hive/hive-writer';
import { sampleScanResult } from '../report/sample';
import { headerBlock, writeTar } from '../../helpers/tar-writer';

const FAST_MS = 10_000;

async function codeOfScan(bytes: Uint8Array): Promise<string> {
	try {
		await scanSource(bytesSource(bytes), { name: 'hostile' });
		return 'ok';
	} catch (error) {
		return isMullionError(error) ? error.code : `untyped: ${String(error)}`;
	}
}

const dword = (value: number) => new Uint8Array([value & 0xff, (value >> 8) & 0xff, 0, 0]);

/** A key node with these subkeys and values; `valueCount` may claim more values than listed. */
function key(
	writer: HiveWriter,
	name: string,
	children: number[],
	values: number[] = [],
	valueCount = values.length
): number {
	return writer.nk({
		name,
		subkeyCount: children.length,
		subkeyList: children.length ? writer.list('lf', children) : undefined,
		valueCount,
		valueList: values.length ? writer.valueList(values) : undefined
	});
}

/** A minimal SOFTWARE hive at 10.0.20348.1366 whose CBS Packages key lists `packages`. */
function softwareHive(writer: HiveWriter, packages: number[]): Uint8Array {
	const currentVersion = key(
		writer,
		'CurrentVersion',
		[],
		[
			writer.vk({ name: 'CurrentBuildNumber', type: 1, data: utf16('20348\0') }),
			writer.vk({ name: 'CurrentMajorVersionNumber', type: 4, data: dword(10) }),
			writer.vk({ name: 'CurrentMinorVersionNumber', type: 4, data: dword(0) }),
			writer.vk({ name: 'UBR', type: 4, data: dword(1366) })
		]
	);
	const list = writer.nk({
		name: 'Packages',
		subkeyCount: packages.length,
		subkeyList: writer.list('lf', packages)
	});
	const cbs = key(writer, 'Component Based Servicing', [list]);
	const microsoft = key(writer, 'Microsoft', [
		key(writer, 'Windows NT', [currentVersion]),
		key(writer, 'Windows', [key(writer, 'CurrentVersion', [cbs])])
	]);
	const root = writer.nk({
		name: 'ROOT',
		flags: 0x4,
		subkeyCount: 1,
		subkeyList: writer.list('lf', [microsoft])
	});
	return writer.build(root);
}

describe('hostile inputs found in review', () => {
	it(
		'a path of 200 000 slashes is handled in linear time (the trailing-slash regex was quadratic)',
		async () => {
			const path = `Files/${'/'.repeat(200_000)}x`;
			const layer = gzipSync(writeTar([{ path, data: 'x' }]));
			expect(await codeOfScan(layer)).toBe('NO_SOFTWARE_HIVE');
			expect(trimTrailing(`a${'/'.repeat(200_000)}`, '/')).toBe('a');
			expect(normaliseDotNetVersion(`4${'.0'.repeat(150_000)}x`)).toMatch(/x$/);
			expect(normaliseDotNetVersion('4.8.0.0')).toBe('4.8');
		},
		FAST_MS
	);

	it('global PAX records past MAX_GLOBAL_PAX_KEYS are refused, not copied into every entry', async () => {
		const globalPax = Object.fromEntries(
			Array.from({ length: MAX_GLOBAL_PAX_KEYS + 1 }, (_, index) => [`k${index}`, 'v'])
		);
		const layer = writeTar([{ path: 'Files/a', data: 'x' }], { globalPax });
		expect(await codeOfScan(layer)).toBe('LIMIT_EXCEEDED');
		const few = writeTar([{ path: 'Files/a', data: 'x' }], { globalPax: { comment: 'ok' } });
		expect(await codeOfScan(few)).toBe('NO_SOFTWARE_HIVE');
	});

	it(
		'a subkey list naming one package key 50 000 times is read once per key, with a warning',
		() => {
			const writer = new HiveWriter();
			const junk = writer.vk({ name: 'Junk', type: 4, data: dword(1) });
			const pkg = key(
				writer,
				'Package_for_KB5021249~31bf3856ad364e35~amd64~~20348.1366.1.9',
				[],
				new Array(1000).fill(junk)
			);
			const bytes = softwareHive(writer, new Array(50_000).fill(pkg));
			const hive = openHive(bytes);
			const { facts } = readWindowsFacts(hive.root());
			expect(facts.version).toBe('10.0.20348.1366');
			expect(facts.packages).toHaveLength(1);
			expect(hive.warnings.map((warning) => warning.code)).toContain('HIVE_DUPLICATE_SUBKEY');
		},
		FAST_MS
	);

	it(
		'CVRF pruning with many openings sharing one far ">" is linear',
		() => {
			const head =
				'<cvrfdoc><DocumentTracking><Identification><ID>2020-Jan</ID></Identification>' +
				'<InitialReleaseDate>2020-01-14T08:00:00</InitialReleaseDate></DocumentTracking>';
			const vulnerability = `<Vulnerability><CVE>CVE-2020-0001</CVE><ProductID>11924</ProductID>${'<Threat\n'.repeat(200_000)}/></Vulnerability>`;
			let outcome = 'ok';
			try {
				condenseCvrf(`${head}${vulnerability}</cvrfdoc>`);
			} catch (error) {
				outcome = isMullionError(error) ? error.code : `untyped: ${String(error)}`;
			}
			expect(outcome).not.toMatch(/^untyped/);
		},
		FAST_MS
	);

	it(
		'a link whose warnings are a million bad items fails at the first, in bounded memory',
		() => {
			const json =
				'{"scannedAt":"2024-01-01T00:00:00.000Z","input":{"name":"x","size":1,"compression":"none"},' +
				'"entries":1,"stoppedEarly":false,"hive":{"path":"p","size":1,"version":"1.5","dirty":false},' +
				'"facts":{"major":10,"minor":0,"build":20348,"ubr":1,"packages":[],"dotnet":[],"programs":[]},' +
				`"warnings":[${'0,'.repeat(999_999)}0]}`;
			const fragment = packPermalinkBytes(
				deflateSync(new TextEncoder().encode(json), { level: 9 })
			);
			expect(() => decodePermalink(fragment)).toThrow(MullionError);
		},
		FAST_MS
	);

	it('error messages quoting megabytes of input are clipped', () => {
		const error = new MullionError('TAR_TRUNCATED', `path ${'a'.repeat(1_000_000)}`, 4096);
		expect(error.message.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 100);
		expect(error.message).toMatch(/more characters\) \(at offset 0x1000\)$/);
	});

	it(
		'an SBOM for 20 000 packages of one name gets unique refs in linear time',
		() => {
			const result = sampleScanResult();
			const first = result.facts.packages[0];
			if (!first) throw new Error('sample has no packages');
			result.facts.packages = Array.from({ length: 20_000 }, () => ({ ...first }));
			const sbom = JSON.parse(
				buildCycloneDx(result, undefined, { toolVersion: 't', serialNumber: 'urn:uuid:x' })
			) as { components: { components?: { 'bom-ref': string }[] }[] };
			const refs = sbom.components.flatMap((component) =>
				(component.components ?? []).map((child) => child['bom-ref'])
			);
			expect(new Set(refs).size).toBe(refs.length);
		},
		FAST_MS
	);
});

describe('messages that name the real cause', () => {
	it('a SOFTWARE that is a symlink says so instead of "no hive"', async () => {
		const layer = writeTar([
			{ path: 'Files/Windows/System32/config/SOFTWARE', type: 'symlink', linkPath: 'elsewhere' }
		]);
		await expect(scanSource(bytesSource(layer), { name: 'x' })).rejects.toThrow(
			/cannot be read: .*symlink/
		);
	});
});

describe('a gzip cut inside its header', () => {
	it('is GZIP_CORRUPT, not "too short to be a tar"', async () => {
		const whole = gzipSync(writeTar([{ path: 'Files/a', data: 'x' }]));
		for (const length of [2, 5, 9]) {
			expect(await codeOfScan(whole.subarray(0, length))).toBe('GZIP_CORRUPT');
		}
		// A file name that never ends (FNAME flag, no NUL): also damaged.
		const named = new Uint8Array([
			0x1f,
			0x8b,
			8,
			0x08,
			0,
			0,
			0,
			0,
			0,
			3,
			...new Array(4096).fill(0x61)
		]);
		expect(await codeOfScan(named)).toBe('GZIP_CORRUPT');
	});
});

describe('an OCI index with a linux manifest and a nested index without a platform', () => {
	it('looks inside the nested index and finds the Windows image', async () => {
		const hive = readFileSync(
			path.resolve(import.meta.dirname, '../../fixtures/software/servercore-ltsc2022.hive')
		);
		const layer = writeTar([
			{ path: 'Files', type: 'directory' },
			{ path: 'Files/Windows/System32/config/SOFTWARE', data: new Uint8Array(hive) }
		]);
		const hex = (value: number) => value.toString(16).padStart(64, '0');
		const INDEX = 'application/vnd.oci.image.index.v1+json';
		const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
		const json = (value: unknown) => JSON.stringify(value);
		const archive = writeTar([
			{ path: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
			{
				path: 'index.json',
				data: json({
					schemaVersion: 2,
					mediaType: INDEX,
					manifests: [
						{
							mediaType: MANIFEST,
							digest: `sha256:${hex(1)}`,
							size: 1,
							platform: { os: 'linux', architecture: 'amd64' }
						},
						{ mediaType: INDEX, digest: `sha256:${hex(2)}`, size: 1 }
					]
				})
			},
			{
				path: `blobs/sha256/${hex(2)}`,
				data: json({
					schemaVersion: 2,
					mediaType: INDEX,
					manifests: [
						{
							mediaType: MANIFEST,
							digest: `sha256:${hex(3)}`,
							size: 1,
							platform: { os: 'windows', architecture: 'amd64' }
						}
					]
				})
			},
			{
				path: `blobs/sha256/${hex(3)}`,
				data: json({
					schemaVersion: 2,
					mediaType: MANIFEST,
					config: { digest: `sha256:${hex(4)}`, size: 1 },
					layers: [{ digest: `sha256:${hex(5)}`, size: 1 }]
				})
			},
			{
				path: `blobs/sha256/${hex(4)}`,
				data: json({ os: 'windows', architecture: 'amd64', rootfs: { diff_ids: [] } })
			},
			{ path: `blobs/sha256/${hex(5)}`, data: layer }
		]);
		const result = await scanFiles([{ name: 'oci.tar', source: bytesSource(archive) }], {
			name: 'oci.tar'
		});
		expect(result.facts.version).toBe('10.0.20348.1366');
		expect(result.image?.platform).toMatch(/^windows\/amd64/);
	});
});

describe('one damaged optional key', () => {
	it('leaves that package without a state, with a warning, instead of failing the scan', () => {
		const writer = new HiveWriter();
		const state = writer.vk({ name: 'CurrentState', type: 4, data: dword(0x70) });
		const good = key(
			writer,
			'Package_for_KB5020373~31bf3856ad364e35~amd64~~20348.1300.1.0',
			[],
			[state]
		);
		const broken = key(
			writer,
			'Package_for_KB5021249~31bf3856ad364e35~amd64~~20348.1366.1.9',
			[],
			[state],
			0x8000_0000
		);
		const bytes = softwareHive(writer, [good, broken]);
		const { facts, warnings } = readWindowsFacts(openHive(bytes).root());
		expect(facts.version).toBe('10.0.20348.1366');
		expect(facts.packages.map((item) => [item.kb, item.stateName])).toEqual([
			['KB5020373', 'Installed'],
			['KB5021249', 'Unknown']
		]);
		expect(warnings.map((warning) => warning.code)).toContain('CBS_PACKAGE_UNREADABLE');
	});
});

describe('a gzip file name that never ends', () => {
	it(
		'is refused at MAX_GZIP_HEADER_FIELD_BYTES on the fflate path; a normal name still reads',
		async () => {
			const endless = new Uint8Array(10 + 4 * 1024 * 1024).fill(0x61);
			endless.set([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3]);
			await expect(
				scanSource(bytesSource(endless), { name: 'x', nativeGunzip: null })
			).rejects.toThrow(/file name does not end/);
			const named = fflateGzip(writeTar([{ path: 'Files/a', data: 'x' }]), {
				filename: 'layer.tar'
			});
			await expect(
				scanSource(bytesSource(named), { name: 'x', nativeGunzip: null })
			).rejects.toThrow(/SOFTWARE/);
		},
		FAST_MS
	);
});

describe('a zstd frame with a 128 MiB window and thousands of tiny blocks', () => {
	it(
		'is refused by the window-shift budget before fzstd copies its window per block',
		async () => {
			const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 17 << 3]; // window 2^27 = 128 MiB
			const header = headerBlock({ name: 'Files/zeros', size: 8 * 1024 ** 3, base256Size: true });
			const raw = header.length << 3;
			parts.push(raw & 0xff, (raw >> 8) & 0xff, (raw >> 16) & 0xff, ...header);
			for (let block = 0; block < 2000; block++) {
				const rle = (1 << 3) | (1 << 1) | (block === 1999 ? 1 : 0);
				parts.push(rle & 0xff, (rle >> 8) & 0xff, (rle >> 16) & 0xff, 0);
			}
			const started = performance.now();
			expect(await codeOfScan(Uint8Array.from(parts))).toBe('LIMIT_EXCEEDED');
			console.log(`refused after ${(performance.now() - started).toFixed(0)} ms (was 13 s)`);
		},
		FAST_MS
	);
});

describe('a delta whose parents all share one child with many values', () => {
	it(
		'is summarised within MAX_DELTA_SUMMARY_VALUES and marked truncated',
		() => {
			const writer = new HiveWriter();
			const value = writer.vk({ name: 'V', type: 4, data: new Uint8Array([1, 0, 0, 0]) });
			const child = writer.nk({
				name: 'Shared',
				valueCount: 20_000,
				valueList: writer.valueList(new Array(20_000).fill(value))
			});
			const parents = Array.from({ length: 400 }, (_, index) =>
				writer.nk({ name: `P${index}`, subkeyCount: 1, subkeyList: writer.list('lf', [child]) })
			);
			const root = writer.nk({
				name: 'ROOT',
				flags: 0x4,
				subkeyCount: parents.length,
				subkeyList: writer.list('lf', parents)
			});
			const summary = summarizeDelta(undefined, openHive(writer.build(root)).root());
			expect(summary.truncated).toBe(true);
			expect(summary.valuesSet).toBeLessThanOrEqual(MAX_DELTA_SUMMARY_VALUES + 20_000);
		},
		FAST_MS
	);
});

describe('an image whose layers hold more hive bytes than MAX_IMAGE_HIVE_BYTES', () => {
	it('is refused with a message naming the limit, instead of keeping them all', async () => {
		const fixture = (name: string) =>
			new Uint8Array(readFileSync(path.resolve(import.meta.dirname, '../../fixtures', name)));
		const base = writeTar([
			{ path: 'Files', type: 'directory' },
			{
				path: 'Files/Windows/System32/config/SOFTWARE',
				data: fixture('software/servercore-ltsc2022.hive')
			}
		]);
		const deltaHive = fixture('image/delta-update.hive');
		const delta = writeTar([
			{ path: 'Files', type: 'directory' },
			{ path: 'Hives', type: 'directory' },
			{ path: 'Hives/Software_Delta', data: deltaHive }
		]);
		const plan = [base, delta, delta].map((bytes, index) => ({
			path: `layer${index}.tar`,
			source: bytesSource(bytes)
		}));
		const within = await readImageRegistry(plan, { maxHiveBytes: 64 * 1024 * 1024 });
		expect(within.root).toBeDefined();
		await expect(
			readImageRegistry(plan, { maxHiveBytes: 2 * deltaHive.length - 1 })
		).rejects.toThrow(/MAX_IMAGE_HIVE_BYTES/);
	});
});
