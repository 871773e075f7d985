/**
 * The Chromium side of the benchmark: bundles scripts/bench/browser-worker.ts with esbuild,
 * serves it with a one-page harness from a throwaway local HTTP server (nothing of this is in
 * the app), launches the system Chromium headless through Playwright, gives it the layer file
 * with setInputFiles and runs each task in a fresh module worker. Time is measured inside the
 * worker; memory is the peak RSS of the task's own renderer process (a fresh browser context
 * per task; sampled from /proc every 25 ms) minus its RSS just before the task.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE_INTERVAL_MS = 25;

const HARNESS = `<!doctype html><meta charset="utf-8"><title>Mullion bench harness</title>
<input type="file" id="file">
<script type="module">
window.runTask = (task) => new Promise((resolve) => {
	const worker = new Worker('/worker.js', { type: 'module' });
	worker.onmessage = (event) => { resolve(event.data); worker.terminate(); };
	worker.onerror = (event) => { resolve({ error: event.message }); worker.terminate(); };
	worker.postMessage({ task, file: document.getElementById('file').files[0] });
});
window.harnessReady = true;
</script>`;

export interface BrowserTaskResult {
	milliseconds: number;
	bytes: number;
	/** Peak renderer RSS minus the RSS before the task, in bytes. */
	rssDelta: number;
}

async function bundleWorker(): Promise<string> {
	const result = await build({
		entryPoints: [fileURLToPath(new URL('./browser-worker.ts', import.meta.url))],
		bundle: true,
		format: 'esm',
		platform: 'browser',
		target: 'es2022',
		minify: true,
		write: false
	});
	return result.outputFiles[0]?.text ?? '';
}

function serve(worker: string): Promise<Server> {
	const server = createServer((request, response) => {
		if (request.url === '/worker.js') {
			response.writeHead(200, { 'content-type': 'text/javascript' });
			response.end(worker);
		} else {
			response.writeHead(200, { 'content-type': 'text/html' });
			response.end(HARNESS);
		}
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Pids of Chromium renderer processes. */
function rendererPids(): Set<string> {
	const pids = new Set<string>();
	for (const pid of readdirSync('/proc')) {
		if (!/^\d+$/.test(pid)) continue;
		try {
			const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
			if (commandLine.includes('chromium') && commandLine.includes('--type=renderer'))
				pids.add(pid);
		} catch {
			// the process ended between the listing and the read
		}
	}
	return pids;
}

/** RSS of the given processes, in bytes (ended processes count 0). */
function rssOf(pids: Iterable<string>): number {
	let total = 0;
	for (const pid of pids) {
		try {
			const status = readFileSync(`/proc/${pid}/status`, 'latin1');
			total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
		} catch {
			// ended
		}
	}
	return total;
}

export class BrowserBench {
	private constructor(
		private readonly browser: Browser,
		private readonly url: string,
		private readonly server: Server
	) {}

	static async start(): Promise<BrowserBench> {
		const server = await serve(await bundleWorker());
		const browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-quic',
				'--no-first-run',
				'--disable-component-update',
				'--disable-sync'
			]
		});
		const port = (server.address() as AddressInfo).port;
		return new BrowserBench(browser, `http://127.0.0.1:${port}/`, server);
	}

	/** The Chromium version string. */
	version(): string {
		return this.browser.version();
	}

	/**
	 * Runs `task` on `file` in a fresh worker of a fresh browser context (its own renderer
	 * process, so that its RSS is this task's alone).
	 */
	async run(
		task:
			| 'scan'
			| 'raw'
			| 'gunzip'
			| `gunzip:${number}`
			| 'decompress'
			| `decompress:${number}`
			| 'headers'
			| 'idle',
		file: string
	): Promise<BrowserTaskResult> {
		const before = rendererPids();
		const context = await this.browser.newContext();
		try {
			const page = await context.newPage();
			await page.goto(this.url);
			await page.waitForFunction(
				() => (window as unknown as { harnessReady?: boolean }).harnessReady === true
			);
			await page.setInputFiles('#file', file);
			const mine = [...rendererPids()].filter((pid) => !before.has(pid));
			const baseline = rssOf(mine);
			let peak = baseline;
			const sampler = setInterval(() => (peak = Math.max(peak, rssOf(mine))), SAMPLE_INTERVAL_MS);
			try {
				const answer = (await page.evaluate(
					(name) =>
						(window as unknown as { runTask: (task: string) => Promise<unknown> }).runTask(name),
					task
				)) as { milliseconds: number; bytes: number; error?: string };
				if (answer.error) throw new Error(`Chromium ${task} failed: ${answer.error}`);
				return {
					milliseconds: answer.milliseconds,
					bytes: answer.bytes,
					rssDelta: peak - baseline
				};
			} finally {
				clearInterval(sampler);
			}
		} finally {
			await context.close();
		}
	}

	async close(): Promise<void> {
		await this.browser.close();
		await new Promise((resolve) => this.server.close(resolve));
	}
}
