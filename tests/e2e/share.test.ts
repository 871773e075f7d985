/** Permalinks, exports and offline use, in Chromium. */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { openApp, scanSample, waitForServiceWorker } from './app';
import type { Page } from '@playwright/test';

/** Scans the sample, presses Copy link and returns the permalink. */
async function sampleLink(page: Page): Promise<string> {
	await openApp(page);
	await scanSample(page);
	await page.getByTestId('copy-link').click();
	await expect(page).toHaveURL(/#r1\./);
	return page.url();
}

test('a permalink opened in a fresh browser shows the same build, updates and counts', async ({
	page,
	browser
}) => {
	const link = await sampleLink(page);
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

test('exports from a shared link wait for the match, then carry every open CVE', async ({
	page,
	browser
}) => {
	const link = await sampleLink(page);
	const openCount = Number(await page.getByTestId('count-open').textContent());

	const other = await browser.newContext();
	const fresh = await other.newPage();
	await fresh.goto(link);
	await expect(fresh.getByTestId('version')).toHaveText('10.0.20348.1366');
	// Clicked at once: Playwright waits until the button is enabled, that is until the match is done.
	const [download] = await Promise.all([
		fresh.waitForEvent('download'),
		fresh.getByTestId('download-csv').click()
	]);
	const rows = readFileSync((await download.path()) ?? '', 'utf8')
		.trim()
		.split('\r\n');
	expect(rows.length).toBeGreaterThan(openCount);
	await other.close();
});

test('the result fits a phone-width screen without sideways scrolling', async ({ browser }) => {
	const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
	const page = await phone.newPage();
	await openApp(page);
	await scanSample(page);
	const overflow = await page.evaluate(
		() => document.documentElement.scrollWidth - document.documentElement.clientWidth
	);
	expect(overflow).toBeLessThanOrEqual(0);
	await phone.close();
});

test('a tampered link shows a message instead of a result', async ({ page }) => {
	const link = await sampleLink(page);
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
	const csvLines = (files.csv ?? '')
		.replace(/^\uFEFF/, '')
		.trim()
		.split('\r\n');
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

test('registry strings with markup are shown as text, and the page breaks no CSP rule', async ({
	page
}) => {
	const violations: string[] = [];
	page.on('console', (message) => {
		if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
	});
	await openApp(page);
	await scanSample(page);
	await page.getByTestId('copy-link').click();
	const { decodePermalink, encodePermalink } = await import('../../src/lib/report/permalink');
	const link = page.url();
	const result = decodePermalink(link.slice(link.indexOf('#') + 1));
	const markup =
		'<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';
	result.facts.productName = markup;
	result.input.name = `layer${markup}.tar`;
	await page.goto('about:blank');
	await page.goto(`${link.slice(0, link.indexOf('#'))}#${encodePermalink(result)}`);
	await expect(page.getByTestId('result')).toContainText(markup);
	await expect(page.getByTestId('result').locator('img, script')).toHaveCount(0);
	expect(await page.title()).not.toBe('pwned');
	expect(violations).toEqual([]);
});

test('the web app manifest and its icons are served, so the app can be installed', async ({
	page
}) => {
	await openApp(page);
	const href = await page.locator('link[rel=manifest]').getAttribute('href');
	const manifestUrl = new URL(href ?? '', page.url());
	const manifest = await (await page.request.get(manifestUrl.href)).json();
	expect(manifest.display).toBe('standalone');
	for (const icon of manifest.icons) {
		const response = await page.request.get(new URL(icon.src, manifestUrl).href);
		expect(response.ok(), icon.src).toBe(true);
	}
});
