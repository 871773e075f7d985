/** Steps shared by the browser tests. */
import { expect, type Page } from '@playwright/test';

/** Opens the app and waits until it is hydrated (so a chosen file is not lost). */
export async function openApp(page: Page, path = './'): Promise<void> {
	await page.goto(path);
	await expect(page.getByTestId('page')).toHaveAttribute('data-ready', 'yes');
}

/** Scans the built-in sample layer and waits for the vulnerability counts. */
export async function scanSample(page: Page): Promise<void> {
	await page.getByTestId('sample').click();
	await expect(page.getByTestId('version')).toHaveText('10.0.20348.1366');
	await expect(page.getByTestId('count-open')).toBeVisible();
}

/** Waits until the page is controlled by the app's service worker (so it works offline). */
export async function waitForServiceWorker(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (navigator.serviceWorker.controller) return;
		await new Promise((resolve) =>
			navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })
		);
	});
}
