import { describe, expect, it } from 'vitest';
import { writeTar } from '../../helpers/tar-writer';
import { baseLayerTar, updateLayerTar } from '../../helpers/saved-image';
import { DELTA_UPDATE, SERVERCORE_2022, codes, fixture, scanBytes } from './fixtures';

/**
 * A docker-save tar around the REAL manifest.json and config of windows/servercore:1803 (written
 * by Docker on Windows: backslash layer paths, foreign LayerSources), with our synthetic layers
 * at the paths it names.
 */
function realShapedSave(): Uint8Array {
	const manifestBytes = fixture('image/windowsservercore-1803.docker-save-manifest.json');
	const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as [
		{ Config: string; Layers: string[] }
	];
	const [basePath, updatePath] = manifest[0].Layers.map((path) => path.replaceAll('\\', '/'));
	return writeTar([
		{ path: basePath!, data: baseLayerTar(SERVERCORE_2022) },
		{ path: updatePath!, data: updateLayerTar({ delta: DELTA_UPDATE }) },
		{ path: manifest[0].Config, data: fixture('image/windowsservercore-1803.image-config.json') },
		{ path: 'manifest.json', data: manifestBytes }
	]);
}

describe('real docker-save manifest and config (servercore 1803)', () => {
	it('reads backslash Layers, foreign LayerSources and the config history; flags the version mismatch', async () => {
		const result = await scanBytes(realShapedSave());
		const image = result.image;
		expect(image?.format).toBe('docker-save');
		expect(image?.osVersion).toBe('10.0.17134.165');
		expect(image?.history).toEqual(['Apply image 10.0.17134.1', 'Install update 10.0.17134.165']);
		expect(image?.layers.map((layer) => layer.foreign)).toEqual([true, true]);
		expect(image?.layers[0]?.mediaType).toBe(
			'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'
		);
		expect(image?.layers[0]?.diffId).toBe(
			'sha256:70bba925263c1c193fa7bc7f79b1aa062707b09fe7774c7896b8aaf091b901a9'
		);
		expect(result.facts.version).toBe('10.0.20348.2700'); // our synthetic layers
		expect(codes(result)).toContain('IMAGE_VERSION_MISMATCH');
		expect(image?.crossCheck).toBe('mismatch');
	});
});
