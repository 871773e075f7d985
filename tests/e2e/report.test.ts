/**
 * The vulnerability report on the sample layer against the embedded index: how stale data is
 * said, what closes the open CVEs, and that a table of thousands of rows is paged.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { openApp, scanSample } from './app';

/** The matcher calls an index stale this long after its newest month (match.ts). */
const STALE_AFTER_DAYS = 45;
const embedded = JSON.parse(
	gunzipSync(readFileSync(new URL('../../static/msrc/index.bin', import.meta.url))).toString()
) as { months: { id: string; initialReleaseDate: string }[] };
const newest = embedded.months.at(-1);
const ageDays = (Date.now() - Date.parse(newest?.initialReleaseDate ?? '')) / 86_400_000;

test('stale MSRC data is said up front, and months behind become a lower bound', async ({
	page
}) => {
	await openApp(page);
	await scanSample(page);
	const behind = page.getByTestId('months-behind');
	await expect(behind).toBeVisible();
	if (ageDays > STALE_AFTER_DAYS + 1) {
		await expect(page.getByTestId('stale-warning')).toContainText(
			`MSRC data ends ${newest?.initialReleaseDate.slice(0, 10)}`
		);
		await expect(behind).toHaveText(/^at least \d+ months behind$/);
	} else if (ageDays < STALE_AFTER_DAYS - 1) {
		await expect(page.getByTestId('stale-warning')).toBeHidden();
		await expect(behind).toHaveText(/^\d+ months? behind$/);
	}
});

test('the update that closes the open Windows CVEs is named, with the rebuild alternative', async ({
	page
}) => {
	await openApp(page);
	await scanSample(page);
	const text = (await page.getByTestId('close-all').textContent())?.replace(/\s+/g, ' ').trim();
	expect(text).toMatch(
		/^Installing KB\d+, or rebuilding on a base image at build 10\.0\.20348\.\d+ or newer, closes every open Windows CVE that has a fix\.( The \d+ open \.NET Framework CVEs? needs? (its|their) own \.NET update \(see Fixed by\)\.)?$/
	);
});

test('thousands of open CVEs are paged 100 at a time, and a filter with no match says so', async ({
	page
}) => {
	await openApp(page);
	await scanSample(page);
	const open = Number(await page.getByTestId('count-open').textContent());
	expect(open).toBeGreaterThan(200);
	const rows = page.getByTestId('vuln-table').locator('tbody tr');
	await expect(rows).toHaveCount(100);
	await expect(page.getByTestId('shown')).toHaveText(/^100 of \d+ shown$/);
	await page.getByTestId('show-more').click();
	await expect(rows).toHaveCount(200);
	await page.getByRole('button', { name: /^Show all \d+$/ }).click();
	await expect(page.getByTestId('show-more')).toBeHidden();
	await expect(page.getByTestId('shown')).toHaveText(/^\d+ shown$/);

	await page.getByLabel('Filter').fill('no such vulnerability anywhere');
	await expect(rows).toHaveCount(1);
	await expect(rows).toHaveText('No open CVE matches this filter.');
	await expect(page.getByTestId('shown')).toHaveText('0 shown');
});
