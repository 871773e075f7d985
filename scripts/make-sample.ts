// Writes the sample layer behind "Try a sample layer": a small Windows Server 2022 Server Core
// shaped layer whose SOFTWARE hive is the committed test fixture (written by hivexregedit from
// tests/fixtures/software/servercore-ltsc2022.reg), with a Nano Server hive under UtilityVM/ that
// the scanner must ignore. It is named .tgz, not .tar.gz: static servers send .gz files with
// Content-Encoding: gzip, and the browser would unpack it before Mullion sees it.
// Run: npx tsx scripts/make-sample.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openHive, type HiveKey } from '../src/lib/hive/hive';
import { writeTar } from '../tests/helpers/tar-writer';
import { windowsLayerEntries } from '../tests/helpers/windows-layer';

const root = new URL('../', import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, root)));

/**
 * hivex stamps every key with the time of its empty template hive (2010-02-02). The sample shows
 * "Registry last written" (of the CurrentVersion key), so its copy carries the day KB5021249
 * (10.0.20348.1366) shipped, on that key and the root.
 */
const SAMPLE_WRITTEN = Date.parse('2022-12-13T18:00:00Z');
const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;
/** In a key node, the FILETIME follows "nk" and 2 bytes of flags. */
const KEY_LAST_WRITTEN_AFTER_SIGNATURE = 4;

function withWrittenTime(hive: Uint8Array, milliseconds: number): Uint8Array {
	const copy = hive.slice();
	const view = new DataView(copy.buffer);
	const filetime = (BigInt(milliseconds) + FILETIME_EPOCH_OFFSET_MS) * 10_000n;
	const root = openHive(hive).root();
	const currentVersion = ['Microsoft', 'Windows NT', 'CurrentVersion'].reduce<HiveKey | undefined>(
		(key, name) => key?.subkey(name),
		root
	);
	if (currentVersion === undefined) throw new Error('the fixture has no CurrentVersion key');
	for (const key of [root, currentVersion]) {
		view.setBigUint64(key.node.fileOffset + KEY_LAST_WRITTEN_AFTER_SIGNATURE, filetime, true);
	}
	return copy;
}

const tar = writeTar(
	windowsLayerEntries({
		software: withWrittenTime(
			read('tests/fixtures/software/servercore-ltsc2022.hive'),
			SAMPLE_WRITTEN
		),
		utilityVmSoftware: read('tests/fixtures/software/nanoserver-ltsc2022.hive'),
		fillerFiles: 200,
		fillerFileBytes: 4096
	})
);
const out = new URL('static/sample/servercore-ltsc2022-sample.tgz', root);
mkdirSync(new URL('.', out), { recursive: true });
// mtime 0 in the gzip header keeps the output byte-identical between runs.
writeFileSync(out, gzipSync(tar, { level: 9 }));
console.log(`wrote ${fileURLToPath(out)} (${tar.length} bytes of tar)`);
