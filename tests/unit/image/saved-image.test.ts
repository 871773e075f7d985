import { describe, expect, it } from 'vitest';
import { gzip } from '../../helpers/tar-writer';
import {
	baseLayerTar,
	docker25Save,
	imageConfig,
	legacyDockerSave,
	ociArchive,
	skopeoDir,
	updateLayerTar
} from '../../helpers/saved-image';
import { linuxLayerEntries, windowsLayerEntries } from '../../helpers/windows-layer';
import { writeTar } from '../../helpers/tar-writer';
import { isMullionError } from '../../../src/lib/errors';
import { countingSource } from '../../helpers/tar-writer';
import { bytesSource } from '../../../src/lib/archive/source';
import { scanFiles } from '../../../src/lib/scan';
import {
	DELTA_UPDATE,
	NANOSERVER_2022,
	SERVERCORE_2022,
	UPDATE_HISTORY,
	ZSTD_BASE_LAYER,
	codes,
	scanBytes,
	scanNamed
} from './fixtures';

const base = baseLayerTar(SERVERCORE_2022);
const update = updateLayerTar({ delta: DELTA_UPDATE });
const twoLayers = [base, update];
const updateConfig = imageConfig({
	osVersion: '10.0.20348.2700',
	history: UPDATE_HISTORY,
	layers: twoLayers
});

/** Expectations every 2-layer base + delta image must meet. */
function expectDeltaApplied(result: Awaited<ReturnType<typeof scanBytes>>): void {
	expect(result.facts.version).toBe('10.0.20348.2700');
	expect(result.facts.installationType).toBe('Server Core');
	expect(result.facts.displayVersion).toBeUndefined(); // tombstone value hides the name
	const names = result.facts.packages.map((item) => item.name);
	expect(names.some((name) => name.endsWith('20348.2700.1.5'))).toBe(true); // added key
	expect(names.some((name) => name.endsWith('20348.1249.1.7'))).toBe(false); // tombstoned key
	const changed = result.facts.packages.find(
		(item) => item.name === 'Package_for_RollupFix~31bf3856ad364e35~amd64~~20348.1366.1.9'
	);
	expect(changed?.stateName).toBe('Superseded'); // changed value
	expect(result.facts.dotnet.map((item) => item.version)).toContain('4.8.1'); // supersede local
	expect(result.image?.crossCheck).toBe('match');
	expect(result.image?.buildSource).toBe('registry');
	const layers = result.image?.layers ?? [];
	expect(layers.map((layer) => layer.registry)).toEqual(['full-hive', 'delta']);
	expect(layers[1]?.delta).toMatchObject({ keysAdded: 1, keysTombstoned: 1, valuesTombstoned: 1 });
	expect(layers[1]?.delta?.keysChanged).toBeGreaterThanOrEqual(3);
	expect(layers[1]?.deltaBytes).toBe(DELTA_UPDATE.length);
}

describe('saved image shapes', () => {
	it('legacy docker save written on Windows (backslash paths, LayerSources): delta applied over the base', async () => {
		const tar = legacyDockerSave({ layers: twoLayers, config: updateConfig, windows: true });
		const result = await scanBytes(tar);
		expect(result.image?.format).toBe('docker-save');
		expectDeltaApplied(result);
		expect(result.image?.layers[0]?.foreign).toBe(true);
		expect(result.image?.layers[0]?.mediaType).toContain('foreign');
		expect(result.image?.history).toEqual(UPDATE_HISTORY);
	});

	it('a saved image tar is read by ranges: far fewer bytes than the file are read for a base-only image with a full update hive', async () => {
		const big = writeTar(
			windowsLayerEntries({
				software: NANOSERVER_2022,
				fillerFiles: 128,
				fillerFileBytes: 256 * 1024
			})
		);
		const replacing = updateLayerTar({ software: SERVERCORE_2022 });
		const config = imageConfig({ osVersion: '10.0.20348.1366', layers: [big, replacing] });
		const tar = legacyDockerSave({ layers: [big, replacing], config });
		const source = countingSource(bytesSource(tar));
		const result = await scanFiles([{ name: 'image.tar', source }], { name: 'image.tar' });
		expect(result.facts.installationType).toBe('Server Core'); // the later full hive replaces
		expect(result.image?.layers.map((layer) => layer.status)).toEqual(['skipped', 'read']);
		expect(result.image?.layers.map((layer) => layer.registry)).toEqual(['not-read', 'full-hive']);
		expect(tar.length).toBeGreaterThan(32 * 1024 * 1024);
		expect(source.bytesRead).toBeLessThan(8 * 1024 * 1024);
	});

	it('Docker 25 docker save (OCI layout + manifest.json) follows index.json', async () => {
		const result = await scanBytes(docker25Save({ layers: twoLayers, config: updateConfig }));
		expect(result.image?.format).toBe('docker-save');
		expectDeltaApplied(result);
		expect(result.image?.layers[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(result.image?.layers[0]?.diffId).toBe(result.image?.layers[0]?.digest);
	});

	it('OCI archive with a nested linux + windows index chooses windows and says so; gzip and zstd layers', async () => {
		const zstdBase = ZSTD_BASE_LAYER;
		const gzipUpdate = gzip(update);
		const config = imageConfig({
			osVersion: '10.0.20348.2700',
			history: UPDATE_HISTORY,
			layers: twoLayers
		});
		const linuxLayer = gzip(writeTar(linuxLayerEntries()));
		const linux = {
			layers: [linuxLayer],
			config: imageConfig({ os: 'linux', layers: [writeTar(linuxLayerEntries())] })
		};
		const result = await scanBytes(ociArchive({ layers: [zstdBase, gzipUpdate], config, linux }));
		expect(result.image?.format).toBe('oci-archive');
		expect(result.image?.platform).toBe('windows/amd64 10.0.20348.2700');
		expect(result.image?.platformNote).toContain('linux/amd64');
		expect(result.image?.layers.map((layer) => layer.compression)).toEqual(['zstd', 'gzip']);
		expectDeltaApplied(result);
	});

	it('skopeo dir: several dropped files (manifest.json, version, blobs by bare hex digest)', async () => {
		const files = skopeoDir({ layers: [base, gzip(update)], config: updateConfig });
		const result = await scanNamed(files);
		expect(result.image?.format).toBe('skopeo-dir');
		expectDeltaApplied(result);
		expect(result.input.size).toBe(files.reduce((sum, file) => sum + file.data.length, 0));
	});

	it('base + a later layer with a full SOFTWARE: the later hive replaces the base', async () => {
		const layers = [baseLayerTar(NANOSERVER_2022), updateLayerTar({ software: SERVERCORE_2022 })];
		const config = imageConfig({ osVersion: '10.0.20348.1366', layers });
		const result = await scanBytes(docker25Save({ layers, config }));
		expect(result.facts.installationType).toBe('Server Core');
		expect(result.hive.path).toContain('layer 2');
	});

	it('a later layer that whites out the SOFTWARE hive hides the registry below (falls back to the config)', async () => {
		const layers = [
			base,
			updateLayerTar({ whiteouts: ['Files/Windows/System32/config/.wh.SOFTWARE'] })
		];
		const config = imageConfig({ osVersion: '10.0.20348.1366', layers });
		const result = await scanBytes(legacyDockerSave({ layers, config }));
		expect(codes(result)).toContain('IMAGE_HIVE_WHITED_OUT');
		expect(result.image?.buildSource).toBe('config');
	});

	it('loose layer files dropped together: the base goes first whatever the drop order', async () => {
		const result = await scanNamed([
			{ name: 'update.tar', data: update },
			{ name: 'base.tar', data: base }
		]);
		expect(result.facts.version).toBe('10.0.20348.2700');
		expect(codes(result)).toContain('IMAGE_LAYER_ORDER_GUESSED');
	});

	it('a single layer still scans as before (no image block)', async () => {
		const result = await scanBytes(base, 'layer.tar');
		expect(result.facts.version).toBe('10.0.20348.1366');
		expect(result.image).toBeUndefined();
	});
});

describe('bad saved images', () => {
	it('a missing base blob is not fatal: the build falls back to the config and says so', async () => {
		const tar = legacyDockerSave({
			layers: twoLayers,
			config: updateConfig,
			windows: true,
			omit: [0]
		});
		const result = await scanBytes(tar);
		expect(codes(result)).toContain('IMAGE_LAYER_MISSING');
		expect(codes(result)).toContain('IMAGE_DELTA_WITHOUT_BASE');
		expect(codes(result)).toContain('IMAGE_BUILD_FROM_CONFIG');
		expect(result.warnings.find((w) => w.code === 'IMAGE_LAYER_MISSING')?.message).toContain(
			'foreign'
		);
		expect(result.facts.version).toBe('10.0.20348.2700');
		expect(result.facts.family).toBe('Windows Server 2022');
		expect(result.image?.buildSource).toBe('config');
		expect(result.image?.crossCheck).toBe('unavailable');
		expect(result.image?.layers[0]?.status).toBe('missing');
	});

	it('a missing base blob with a config that names no version is a clear NO_SOFTWARE_HIVE', async () => {
		const config = imageConfig({ layers: twoLayers });
		const tar = docker25Save({ layers: twoLayers, config, omit: [0] });
		await expect(scanBytes(tar)).rejects.toSatisfy(
			(error) => isMullionError(error, 'NO_SOFTWARE_HIVE') && /missing/.test(error.message)
		);
	});

	it('a skopeo manifest naming a file not dropped: which one is missing is said, the rest is read', async () => {
		const layers = [base, updateLayerTar({})];
		const config = imageConfig({ osVersion: '10.0.20348.1366', layers });
		const result = await scanNamed(skopeoDir({ layers, config, omit: [1] }));
		const missing = result.warnings.find((warning) => warning.code === 'IMAGE_LAYER_MISSING');
		expect(missing?.message).toContain(result.image?.layers[1]?.digest ?? 'x');
		expect(result.facts.version).toBe('10.0.20348.1366');
	});

	it('a dropped file the manifest does not name is reported and not read', async () => {
		const extraFiles = [{ name: 'notes.txt', data: new TextEncoder().encode('hello') }];
		const result = await scanNamed(
			skopeoDir({ layers: twoLayers, config: updateConfig, extraFiles })
		);
		const unlisted = result.warnings.find((warning) => warning.code === 'IMAGE_FILE_UNLISTED');
		expect(unlisted?.message).toContain('notes.txt');
	});

	it('a layer listed twice is warned about and its delta applied at each place', async () => {
		const tar = legacyDockerSave({
			layers: twoLayers,
			config: updateConfig,
			layerOrder: [0, 1, 1]
		});
		const result = await scanBytes(tar);
		expect(codes(result)).toContain('IMAGE_LAYER_LISTED_TWICE');
		expect(result.facts.version).toBe('10.0.20348.2700');
		expect(result.image?.layers).toHaveLength(3);
	});

	it('a Linux image (config os = linux) is refused naming its OS', async () => {
		const layers = [writeTar(linuxLayerEntries())];
		const config = imageConfig({ os: 'linux', layers });
		await expect(scanBytes(docker25Save({ layers, config }))).rejects.toSatisfy(
			(error) => isMullionError(error, 'LINUX_LAYER') && /linux/.test(error.message)
		);
	});

	it('an image whose layers carry no Windows at all and no config is refused as LINUX_LAYER', async () => {
		const layers = [writeTar(linuxLayerEntries())];
		const files = skopeoDir({ layers, config: new Uint8Array(0) }).filter(
			(file) => file.name === 'manifest.json' || file.name === 'version' || file.data.length > 2
		);
		await expect(scanNamed(files)).rejects.toSatisfy((error) =>
			isMullionError(error, 'LINUX_LAYER')
		);
	});

	it('registry build and config os.version disagree: IMAGE_VERSION_MISMATCH names both', async () => {
		const config = imageConfig({
			osVersion: '10.0.20348.3000',
			history: ['Apply image 10.0.20348.1', 'Install update 10.0.20348.3000'],
			layers: twoLayers
		});
		const result = await scanBytes(legacyDockerSave({ layers: twoLayers, config }));
		const warning = result.warnings.find((item) => item.code === 'IMAGE_VERSION_MISMATCH');
		expect(warning?.message).toContain('10.0.20348.2700');
		expect(warning?.message).toContain('10.0.20348.3000');
		expect(result.image?.crossCheck).toBe('mismatch');
	});

	it('without os.version the last history version is the cross-check', async () => {
		const config = imageConfig({ history: UPDATE_HISTORY, layers: twoLayers });
		const result = await scanBytes(legacyDockerSave({ layers: twoLayers, config }));
		expect(result.image?.configVersion).toBe('10.0.20348.2700');
		expect(result.image?.crossCheck).toBe('match');
	});

	it('broken manifest.json is UNSUPPORTED, not a crash', async () => {
		const tar = writeTar([{ path: 'manifest.json', data: '[{"Config": ' }]);
		await expect(scanBytes(tar)).rejects.toSatisfy((error) => isMullionError(error, 'UNSUPPORTED'));
	});
});
