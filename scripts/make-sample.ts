// Writes the sample layer behind "Try a sample layer": a small Windows Server 2022 Server Core
// shaped layer whose SOFTWARE hive is the committed test fixture (written by hivexregedit from
// tests/fixtures/software/servercore-ltsc2022.reg), with a Nano Server hive under UtilityVM/ that
// the scanner must ignore. It is named .tgz, not .tar.gz: static servers send .gz files with
// Content-Encoding: gzip, and the browser would unpack it before Mullion sees it.
// Run: npx tsx scripts/make-sample.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writeTar } from '../tests/helpers/tar-writer';
import { windowsLayerEntries } from '../tests/helpers/windows-layer';

const root = new URL('../', import.meta.url);
const read = (path: string) => new Uint8Array(readFileSync(new URL(path, root)));

const tar = writeTar(
	windowsLayerEntries({
		software: read('tests/fixtures/software/servercore-ltsc2022.hive'),
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
