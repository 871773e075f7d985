/**
 * Writes the saved images the browser image tests drop into `.cache/e2e/images/`: a legacy
 * docker-save tar of a 2-layer image (servercore-ltsc2022 base + the committed Software_Delta
 * that sets UBR 2700) and the same image as a skopeo `dir:` copy (several files). Node-only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { gzip } from './tar-writer';
import {
	baseLayerTar,
	imageConfig,
	legacyDockerSave,
	skopeoDir,
	updateLayerTar
} from './saved-image';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Where the generated inputs go. */
export const E2E_IMAGES_DIR = path.join(root, '.cache/e2e/images');

function fixture(name: string): Uint8Array {
	return new Uint8Array(readFileSync(path.join(root, 'tests/fixtures', name)));
}

/** Writes the inputs; returns the docker-save tar path and the skopeo dir file paths. */
export function writeE2eImages(): { dockerSave: string; skopeoFiles: string[] } {
	mkdirSync(path.join(E2E_IMAGES_DIR, 'skopeo'), { recursive: true });
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
		const target = path.join(E2E_IMAGES_DIR, 'skopeo', file.name);
		writeFileSync(target, file.data);
		return target;
	});
	return { dockerSave, skopeoFiles };
}
