/**
 * The one file that knows how the UI and the scan worker talk: the protocol (`ScannerApi`) and
 * comlink. The worker calls `exposeScanner`; the page calls `connectScanner`. Everything that
 * crosses is plain, structured-cloneable data; errors come back as `ErrorData`, never thrown.
 */
import * as Comlink from 'comlink';
import type { ErrorData } from '../errors';
import type { ScanProgress } from '../scan';
import type { ScanResult } from '../report/types';
import type { MatchResult } from '../msrc/match';
import type { WindowsFacts } from '../windows/types';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** Where the MSRC data in use comes from, and how fresh it is. */
export interface MsrcStatus {
	/** Newest document month known, e.g. `2026-Jul`. */
	newestMonth?: string;
	/** Its release date (ISO). */
	newestReleaseDate?: string;
	/** When the embedded index was built (ISO). */
	embeddedGeneratedAt?: string;
	months: number;
	vulnerabilities: number;
	/** Months stored in IndexedDB from refreshes or imports. */
	storedMonths: number;
	/** Last successful refresh through the proxy (ISO). */
	lastRefresh?: string;
}

export interface RefreshProgress {
	phase: 'updates' | 'documents' | 'storing';
	done: number;
	total: number;
	current?: string;
}

export interface RefreshReport {
	checked: number;
	fetched: string[];
	added: string[];
	revised: string[];
	skipped: { id: string; reason: string }[];
	cveAdded: number;
	cveChanged: number;
	status: MsrcStatus;
}

export interface ScannerApi {
	/** Loads the embedded MSRC index and the stored months. Idempotent. */
	init(options: { indexUrl: string }): Promise<Outcome<MsrcStatus>>;
	/** Scans what was dropped: each file with its path inside the drop (see dropped-files.ts). */
	scan(
		files: { file: Blob; path: string }[],
		name: string,
		onProgress: (progress: ScanProgress) => void
	): Promise<Outcome<ScanResult>>;
	match(facts: WindowsFacts): Promise<Outcome<MatchResult | undefined>>;
	msrcStatus(): Promise<Outcome<MsrcStatus>>;
	refresh(
		proxyUrl: string,
		onProgress: (progress: RefreshProgress) => void
	): Promise<Outcome<RefreshReport>>;
	importDocuments(files: Blob[]): Promise<Outcome<RefreshReport>>;
}

/** Worker side: serve `api` to the page. */
export function exposeScanner(api: ScannerApi): void {
	Comlink.expose(api);
}

export interface ScannerConnection {
	api: Comlink.Remote<ScannerApi>;
	/** Wraps a callback so the worker can call it back across the boundary. */
	callback<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
	/** Stops the worker at once (used to cancel a scan). */
	terminate(): void;
}

/** Page side: wrap a started worker. */
export function connectScanner(worker: Worker): ScannerConnection {
	const api = Comlink.wrap<ScannerApi>(worker);
	return {
		api,
		callback: (fn) => Comlink.proxy(fn),
		terminate: () => {
			api[Comlink.releaseProxy]();
			worker.terminate();
		}
	};
}
