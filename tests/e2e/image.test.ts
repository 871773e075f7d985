import { expect, test, type Page } from '@playwright/test';
import { writeE2eImages } from '../helpers/e2e-images';

let inputs: ReturnType<typeof writeE2eImages>;

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
