/**
 * Generates the layers the browser tests drop: a ≥ 200 MiB Windows-shaped layer (plain and gzip),
 * whose SOFTWARE hive is the committed Server 2022 Server Core fixture and comes after the
 * filler, so that the whole tar must be read; a Linux layer; and a Windows app layer without a hive.
 * Files are reused when already present.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar, writeTarParts, type TarPart } from '../helpers/tar-writer';
import { linuxLayerEntries, windowsLayerEntries } from '../helpers/windows-layer';
import { LAYERS } from './layers';

const FILLER_FILES = 3_300;
const FILLER_FILE_BYTES = 64 * 1024;

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(new URL(`../fixtures/software/${name}`, import.meta.url)));
}

function* materialise(parts: TarPart[]): Generator<Uint8Array> {
	const zeros = new Uint8Array(1024 * 1024);
	for (const part of parts) {
		if (part instanceof Uint8Array) yield part;
		else
			for (let left = part.zeros; left > 0; left -= zeros.length) {
				yield zeros.subarray(0, Math.min(left, zeros.length));
			}
	}
}

async function writeBigLayers(): Promise<void> {
	if (existsSync(LAYERS.bigPlain) && existsSync(LAYERS.bigGzip)) return;
	const parts = writeTarParts(
		windowsLayerEntries({
			software: fixture('servercore-ltsc2022.hive'),
			utilityVmSoftware: fixture('nanoserver-ltsc2022.hive'),
			fillerFiles: FILLER_FILES,
			fillerData: randomBytes(FILLER_FILE_BYTES),
			hiveLast: true
		})
	);
	await pipeline(Readable.from(materialise(parts)), createWriteStream(LAYERS.bigPlain));
	await pipeline(
		Readable.from(materialise(parts)),
		createGzip({ level: 1 }),
		createWriteStream(LAYERS.bigGzip)
	);
}

export default async function globalSetup(): Promise<void> {
	mkdirSync(LAYERS.dir, { recursive: true });
	await writeBigLayers();
	writeFileSync(LAYERS.linux, gzipSync(writeTar(linuxLayerEntries())));
	writeFileSync(
		LAYERS.noHive,
		writeTar([
			{ path: 'Files/', type: 'directory' },
			{ path: 'Files/inetpub/wwwroot/app.dll', data: new Uint8Array(2048) },
			{ path: 'Hives/', type: 'directory' }
		])
	);
}
