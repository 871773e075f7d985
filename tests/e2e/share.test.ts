/** Permalinks, exports and offline use, in Chromium. */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { openApp, scanSample, waitForServiceWorker } from './app';

test('a permalink opened in a fresh browser shows the same build, updates and counts', async ({
	page,
	browser
}) => {
	await openApp(page);
	await scanSample(page);
	await page.getByTestId('copy-link').click();
	await expect(page).toHaveURL(/#r1\./);
	const link = page.url();
	console.log(`permalink length for the sample (113 packages): ${link.length} characters`);
	const counts = await page.getByTestId('counts').textContent();
	const updates = await page.getByTestId('updates').textContent();

	const other = await browser.newContext();
	const fresh = await other.newPage();
	await fresh.goto(link);
	await expect(fresh.getByTestId('version')).toHaveText('10.0.20348.1366');
	await expect(fresh.getByTestId('result')).toContainText('Shared scan of');
	await expect(fresh.getByTestId('count-open')).toBeVisible();
	expect(await fresh.getByTestId('counts').textContent()).toBe(counts);
	expect(await fresh.getByTestId('updates').textContent()).toBe(updates);
	await other.close();
});

test('a tampered link shows a message instead of a result', async ({ page }) => {
	await openApp(page);
	await scanSample(page);
	await page.getByTestId('copy-link').click();
	const link = page.url();
	const cut = link.indexOf('#r1.') + 12;
	const tampered = `${link.slice(0, cut)}${link[cut] === 'A' ? 'B' : 'A'}${link.slice(cut + 1)}`;
	await page.goto('about:blank');
	await page.goto(tampered);
	await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'PERMALINK_DAMAGED');
	await page.goto(link.replace('#r1.', '#r9.'));
	await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'PERMALINK_VERSION');
});

test('each export downloads, and the SBOM passes the CycloneDX 1.6 schema', async ({ page }) => {
	await openApp(page);
	await scanSample(page);
	const files: Record<string, string> = {};
	for (const kind of ['sbom', 'json', 'csv']) {
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByTestId(`download-${kind}`).click()
		]);
		files[kind] = readFileSync((await download.path()) ?? '', 'utf8');
	}
	const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
	expect(await validator.validate(files.sbom ?? '')).toBeNull();
	const sbom = JSON.parse(files.sbom ?? '{}');
	const openCount = Number(await page.getByTestId('count-open').textContent());
	expect(sbom.vulnerabilities).toHaveLength(openCount);
	expect(JSON.parse(files.json ?? '{}').scan.facts.version).toBe('10.0.20348.1366');
	const csvLines = (files.csv ?? '').replace(/^\uFEFF/, '').trim().split('\r\n');
	expect(csvLines[0]).toMatch(/^CVE,/);
	expect(csvLines.length).toBeGreaterThan(openCount);
});

test('after one visit the app loads and scans with the network cut', async ({ page, context }) => {
	await openApp(page);
	await waitForServiceWorker(page);
	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('page')).toHaveAttribute('data-ready', 'yes');
	await scanSample(page);
	await expect(page.getByTestId('msrc-freshness')).toContainText('MSRC data as of');
	await context.setOffline(false);
});
