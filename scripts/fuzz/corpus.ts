/**
 * The clean inputs the fuzzer mutates: every regf hive committed under tests/fixtures (plus
 * ../shared/corpus/hives when present), and small Windows-shaped layer tars built with the test
 * tar writer (plus the committed layer fixtures, the zstd one included).
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeTar, type TarWriterEntry } from '../../tests/helpers/tar-writer';
import { windowsLayerEntries } from '../../tests/helpers/windows-layer';
import { indexHiveCells, type HiveCellIndex } from './hive-mutations';
import { indexTarHeaders, type TarHeaderInfo } from './layer-mutations';
import { Prng } from './prng';

/** Largest hive taken from the shared corpus, in bytes. */
export const MAX_CORPUS_HIVE_BYTES = 64 * 1024 * 1024;
/** Most files looked at under one corpus folder. */
export const MAX_CORPUS_FILES = 5_000;

export interface BaseHive {
	name: string;
	bytes: Uint8Array;
	cells: HiveCellIndex;
}

export interface BaseTar {
	name: string;
	bytes: Uint8Array;
	headers: TarHeaderInfo[];
}

export interface FuzzCorpus {
	hives: BaseHive[];
	tars: BaseTar[];
	zstd: { name: string; bytes: Uint8Array }[];
}

export interface CorpusOptions {
	repoRoot: string;
	/** Also read ../shared/corpus/hives (default true). */
	shared?: boolean;
	/** Include the ~50 MiB large-synthetic SOFTWARE hive (default true). */
	largeHive?: boolean;
}

/** Loads the corpus (synchronously; a few hundred MiB at most with the shared corpus). */
export function loadCorpus(options: CorpusOptions): FuzzCorpus {
	const fixtures = path.join(options.repoRoot, 'tests/fixtures');
	const hiveFiles = [
		...regfFiles(path.join(fixtures, 'hives')),
		...regfFiles(path.join(fixtures, 'software'))
	];
	const shared = path.resolve(options.repoRoot, '../shared/corpus/hives');
	if ((options.shared ?? true) && existsSync(shared)) hiveFiles.push(...regfFiles(shared));
	const hives = hiveFiles.map((file) =>
		baseHive(path.relative(options.repoRoot, file), readFileSync(file))
	);
	if (options.largeHive ?? true) {
		const large = path.join(fixtures, 'software/large-synthetic.hive.gz');
		hives.push(baseHive('large-synthetic.hive', gunzipSync(readFileSync(large))));
	}
	return { hives, tars: baseTars(fixtures), zstd: zstdFixtures(fixtures) };
}

function baseHive(name: string, buffer: Buffer): BaseHive {
	const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
	return { name, bytes, cells: indexHiveCells(bytes) };
}

/** Files under `folder` (recursively) that start with 'regf'. */
function regfFiles(folder: string): string[] {
	const found: string[] = [];
	const pending = [folder];
	let seen = 0;
	while (pending.length > 0 && seen < MAX_CORPUS_FILES) {
		const current = pending.pop() as string;
		for (const name of readdirSync(current).sort()) {
			const file = path.join(current, name);
			const stat = statSync(file);
			seen++;
			if (stat.isDirectory()) pending.push(file);
			else if (stat.size >= 4096 && stat.size <= MAX_CORPUS_HIVE_BYTES && startsWithRegf(file))
				found.push(file);
		}
	}
	return found.sort();
}

function startsWithRegf(file: string): boolean {
	const head = readFileSync(file).subarray(0, 4);
	return head.toString('latin1') === 'regf';
}

/** Small Windows-shaped layers: hive first, hive last, GNU long names, links, a delta. */
function baseTars(fixtures: string): BaseTar[] {
	const read = (name: string) => new Uint8Array(readFileSync(path.join(fixtures, name)));
	const software = read('software/servercore-ltsc2022.hive');
	const nano = read('software/nanoserver-ltsc2022.hive');
	const filler = pseudoRandom(1536, 7);
	const extras: TarWriterEntry[] = [
		{
			path: `Files/Program Files/${'LongDirectoryName/'.repeat(8)}tool.exe`,
			data: filler,
			longNames: 'gnu'
		},
		{ path: 'Files/Windows/System32/config/SOFTWARE.LOG1', data: filler.subarray(0, 700) },
		{ path: 'Files/Users/.wh.Public', data: '' },
		{
			path: 'Files/link-to-software',
			type: 'hardlink',
			linkPath: 'Files/Windows/System32/config/SOFTWARE'
		}
	];
	const shapes: [string, TarWriterEntry[]][] = [
		[
			'layer-hive-first',
			[
				...windowsLayerEntries({
					software,
					utilityVmSoftware: nano,
					fillerFiles: 4,
					fillerData: filler
				}),
				...extras
			]
		],
		[
			'layer-hive-last',
			[
				...extras,
				...windowsLayerEntries({
					software: nano,
					fillerFiles: 3,
					fillerData: filler,
					hiveLast: true
				})
			]
		],
		[
			'layer-delta',
			[
				{ path: 'Hives/', type: 'directory' },
				{ path: 'Hives/Software_Delta', data: software },
				{ path: 'Files/', type: 'directory' },
				...extras
			]
		]
	];
	const tars = shapes.map(([name, entries]) =>
		baseTar(name, writeTar(entries, { globalPax: { comment: 'fuzz' } }))
	);
	tars.push(baseTar('archive/windows-layer-shape.tar', read('archive/windows-layer-shape.tar')));
	return tars;
}

function baseTar(name: string, bytes: Uint8Array): BaseTar {
	return { name, bytes, headers: indexTarHeaders(bytes) };
}

function zstdFixtures(fixtures: string) {
	const file = path.join(fixtures, 'archive/windows-layer.tar.zst');
	return existsSync(file)
		? [{ name: 'archive/windows-layer.tar.zst', bytes: new Uint8Array(readFileSync(file)) }]
		: [];
}

/** Deterministic incompressible-ish filler bytes. */
function pseudoRandom(length: number, seed: number): Uint8Array {
	const random = new Prng(seed);
	const bytes = new Uint8Array(length);
	for (let index = 0; index < length; index++) bytes[index] = random.below(256);
	return bytes;
}
