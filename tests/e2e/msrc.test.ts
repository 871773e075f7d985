/**
 * MSRC refresh end to end: a stand-in MSRC server on 127.0.0.1 serves real CVRF documents, the
 * real CORS proxy stands in front of it, and the app in Chromium refreshes through the proxy,
 * keeps what it fetched in IndexedDB, and still shows it after an offline reload.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { startMsrcStandin, type MsrcStandin } from '../helpers/msrc-standin';
import { startProxyServer } from '../../proxy/server.js';
import { openApp, scanSample, waitForServiceWorker } from './app';

const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url);
/** 2022-Dec as MSRC served it in January 2023: a real, different revision of that month. */
const REVISED_MONTH = '2022-Dec';
const REVISED_DATE = '2026-11-20T08:00:00Z';

let standin: MsrcStandin;
let proxy: { url: string; close: () => Promise<void> };

test.beforeAll(async () => {
	const updates = JSON.parse(readFileSync(fixture('msrc/updates-index.raw-20260706.json'), 'utf8'));
	for (const entry of updates.value) {
		if (entry.ID === REVISED_MONTH) entry.CurrentReleaseDate = REVISED_DATE;
	}
	const xml = gunzipSync(readFileSync(fixture('e2e/cvrf-2022-Dec.captured-20230103.xml.gz')));
	standin = await startMsrcStandin({ updates, documents: new Map([[REVISED_MONTH, { xml }]]) });
	proxy = await startProxyServer({ host: '127.0.0.1', port: 0, proxy: { upstream: standin.url } });
});

test.afterAll(async () => {
	await proxy?.close();
	await standin?.close();
});

test('refreshes through the proxy, stores the month, and shows it again offline', async ({
	page,
	context
}) => {
	await openApp(page);
	await waitForServiceWorker(page);
	await scanSample(page);
	await expect(page.getByTestId('msrc-freshness')).toContainText('embedded');
	const openBefore = await page.getByTestId('count-open').textContent();

	await page.getByTestId('msrc-settings').click();
	await page.getByTestId('proxy-url').fill(proxy.url);
	await page.getByTestId('refresh').click();
	const report = page.getByTestId('refresh-report');
	await expect(report).toContainText('1 revised');
	expect(standin.requests).toContain('/cvrf/v3.0/updates');
	expect(standin.requests).toContain(`/cvrf/v3.0/cvrf/${REVISED_MONTH}`);
	await expect(page.getByTestId('msrc-freshness')).toContainText('1 months refreshed here');
	// The January 2023 revision still lists ADV220005 as fixed by KB5021249 (MSRC later moved
	// that fix to January's update), so the rematched image has one open finding fewer.
	await expect(page.getByTestId('count-open')).toHaveText(String(Number(openBefore) - 1));
	const openAfterRefresh = await page.getByTestId('count-open').textContent();

	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('page')).toHaveAttribute('data-ready', 'yes');
	await expect(page.getByTestId('msrc-freshness')).toContainText('1 months refreshed here');
	await scanSample(page);
	await expect(page.getByTestId('count-open')).toHaveText(openAfterRefresh ?? '');
	await expect(page.getByTestId('proxy-url')).toBeHidden();
	await context.setOffline(false);
});

test('a proxy that is not running gives a clear message, and the embedded data stays', async ({
	page
}) => {
	await openApp(page);
	await page.getByTestId('msrc-settings').click();
	await page.getByTestId('proxy-url').fill('http://127.0.0.1:9');
	await page.getByTestId('refresh').click();
	await expect(page.getByTestId('refresh-error')).toContainText('is the proxy running?');
	await expect(page.getByTestId('msrc-freshness')).toContainText('MSRC data as of');
});

test('a proxy whose upstream cannot be reached: its own message is shown', async ({ page }) => {
	const closedPort = await freePort();
	const lonely = await startProxyServer({
		host: '127.0.0.1',
		port: 0,
		proxy: { upstream: `http://127.0.0.1:${closedPort}` }
	});
	try {
		await openApp(page);
		await page.getByTestId('msrc-settings').click();
		// The API path pasted too: the app keeps only the proxy's base.
		await page.getByTestId('proxy-url').fill(`${lonely.url}/cvrf/v3.0/`);
		await page.getByTestId('refresh').click();
		const error = page.getByTestId('refresh-error');
		await expect(error).toContainText(`${lonely.url}/cvrf/v3.0/updates: HTTP 502`);
		await expect(error).toContainText('The upstream could not be reached.');
		await expect(page.getByTestId('proxy-url')).toHaveValue(lonely.url);
	} finally {
		await lonely.close();
	}
});

test('a proxy URL without http:// is refused with a message, and nothing is fetched', async ({
	page
}) => {
	const before = standin.requests.length;
	await openApp(page);
	await page.getByTestId('msrc-settings').click();
	await page.getByTestId('proxy-url').fill('127.0.0.1:8787');
	await page.getByTestId('refresh').click();
	await expect(page.getByTestId('refresh-error')).toContainText(
		'has no http:// or https:// in front'
	);
	expect(standin.requests.length).toBe(before);
});

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}
