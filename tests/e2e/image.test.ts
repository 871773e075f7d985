import { expect, test, type Page } from '@playwright/test';
import { writeE2eImages, type E2eImages } from '../helpers/e2e-images';

let inputs: E2eImages;

test.beforeAll(() => {
	inputs = writeE2eImages();
});

async function openApp(page: Page): Promise<void> {
	await page.goto('./');
	await expect(page.getByTestId('page')).toHaveAttribute('data-ready', 'yes');
}

test('a docker-save tar of a base + delta image shows the effective build and the layers', async ({
	page
}) => {
	await openApp(page);
	await page.getByTestId('file-input').setInputFiles(inputs.dockerSave);
	await expect(page.getByTestId('version')).toHaveText('10.0.20348.2700');
	await expect(page.getByTestId('installation-type')).toHaveText('Server Core');
	await expect(page.getByTestId('layer-row')).toHaveCount(2);
	await expect(page.getByTestId('layer-registry').nth(0)).toHaveText('full SOFTWARE hive');
	await expect(page.getByTestId('layer-registry').nth(1)).toContainText('delta');
	await expect(page.getByTestId('cross-check')).toHaveAttribute('data-state', 'match');
});

test('a skopeo dir: copy dropped as several files shows the build and the layers card', async ({
	page
}) => {
	await openApp(page);
	await page.getByTestId('file-input').setInputFiles(inputs.skopeoFiles);
	await expect(page.getByTestId('version')).toHaveText('10.0.20348.2700');
	await expect(page.getByTestId('layers')).toContainText('skopeo dir:');
	await expect(page.getByTestId('platform')).toHaveText('windows/amd64 10.0.20348.2700');
	await expect(page.getByTestId('layer-row')).toHaveCount(2);
	await expect(page.getByTestId('layer-row').nth(0)).toContainText('gzip');
	await expect(page.getByTestId('layer-registry').nth(1)).toContainText('+1 keys');
});

test('a skopeo dir: folder picked with "Choose a folder…" is read as the image', async ({
	page
}) => {
	await openApp(page);
	await page.getByTestId('folder-input').setInputFiles(inputs.skopeoFolder);
	await expect(page.getByTestId('version')).toHaveText('10.0.20348.2700');
	await expect(page.getByTestId('layers')).toContainText('skopeo dir:');
	await expect(page.getByTestId('layer-row')).toHaveCount(2);
});

test('an OCI layout folder dragged onto the page is walked, blobs/sha256/… included', async ({
	page
}) => {
	await openApp(page);
	// A real drag of a folder from the desktop, as Chromium's input pipeline delivers it.
	const cdp = await page.context().newCDPSession(page);
	const box = await page.getByTestId('page').boundingBox();
	const at = { x: (box?.x ?? 0) + 200, y: (box?.y ?? 0) + 200 };
	const data = { items: [], files: [inputs.ociLayoutFolder], dragOperationsMask: 1 };
	for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
		await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
	}
	await expect(page.getByTestId('version')).toHaveText('10.0.20348.2700');
	await expect(page.getByTestId('layers')).toContainText('OCI');
	await expect(page.getByTestId('layer-row')).toHaveCount(2);
});
