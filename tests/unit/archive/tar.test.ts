import { describe, expect, it } from 'vitest';
import { openTar } from '../../../src/lib/archive/layer';
import { parsePaxRecords } from '../../../src/lib/archive/pax';
import { SourceReader, StreamReader } from '../../../src/lib/archive/sequential-reader';
import { bytesSource } from '../../../src/lib/archive/source';
import { readEntryBody, tarEntries, type TarEntry } from '../../../src/lib/archive/tar';
import { hasValidChecksum, parseTarHeader } from '../../../src/lib/archive/tar-header';
import type { ErrorCode } from '../../../src/lib/errors';
import {
	chunkedStream,
	concatParts,
	headerBlock,
	metaEntry,
	paxBody,
	partsSource,
	writeTar,
	writeTarParts,
	type TarWriterEntry
} from '../../helpers/tar-writer';
import { windowsLayerTar } from './windows-layer';

async function collect(bytes: Uint8Array, options?: Parameters<typeof tarEntries>[1]) {
	const entries: TarEntry[] = [];
	for await (const entry of tarEntries(new SourceReader(bytesSource(bytes)), options)) {
		entries.push(entry);
	}
	return entries;
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
	await expect(promise).rejects.toMatchObject({ name: 'MullionError', code });
}

const LONG_PATH = `Files/${'LongDirectoryName/'.repeat(8)}file.txt`;

describe('tar header fields', () => {
	it('resolves every long-name style to the same path', async () => {
		// Proves: PAX path, GNU 'L' and the ustar prefix all give the full >100-byte path.
		const styles = ['pax', 'gnu', 'prefix'] as const;
		const tar = writeTar(
			styles.map((longNames) => ({ path: LONG_PATH, data: longNames, longNames }))
		);
		const entries = await collect(tar);
		expect(entries.map((entry) => entry.path)).toEqual([LONG_PATH, LONG_PATH, LONG_PATH]);
		expect(entries[0]!.pax).toEqual({ path: LONG_PATH });
		expect(entries[1]!.pax).toEqual({});
	});

	it('decodes types, link targets, PAX records and offsets', async () => {
		// Proves: directory / hard link / symlink (raw Windows target) / file, with their PAX
		// records, trailing-slash stripping, and header/data offsets that point at the bytes.
		const longTarget = `C:\\${'Target\\'.repeat(20)}end`;
		const tar = writeTar([
			{ path: 'Files/', type: 'directory', pax: { 'MSWINDOWS.fileattr': '16' } },
			{ path: 'Files/a.txt', data: 'hello', pax: { 'LIBARCHIVE.creationtime': '1670547600.5' } },
			{ path: 'Files/b.txt', type: 'hardlink', linkPath: 'Files/a.txt' },
			{ path: 'Files/link', type: 'symlink', linkPath: 'C:\\Users' },
			{ path: 'Files/long-link', type: 'symlink', linkPath: longTarget, longNames: 'gnu' },
			{ path: 'Files/pax-link', type: 'symlink', linkPath: longTarget }
		]);
		const entries = await collect(tar);
		const summary = entries.map(({ path, type, size, linkPath }) => ({
			path,
			type,
			size,
			linkPath
		}));
		expect(summary).toEqual([
			{ path: 'Files', type: 'directory', size: 0, linkPath: undefined },
			{ path: 'Files/a.txt', type: 'file', size: 5, linkPath: undefined },
			{ path: 'Files/b.txt', type: 'hardlink', size: 0, linkPath: 'Files/a.txt' },
			{ path: 'Files/link', type: 'symlink', size: 0, linkPath: 'C:\\Users' },
			{ path: 'Files/long-link', type: 'symlink', size: 0, linkPath: longTarget },
			{ path: 'Files/pax-link', type: 'symlink', size: 0, linkPath: longTarget }
		]);
		expect(entries[1]).toMatchObject({ headerOffset: 1536, dataOffset: 3072 });
		expect(new TextDecoder().decode(tar.subarray(3072, 3077))).toBe('hello');
		expect(entries[1]!.pax).toEqual({ 'LIBARCHIVE.creationtime': '1670547600.5' });
	});

	it('reads GNU base-256 sizes, v7 headers, signed checksums and PAX global records', async () => {
		// Proves: base-256 size fields, headers without magic, checksums summed as signed bytes
		// (an old-writer variant) and 'g' records applied to following entries are all accepted.
		const v7 = headerBlock({ name: 'v7-dir/', v7: true, typeflag: '\0' });
		const signed = headerBlock({ name: 'Files/\u00e9t\u00e9.txt', size: 0 });
		rewriteChecksumSigned(signed);
		const tar = concatParts([
			...writeTarParts([{ path: 'Files/b256.bin', data: 'x'.repeat(700), base256Size: true }], {
				globalPax: { comment: 'made by a test' },
				endBlocks: 0
			}),
			v7,
			signed,
			new Uint8Array(1024)
		]);
		const entries = await collect(tar);
		expect(entries.map((entry) => [entry.path, entry.type, entry.size])).toEqual([
			['Files/b256.bin', 'file', 700],
			['v7-dir', 'directory', 0],
			['Files/\u00e9t\u00e9.txt', 'file', 0]
		]);
		expect(entries.every((entry) => entry.pax['comment'] === 'made by a test')).toBe(true);
	});

	it('decodes PAX values containing "=" and newlines', () => {
		// Proves: a record's length, not its first newline, delimits it.
		const body = paxBody({ 'MSWINDOWS.rawsd': 'AQ==', comment: 'a\nb=c' });
		expect(parsePaxRecords(body, 0)).toEqual({ 'MSWINDOWS.rawsd': 'AQ==', comment: 'a\nb=c' });
	});
});

/** Recomputes a header's checksum as a sum of signed bytes (differs once a byte is ≥ 0x80). */
function rewriteChecksumSigned(block: Uint8Array): void {
	let sum = 0;
	for (let index = 0; index < 512; index++) {
		const byte = index >= 148 && index < 156 ? 32 : block[index]!;
		sum += byte >= 128 ? byte - 256 : byte;
	}
	block.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
	expect(hasValidChecksum(block)).toBe(true);
}

describe('tar on bad input', () => {
	it('throws TAR_BAD_HEADER with the offset of a header whose checksum is wrong', async () => {
		// Proves: the second header's checksum is verified and its offset reported.
		const tar = writeTar([{ path: 'Files/a' }, { path: 'Files/b', badChecksum: true }]);
		await expect(collect(tar)).rejects.toMatchObject({ code: 'TAR_BAD_HEADER', offset: 512 });
		expect(() => parseTarHeader(headerBlock({ name: 'x', badChecksum: true }), 7)).toThrow(/0x7/);
	});

	it('throws NOT_AN_ARCHIVE when the first block is not a header', async () => {
		await expectCode(collect(new Uint8Array(512).fill(0x41)), 'NOT_AN_ARCHIVE');
	});

	it('throws TAR_TRUNCATED at once for a 2^40-byte size on a random-access source', async () => {
		// Proves: no waiting and no read past the header: the claim is checked against the size.
		const source = partsSource(
			writeTarParts([{ path: 'Files/huge', claimedSize: 2 ** 40, base256Size: true }])
		);
		const reader = new SourceReader(source);
		await expect(tarEntries(reader).next()).rejects.toMatchObject({
			code: 'TAR_TRUNCATED',
			offset: 0
		});
		expect(source.readCalls).toBe(1);
	});

	it('throws TAR_TRUNCATED for a 2^40-byte size on a stream, at its end', async () => {
		const tar = writeTar([{ path: 'Files/huge', claimedSize: 2 ** 40, base256Size: true }]);
		const reader = new StreamReader(chunkedStream(tar, 4096));
		const walk = async () => {
			for await (const entry of tarEntries(reader)) void entry;
		};
		await expectCode(walk(), 'TAR_TRUNCATED');
	});

	it('bounds PAX headers: too big, too many records, endless chains, malformed', async () => {
		// Proves: each way of making PAX data endless ends in a coded error.
		const many = Object.fromEntries(Array.from({ length: 5000 }, (_, index) => [`k${index}`, 'v']));
		await expectCode(collect(writeTar([{ path: 'a', pax: many }])), 'LIMIT_EXCEEDED');
		const big = { comment: 'x'.repeat(2_000_000) };
		await expectCode(collect(writeTar([{ path: 'a', pax: big }])), 'LIMIT_EXCEEDED');
		const chain = Array.from({ length: 100 }, () => metaEntry('x', 'p', paxBody({ a: 'b' })));
		await expectCode(
			collect(concatParts([...chain.flat(), new Uint8Array(1024)])),
			'LIMIT_EXCEEDED'
		);
		const malformed = new TextEncoder().encode('99999 path=x\n');
		await expectCode(
			collect(concatParts([...metaEntry('x', 'p', malformed), headerBlock({ name: 'a' })])),
			'TAR_BAD_HEADER'
		);
		const noNumber = new TextEncoder().encode('abc path=x\n');
		expect(() => parsePaxRecords(noNumber, 0)).toThrow(/PAX/);
	});

	it('bounds GNU long names', async () => {
		const longName = { path: `Files/${'n/'.repeat(70_000)}`, longNames: 'gnu' as const };
		await expectCode(collect(writeTar([longName])), 'LIMIT_EXCEEDED');
	});

	it('counts entries against maxEntries', async () => {
		const entries = Array.from({ length: 20 }, (_, index) => ({ path: `f${index}` }));
		await expectCode(collect(writeTar(entries), { limits: { maxEntries: 10 } }), 'LIMIT_EXCEEDED');
	});

	it('warns about a missing end marker instead of failing', async () => {
		const warnings: string[] = [];
		const tar = writeTar([{ path: 'a', data: 'x' }], { endBlocks: 0 });
		await collect(tar, { onWarning: (warning) => warnings.push(warning.code) });
		expect(warnings).toEqual(['TAR_NO_END_MARKER']);
	});
});

describe('readers', () => {
	it('gives identical entries and bodies for stream chunks of 1, 511, 513 and 1 MiB+1 bytes', async () => {
		// Proves: chunk boundaries falling anywhere in headers, PAX data or bodies change nothing.
		const tar = windowsLayerTar(300);
		const walk = async (reader: SourceReader | StreamReader) => {
			const seen: [TarEntry, string][] = [];
			for await (const entry of tarEntries(reader)) {
				const body = entry.size < 100 ? await readEntryBody(reader, entry, 100) : new Uint8Array();
				seen.push([entry, new TextDecoder().decode(body)]);
			}
			return seen;
		};
		const expected = await walk(new SourceReader(bytesSource(tar)));
		expect(expected).toHaveLength(309);
		for (const chunkBytes of [1, 511, 513, 1024 * 1024 + 1]) {
			expect(await walk(new StreamReader(chunkedStream(tar, chunkBytes)))).toEqual(expected);
		}
	});

	it('walks a 1 GiB plain tar of 100k entries with about one read per 1 MiB window', async () => {
		// Proves: headers are read through windows (one Blob.slice costs ~1 ms in Chromium), so the
		// read count follows the size in MiB, not the entry count.
		const entries: TarWriterEntry[] = Array.from({ length: 100_000 }, (_, index) => ({
			path: `Files/f${index}`,
			zeroBodyBytes: 10_240
		}));
		const source = partsSource(writeTarParts(entries));
		expect(source.size).toBeGreaterThan(1_000_000_000);
		const tar = await openTar(source);
		let count = 0;
		for await (const entry of tar.entries) count += entry.size > 0 ? 1 : 0;
		expect(count).toBe(100_000);
		const windows = Math.ceil(source.size / (1024 * 1024));
		expect(source.readCalls).toBeLessThanOrEqual(windows + 2);
	});

	it('lets a nested archive be read through its data offset', async () => {
		// Proves: openTar's dataOffset on a plain tar is a source offset (tar of tars).
		const inner = writeTar([{ path: 'Files/inner.txt', data: 'inner' }]);
		const outer = writeTar([{ path: 'blobs/sha256/abc', data: inner }]);
		const tar = await openTar(bytesSource(outer));
		const { value } = await tar.entries.next();
		const entry = value as TarEntry;
		expect(outer.subarray(entry.dataOffset, entry.dataOffset + entry.size)).toEqual(inner);
	});
});

describe('hasValidChecksum', () => {
	/** The checksum as POSIX words it, byte by byte: unsigned, or signed for old writers. */
	function referenceSums(block: Uint8Array): [number, number] {
		let unsigned = 0;
		let signed = 0;
		block.forEach((value, index) => {
			const byte = index >= 148 && index < 156 ? 0x20 : value;
			unsigned += byte;
			signed += byte >= 0x80 ? byte - 0x100 : byte;
		});
		return [unsigned, signed];
	}

	function withChecksum(block: Uint8Array, sum: number): Uint8Array {
		const copy = block.slice();
		const text = `${(sum & 0o777777).toString(8).padStart(6, '0')}\0 `;
		for (let index = 0; index < 8; index++) copy[148 + index] = text.charCodeAt(index);
		return copy;
	}

	it('agrees with the byte-by-byte definition on random blocks, unsigned and signed', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
		for (let round = 0; round < 300; round++) {
			const block = Uint8Array.from({ length: 512 }, () =>
				Math.floor(random() * (round % 3 === 0 ? 128 : 256))
			);
			const [unsigned, signed] = referenceSums(block);
			expect(hasValidChecksum(withChecksum(block, unsigned))).toBe(true);
			if (signed >= 0) expect(hasValidChecksum(withChecksum(block, signed))).toBe(true);
			expect(hasValidChecksum(withChecksum(block, unsigned + 1))).toBe(signed === unsigned + 1);
		}
	});
});
