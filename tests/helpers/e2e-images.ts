/**
 * Writes the saved images the browser image tests drop into `.cache/e2e/images/`: a legacy
 * docker-save tar of a 2-layer image (servercore-ltsc2022 base + the committed Software_Delta
 * that sets UBR 2700) and the same image as a skopeo `dir:` copy (several files). Node-only.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { gzip } from './tar-writer';
import {
	baseLayerTar,
	imageConfig,
	legacyDockerSave,
	ociArchive,
	skopeoDir,
	updateLayerTar
} from './saved-image';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Where the generated inputs go. */
export const E2E_IMAGES_DIR = path.join(root, '.cache/e2e/images');

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(path.join(root, 'tests/fixtures', name)));
}

export interface E2eImages {
	dockerSave: string;
	/** The files of the skopeo `dir:` copy, and the folder holding them. */
	skopeoFiles: string[];
	skopeoFolder: string;
	/** An OCI image layout folder (oci-layout, index.json, blobs/sha256/…). */
	ociLayoutFolder: string;
}

/** Writes the inputs: a docker-save tar, a skopeo dir: folder and an OCI layout folder. */
export function writeE2eImages(): E2eImages {
	const skopeoFolder = path.join(E2E_IMAGES_DIR, 'skopeo');
	const ociLayoutFolder = path.join(E2E_IMAGES_DIR, 'oci-layout');
	rmSync(E2E_IMAGES_DIR, { recursive: true, force: true });
	mkdirSync(skopeoFolder, { recursive: true });
	mkdirSync(ociLayoutFolder, { recursive: true });
	const layers = [
		baseLayerTar(fixture('software/servercore-ltsc2022.hive')),
		updateLayerTar({ delta: fixture('image/delta-update.hive') })
	];
	const config = imageConfig({
		osVersion: '10.0.20348.2700',
		history: ['Apply image 10.0.20348.1366', 'Install update 10.0.20348.2700'],
		layers
	});
	const dockerSave = path.join(E2E_IMAGES_DIR, 'servercore-update.docker-save.tar');
	writeFileSync(dockerSave, legacyDockerSave({ layers, config, windows: true }));
	const skopeoFiles = skopeoDir({ layers: [gzip(layers[0]!), layers[1]!], config }).map((file) => {
		const target = path.join(skopeoFolder, file.name);
		writeFileSync(target, file.data);
		return target;
	});
	// The OCI layout folder is an OCI archive unpacked by GNU tar, as `tar -xf` would leave it.
	const archive = path.join(E2E_IMAGES_DIR, 'servercore-update.oci.tar');
	writeFileSync(archive, ociArchive({ layers, config }));
	const untar = spawnSync('tar', ['-xf', archive, '-C', ociLayoutFolder], { encoding: 'utf8' });
	if (untar.status !== 0) throw new Error(`tar -xf ${archive} failed: ${untar.stderr}`);
	return { dockerSave, skopeoFiles, skopeoFolder, ociLayoutFolder };
}
