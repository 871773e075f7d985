/**
 * MSRC data as the page sees it: freshness, the proxy setting (kept in IndexedDB) and refreshes.
 * The data itself lives in the worker; this class only asks it.
 */
import { get, set } from 'idb-keyval';
import { toErrorData, type ErrorData } from '../errors';
import { normalizeProxyUrl } from '../msrc/proxy-url';
import type { MsrcStatus, RefreshProgress, RefreshReport } from '../worker/adapter';
import type { ScannerState } from './scanner.svelte';

const PROXY_SETTING_KEY = 'setting:proxyUrl';

export class MsrcState {
	status = $state<MsrcStatus | undefined>();
	proxyUrl = $state('');
	busy = $state(false);
	progress = $state<RefreshProgress | undefined>();
	report = $state<RefreshReport | undefined>();
	error = $state<ErrorData | undefined>();

	#scanner: ScannerState;

	constructor(scanner: ScannerState) {
		this.#scanner = scanner;
	}

	async load(): Promise<void> {
		this.proxyUrl = (await get<string>(PROXY_SETTING_KEY).catch(() => undefined)) ?? '';
		await this.#updateStatus();
	}

	/** Checks and stores the proxy URL; false (with `error` set) when it is not usable. */
	async saveProxyUrl(url: string): Promise<boolean> {
		try {
			this.proxyUrl = normalizeProxyUrl(url);
		} catch (error) {
			this.error = toErrorData(error);
			return false;
		}
		this.error = undefined;
		await set(PROXY_SETTING_KEY, this.proxyUrl);
		return true;
	}

	async refresh(): Promise<void> {
		if (!this.proxyUrl) return;
		await this.#run((api, callback) =>
			api.refresh(
				this.proxyUrl,
				callback((p: RefreshProgress) => (this.progress = p))
			)
		);
	}

	async importFiles(files: File[]): Promise<void> {
		await this.#run((api) => api.importDocuments(files));
	}

	async #run(
		work: (
			api: ScannerState['connection']['api'],
			callback: ScannerState['connection']['callback']
		) => Promise<{ ok: true; value: RefreshReport } | { ok: false; error: ErrorData }>
	): Promise<void> {
		this.busy = true;
		this.error = undefined;
		const { api, callback } = this.#scanner.connection;
		const outcome = await work(api, callback);
		this.busy = false;
		this.progress = undefined;
		if (!outcome.ok) {
			this.error = outcome.error;
			return;
		}
		this.report = outcome.value;
		this.status = outcome.value.status;
		await this.#scanner.rematch();
	}

	async #updateStatus(): Promise<void> {
		const api = this.#scanner.connection.api;
		const outcome = await api.msrcStatus();
		if (outcome.ok) this.status = outcome.value;
		else this.error = outcome.error;
	}
}
