import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanLayer, type LayerScanOptions } from '../../../src/lib/archive/layer';
import { bytesSource } from '../../../src/lib/archive/source';
import type { ErrorCode } from '../../../src/lib/errors';
import {
	countingSource,
	gzip,
	partsSource,
	writeTar,
	writeTarParts,
	type TarWriterEntry
} from '../../helpers/tar-writer';
import { FILES_SOFTWARE, fakeHive, windowsLayerTar } from './windows-layer';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/archive');

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
	await expect(promise).rejects.toMatchObject({ name: 'MullionError', code });
}

const scan = (bytes: Uint8Array, options?: LayerScanOptions) =>
	scanLayer(bytesSource(bytes), options);

describe('scanLayer on the Windows layer dialect', () => {
	const tar = windowsLayerTar();
	const inputs: [string, Uint8Array, LayerScanOptions?][] = [
		['plain', tar],
		['gzip (native)', gzip(tar)],
		['gzip (fflate only)', gzip(tar), { nativeGunzip: null }],
		['multi-member gzip (fflate only)', gzip(tar, { members: 4 }), { nativeGunzip: null }],
		[
			'gzip + zero padding (fflate only)',
			gzip(tar, { trailingZeros: 4096 }),
			{ nativeGunzip: null }
		],
		['gzip + zero padding (native)', gzip(tar, { trailingZeros: 4096 })],
		['zstd (committed CLI fixture)', readFileSync(path.join(fixtures, 'windows-layer.tar.zst'))]
	];

	it.each(inputs)(
		'%s: reads the Files SOFTWARE, never the UtilityVM one',
		async (_, input, options) => {
			// Proves: with UtilityVM's SOFTWARE first, 3000 long-named entries (PAX path and GNU L,
			// MSWINDOWS.* and LIBARCHIVE.creationtime records) and SOFTWARE before its directories,
			// the Files hive is returned byte for byte and the scan stops right after it.
			const result = await scan(input, options);
			expect(result.software).toEqual({
				path: 'Files/Windows/System32/config/SOFTWARE',
				bytes: FILES_SOFTWARE
			});
			expect(result).toMatchObject({
				entries: 3002,
				stoppedEarly: true,
				roots: { files: true, hives: false, utilityVm: true },
				whiteouts: [],
				linuxHints: [],
				warnings: []
			});
			expect(result.softwareDelta).toBeUndefined();
		}
	);

	it('names the compression it found by magic bytes', async () => {
		// Proves: compression comes from the bytes, for each of the three formats.
		const names = await Promise.all(inputs.slice(0, 2).map(([, input]) => scan(input)));
		expect(names.map((result) => result.compression)).toEqual(['none', 'gzip']);
		expect((await scan(inputs[6]![1])).compression).toBe('zstd');
	});
});

describe('scanLayer path rules', () => {
	it('matches the hive path case-insensitively', async () => {
		// Proves: Windows paths are compared without case (layers-and-hives.md §1.2).
		const tar = writeTar([
			{ path: 'files/windows/SYSTEM32/Config/software', data: FILES_SOFTWARE }
		]);
		const result = await scan(tar);
		expect(result.software?.path).toBe('files/windows/SYSTEM32/Config/software');
		expect(result.software?.bytes).toEqual(FILES_SOFTWARE);
	});

	it.each([
		['plain', (tar: Uint8Array) => tar],
		['gzip', (tar: Uint8Array) => gzip(tar)]
	])('%s: follows a hard link from SOFTWARE to an earlier entry', async (_, wrap) => {
		// Proves: a typeflag-1 SOFTWARE resolves to the body of its earlier target in this layer,
		// by direct read on a plain tar and by a second decompression pass on gzip.
		const tar = writeTar([
			{ path: 'Files/Windows/System32/config/RegBack/SOFTWARE', data: FILES_SOFTWARE },
			{ path: 'Files/Other.txt', data: 'x'.repeat(5000) },
			{
				path: 'Files/Windows/System32/config/SOFTWARE',
				type: 'hardlink',
				linkPath: 'Files/Windows/System32/config/RegBack/SOFTWARE'
			}
		]);
		const result = await scan(wrap(tar));
		expect(result.software?.bytes).toEqual(FILES_SOFTWARE);
		expect(result.stoppedEarly).toBe(true);
	});

	it('warns about a hard link whose target is in another layer', async () => {
		// Proves: a cross-layer link is reported, not fatal, and leaves software unset.
		const tar = writeTar([
			{ path: 'Files/Windows/System32/config/SOFTWARE', type: 'hardlink', linkPath: 'Files/x' }
		]);
		const result = await scan(tar);
		expect(result.software).toBeUndefined();
		expect(result.warnings.map((warning) => warning.code)).toEqual(['HIVE_LINK_UNRESOLVED']);
	});

	it('does not take an alternate data stream for the hive', async () => {
		// Proves: `SOFTWARE:Zone.Identifier` (an ADS entry) neither becomes nor replaces the hive.
		const tar = writeTar([
			{ path: 'Files/Windows/System32/config/SOFTWARE:Zone.Identifier', data: 'ZoneId=3' },
			{ path: 'Files/Windows/System32/config/SOFTWARE', data: FILES_SOFTWARE },
			{ path: 'Files/Windows/System32/config/SOFTWARE:Zone.Identifier', data: 'ZoneId=3' }
		]);
		const result = await scan(tar);
		expect(result.software?.bytes).toEqual(FILES_SOFTWARE);
		expect(result.entries).toBe(2);
	});

	it('finds Hives/Software_Delta in a non-base layer and lists whiteouts', async () => {
		// Proves: a later layer (Files + Hives, no SOFTWARE) yields its delta, all whiteouts and
		// no early stop, since the layer has no Files SOFTWARE.
		const delta = fakeHive('delta', 4096);
		const tar = writeTar([
			{ path: 'Files', type: 'directory' },
			{ path: 'Files/Users/Public/.wh.Desktop' },
			{ path: 'Hives', type: 'directory' },
			{ path: 'hives/SOFTWARE_DELTA', data: delta },
			{ path: 'Files/ProgramData/.wh.Old' }
		]);
		const result = await scan(tar);
		expect(result).toMatchObject({
			softwareDelta: { path: 'hives/SOFTWARE_DELTA', bytes: delta },
			whiteouts: ['Files/Users/Public/.wh.Desktop', 'Files/ProgramData/.wh.Old'],
			roots: { files: true, hives: true, utilityVm: false },
			stoppedEarly: false,
			entries: 5
		});
		expect(result.software).toBeUndefined();
	});

	it('keeps reading for the delta when the layer has both SOFTWARE and Hives/', async () => {
		// Proves: the early stop waits for Software_Delta once a Hives/ root has been seen.
		const delta = fakeHive('delta', 1024);
		const tar = writeTar([
			{ path: 'Hives', type: 'directory' },
			{ path: 'Files/Windows/System32/config/SOFTWARE', data: FILES_SOFTWARE },
			{ path: 'Files/a.txt', data: 'a' },
			{ path: 'Hives/Software_Delta', data: delta },
			{ path: 'Files/b.txt', data: 'b' }
		]);
		const result = await scan(tar);
		expect(result.softwareDelta?.bytes).toEqual(delta);
		expect(result).toMatchObject({ entries: 4, stoppedEarly: true });
	});

	it('reports a 0-byte SOFTWARE without stopping or failing', async () => {
		// Proves: synthetic base layers with an empty SOFTWARE (imgutil) give an empty hive and a
		// HIVE_EMPTY warning; the caller decides what that means.
		const tar = writeTar([
			{ path: 'Files/Windows/System32/config/SOFTWARE' },
			{ path: 'Files/Windows/System32/config/SYSTEM' }
		]);
		const result = await scan(tar);
		expect(result.software).toEqual({
			path: 'Files/Windows/System32/config/SOFTWARE',
			bytes: new Uint8Array(0)
		});
		expect(result.stoppedEarly).toBe(false);
		expect(result.entries).toBe(2);
		expect(result.warnings.map((warning) => warning.code)).toEqual(['HIVE_EMPTY']);
	});

	it('caps the hive size', async () => {
		// Proves: a SOFTWARE larger than maxHiveBytes is refused before it is read.
		const tar = writeTar([
			{ path: 'Files/Windows/System32/config/SOFTWARE', data: FILES_SOFTWARE }
		]);
		await expectCode(scan(tar, { limits: { maxHiveBytes: 4096 } }), 'LIMIT_EXCEEDED');
	});
});

describe('scanLayer on bad input', () => {
	const linuxEntries: TarWriterEntry[] = [
		{ path: 'etc', type: 'directory' },
		{ path: 'etc/os-release', data: 'ID=debian\n' },
		{ path: 'usr/bin/sh', data: 'ELF' }
	];

	it('rejects a Linux layer with LINUX_LAYER', async () => {
		// Proves: no Files/ root + etc/, usr/ paths = LINUX_LAYER, plain and gzip.
		await expectCode(scan(writeTar(linuxEntries)), 'LINUX_LAYER');
		await expectCode(scan(gzip(writeTar(linuxEntries))), 'LINUX_LAYER');
	});

	it('judges a large Linux layer early, without reading it all', async () => {
		// Proves: after LINUX_DECISION_ENTRIES Linux entries with no Windows root, it stops.
		const entries = Array.from({ length: 5000 }, (_, index) => ({ path: `usr/share/f${index}` }));
		const source = countingSource(bytesSource(writeTar(entries)));
		await expectCode(scanLayer(source), 'LINUX_LAYER');
		expect(source.bytesRead).toBeLessThan(source.size);
	});

	it('rejects random bytes and empty input with NOT_AN_ARCHIVE', async () => {
		// Proves: neither tar, gzip nor zstd magic (and no valid v7 checksum) = NOT_AN_ARCHIVE.
		const random = new Uint8Array(4096).map((_, index) => (index * 7919 + 13) % 256);
		await expectCode(scan(random), 'NOT_AN_ARCHIVE');
		await expectCode(scan(new Uint8Array(0)), 'NOT_AN_ARCHIVE');
	});

	it('rejects a gzip whose content is not a tar with NOT_AN_ARCHIVE', async () => {
		// Proves: the decompressed stream is checked for a tar header too.
		await expectCode(
			scan(gzip(new TextEncoder().encode('hello world'.repeat(100)))),
			'NOT_AN_ARCHIVE'
		);
	});

	it('reports a tar cut mid-body or mid-header as TAR_TRUNCATED', async () => {
		// Proves: both cut points give TAR_TRUNCATED with an offset, plain and streamed.
		const tar = writeTar([
			{ path: 'Files/a.txt', data: 'a'.repeat(2000) },
			{ path: 'Files/Windows/System32/config/SOFTWARE', data: FILES_SOFTWARE }
		]);
		const secondHeader = 512 + 2048;
		for (const cut of [1000, secondHeader + 100, secondHeader + 512 + 4000]) {
			await expectCode(scan(tar.subarray(0, cut)), 'TAR_TRUNCATED');
		}
	});

	it('reports a cut gzip as GZIP_CORRUPT', async () => {
		// Proves: a gzip cut short fails in the decompressor (GZIP_CORRUPT), not in the tar parser:
		// the decoder reaches the end of its input without the end of the deflate stream and
		// errors the stream, so the tar reader never sees a clean end of data.
		const compressed = gzip(windowsLayerTar(200));
		for (const nativeGunzip of [undefined, null]) {
			const cut = compressed.subarray(0, Math.floor(compressed.length / 2));
			await expectCode(scan(cut, { nativeGunzip }), 'GZIP_CORRUPT');
		}
	});

	it('reports junk after the last gzip member as GZIP_CORRUPT', async () => {
		// Proves: only zero padding is tolerated after the last member (fflate path).
		const compressed = gzip(writeTar([{ path: 'Files/a.txt', data: 'a' }]));
		const junk = new Uint8Array([...compressed, 0, 0, 0x41, 0x42, 0x43, 0x44, 0, 0]);
		await expectCode(scan(junk, { nativeGunzip: null }), 'GZIP_CORRUPT');
	});

	it('refuses a gzip bomb with LIMIT_EXCEEDED', async () => {
		// Proves: 50 MB of zeros in one entry pass a lowered decompression cap → LIMIT_EXCEEDED,
		// for native and fflate decoding.
		const bomb = gzip(writeTar([{ path: 'Files/zeros.bin', zeroBodyBytes: 50_000_000 }]));
		for (const nativeGunzip of [undefined, null]) {
			const options = { nativeGunzip, limits: { maxDecompressedBytes: 10_000_000 } };
			await expectCode(scan(bomb, options), 'LIMIT_EXCEEDED');
		}
	});

	it('stops with CANCELLED when the signal aborts', async () => {
		// Proves: an abort during the walk (here from the progress callback) ends the scan.
		const controller = new AbortController();
		const compressed = gzip(windowsLayerTar(3000));
		const options = { signal: controller.signal, onProgress: () => controller.abort() };
		await expectCode(scan(compressed, options), 'CANCELLED');
		await expectCode(scan(windowsLayerTar(3000), options), 'CANCELLED');
	});

	it('stops with CANCELLED when the signal was aborted before the start', async () => {
		const controller = new AbortController();
		controller.abort();
		await expectCode(scan(windowsLayerTar(10), { signal: controller.signal }), 'CANCELLED');
	});
});

describe('scanLayer cost', () => {
	it('stops after SOFTWARE on a plain tar, reading a tiny part of 200 MB', async () => {
		// Proves: with SOFTWARE first and 200 MB of other entries after it, the scan reads one
		// window (and the sniff), not the whole source: bytesRead is asserted, not time.
		const others: TarWriterEntry[] = Array.from({ length: 20 }, (_, index) => ({
			path: `Files/big-${index}.bin`,
			zeroBodyBytes: 10_000_000
		}));
		const source = partsSource(
			writeTarParts([
				{ path: 'Files/Windows/System32/config/SOFTWARE', data: FILES_SOFTWARE },
				...others
			])
		);
		expect(source.size).toBeGreaterThan(200_000_000);
		const result = await scanLayer(source);
		expect(result.software?.bytes).toEqual(FILES_SOFTWARE);
		expect(result.stoppedEarly).toBe(true);
		expect(result.bytesRead).toBeLessThanOrEqual(1024 * 1024);
		expect(source.bytesRead).toBeLessThanOrEqual(1024 * 1024 + 512);
	});

	it('reports progress in input bytes up to the total', async () => {
		// Proves: progress is monotonic, bounded by the input size, and ends at the total.
		const input = gzip(windowsLayerTar(3000));
		const seen: number[] = [];
		await scan(input, { onProgress: (progress) => seen.push(progress.bytesDone) });
		expect(seen.length).toBeGreaterThan(1);
		expect([...seen].sort((a, b) => a - b)).toEqual(seen);
		expect(seen.every((done) => done <= input.length)).toBe(true);
	});
});
