import { expect, test, type Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { LAYERS } from './layers';
import { openApp } from './app';

async function chooseFile(page: Page, path: string): Promise<number> {
	const started = Date.now();
	await page.getByTestId('file-input').setInputFiles(path);
	return started;
}

test('the sample layer shows Windows Server 2022 Server Core 10.0.20348.1366 and its updates', async ({
	page
}) => {
	await openApp(page);
	await page.getByTestId('sample').click();
	await expect(page.getByTestId('version')).toHaveText('10.0.20348.1366');
	await expect(page.getByTestId('family')).toHaveText('Windows Server 2022');
	await expect(page.getByTestId('installation-type')).toHaveText('Server Core');
	await expect(page.getByTestId('updates')).toContainText('Cumulative update');
});

for (const [label, path] of [
	['plain', LAYERS.bigPlain],
	['gzip', LAYERS.bigGzip]
] as const) {
	test(`a ${label} layer of at least 200 MiB is scanned, and UtilityVM's hive is ignored`, async ({
		page
	}) => {
		expect(statSync(LAYERS.bigPlain).size).toBeGreaterThanOrEqual(200 * 1024 * 1024);
		await openApp(page);
		const started = await chooseFile(page, path);
		await expect(page.getByTestId('version')).toHaveText('10.0.20348.1366', { timeout: 90_000 });
		const seconds = (Date.now() - started) / 1000;
		console.log(
			`time to result, ${label} ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB: ${seconds.toFixed(2)} s`
		);
		await expect(page.getByTestId('installation-type')).toHaveText('Server Core');
		await expect(page.getByTestId('updates')).toContainText('KB');
	});
}

test('a Linux layer gets a message saying it is not a Windows layer', async ({ page }) => {
	await openApp(page);
	await chooseFile(page, LAYERS.linux);
	await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'LINUX_LAYER');
	await expect(page.getByTestId('error')).toContainText('not a Windows layer');
});

test('a Windows layer without a SOFTWARE hive says so', async ({ page }) => {
	await openApp(page);
	await chooseFile(page, LAYERS.noHive);
	await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'NO_SOFTWARE_HIVE');
});

test('dropping a file on the page scans it', async ({ page }) => {
	await openApp(page);
	const dataTransfer = await page.evaluateHandle(() => {
		const transfer = new DataTransfer();
		transfer.items.add(new File([new Uint8Array(1024).fill(65)], 'notes.txt'));
		return transfer;
	});
	await page.dispatchEvent('[data-testid=page]', 'drop', { dataTransfer });
	await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'NOT_AN_ARCHIVE');
});

test('a scan can be cancelled, and the next one still works', async ({ page }) => {
	await openApp(page);
	await chooseFile(page, LAYERS.bigGzip);
	await expect(page.getByTestId('progress')).toBeVisible();
	await page.getByTestId('cancel').click();
	await expect(page.getByTestId('progress')).toBeHidden();
	await expect(page.getByTestId('result')).toBeHidden();
	await page.getByTestId('sample').click();
	await expect(page.getByTestId('version')).toHaveText('10.0.20348.1366');
});
