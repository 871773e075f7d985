import { openAsBlob } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTar, scanLayer } from '../../../src/lib/archive/layer';
import { blobSource } from '../../../src/lib/archive/source';
import type { TarEntry } from '../../../src/lib/archive/tar';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/archive');
const sampleTar = path.join(fixtures, 'windows-layer-shape.tar');
const TYPE_NAMES: Record<string, string> = {
	'0': 'reg',
	'1': 'hardlink',
	'2': 'symlink',
	'5': 'dir'
};

/** The per-entry part of the header dump, rebuilt from parsed entries in its own format. */
function dumpEntries(entries: TarEntry[]): string[] {
	return entries.flatMap((entry) => {
		const link = entry.linkPath === undefined ? '' : ` linkname=${pythonRepr(entry.linkPath)}`;
		const head = `typeflag=${entry.typeflag} ${TYPE_NAMES[entry.typeflag]} size=${entry.size} name=${pythonRepr(entry.path)}${link}`;
		const records = Object.entries(entry.pax)
			.sort(([a], [b]) => (a < b ? -1 : 1))
			.map(([key, value]) => `    pax ${key}=${value}`);
		return [head, ...records];
	});
}

function pythonRepr(text: string): string {
	return `'${text.replaceAll('\\', '\\\\')}'`;
}

describe('the synthetic Windows layer sample (corpus, CC0)', () => {
	it('parses to exactly the entries and PAX records of its header dump', async () => {
		// Proves: every entry's typeflag, size, name, link name and PAX records (Python tarfile's
		// "././@PaxHeader" naming, trailing-slash directories) match the independent dump.
		const dump = readFileSync(path.join(fixtures, 'windows-layer-shape.headers.txt'), 'utf8');
		const expected = dump.split('\n# raw')[0]!.trimEnd().split('\n');
		const tar = await openTar(blobSource(await openAsBlob(sampleTar)));
		const entries: TarEntry[] = [];
		for await (const entry of tar.entries) entries.push(entry);
		expect(dumpEntries(entries)).toEqual(expected);
	});

	it('places headers where the raw block list of the dump says', async () => {
		const dump = readFileSync(path.join(fixtures, 'windows-layer-shape.headers.txt'), 'utf8');
		const rawOffsets = [...dump.matchAll(/^\s+(\d+) '[^x]'/gm)].map((match) => Number(match[1]));
		const tar = await openTar(blobSource(await openAsBlob(sampleTar)));
		const ownHeaderOffsets: number[] = [];
		for await (const entry of tar.entries) ownHeaderOffsets.push(entry.dataOffset - 512);
		expect(ownHeaderOffsets).toEqual(rawOffsets);
	});

	it('scans to the Files SOFTWARE placeholder and stops there', async () => {
		// Proves: the 44-byte Files placeholder is read; Hives/, the whiteout and UtilityVM/ all
		// come after it in this sample, so the scan stops before seeing them.
		const result = await scanLayer(blobSource(await openAsBlob(sampleTar)));
		expect(result.software?.path).toBe('Files/Windows/System32/config/SOFTWARE');
		expect(result.software?.bytes.length).toBe(44);
		expect(result).toMatchObject({
			entries: 8,
			stoppedEarly: true,
			whiteouts: [],
			roots: { files: true, hives: false, utilityVm: false }
		});
	});
});
