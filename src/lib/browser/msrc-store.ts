/**
 * The MSRC data the worker matches against: the embedded index shipped with the app, merged with
 * months refreshed through the CORS proxy or imported from files, which are kept in IndexedDB.
 * Browser glue (fetch, IndexedDB), so it lives outside the pure core.
 */
import { createStore, entries, get, set, setMany, type UseStore } from 'idb-keyval';
import { MullionError } from '../errors';
import { condenseCvrf } from '../msrc/cvrf';
import { decodeIndex } from '../msrc/index-codec';
import { mergeMonths, type MergeChanges } from '../msrc/merge';
import { normalizeProxyUrl } from '../msrc/proxy-url';
import { monthsToFetch, parseUpdates } from '../msrc/updates';
import type { MsrcIndex, MsrcMonth } from '../msrc/types';
import type { MsrcStatus, RefreshProgress, RefreshReport } from '../worker/adapter';

/** At most this many documents are fetched in one refresh (the whole history is ~130). */
const MAX_DOCUMENTS_PER_REFRESH = 400;
/** A CVRF document larger than this is refused (the largest real one is ~11 MB). */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
const MONTH_KEY_PREFIX = 'month:';
const LAST_REFRESH_KEY = 'meta:lastRefresh';

export class MsrcStore {
	#db: UseStore | undefined;
	#loading: Promise<MsrcStatus> | undefined;
	#embedded: MsrcIndex | undefined;
	#merged: MsrcIndex | undefined;
	#storedMonths = 0;
	#lastRefresh: string | undefined;

	/** Loads the embedded index from `indexUrl` and the stored months. Runs once. */
	load(indexUrl: string): Promise<MsrcStatus> {
		this.#loading ??= this.#load(indexUrl);
		return this.#loading;
	}

	async index(): Promise<MsrcIndex> {
		await this.#ready();
		if (!this.#merged) throw new MullionError('MSRC_BAD_DOCUMENT', 'MSRC data is not loaded');
		return this.#merged;
	}

	async status(): Promise<MsrcStatus> {
		await this.#ready();
		return this.#status();
	}

	/** Fetches `/updates` through the proxy, then only new or revised months. */
	async refresh(
		proxyUrl: string,
		onProgress: (progress: RefreshProgress) => void
	): Promise<RefreshReport> {
		const index = await this.index();
		const base = `${normalizeProxyUrl(proxyUrl)}/cvrf/v3.0`;
		onProgress({ phase: 'updates', done: 0, total: 1 });
		const updates = parseUpdates(JSON.parse(await fetchText(`${base}/updates`)));
		const wanted = monthsToFetch(updates, index.months, new Date()).slice(
			0,
			MAX_DOCUMENTS_PER_REFRESH
		);
		const months: MsrcMonth[] = [];
		const skipped: RefreshReport['skipped'] = [];
		const listed = new Map(updates.map((update) => [update.id, update.currentReleaseDate]));
		for (const [done, id] of wanted.entries()) {
			onProgress({ phase: 'documents', done, total: wanted.length, current: id });
			const url = `${base}/cvrf/${encodeURIComponent(id)}`;
			await collectMonth(() => fetchText(url), id, months, skipped);
		}
		// Date each month as the list does, so that it is not fetched again on the next refresh and
		// is not taken for older than the embedded copy when the document's own date lags.
		for (const month of months) month.currentReleaseDate = latest(month, listed.get(month.id));
		onProgress({ phase: 'storing', done: wanted.length, total: wanted.length });
		const report = await this.#store(months, updates.length, wanted, skipped);
		this.#lastRefresh = new Date().toISOString();
		await set(LAST_REFRESH_KEY, this.#lastRefresh, this.#database());
		return { ...report, status: this.#status() };
	}

	/** Merges CVRF documents dropped by the user (air-gapped import), XML or JSON. */
	async importDocuments(files: Blob[]): Promise<RefreshReport> {
		await this.index();
		const months: MsrcMonth[] = [];
		const skipped: RefreshReport['skipped'] = [];
		for (const [position, file] of files.entries()) {
			const id = file instanceof File ? file.name : `file ${position + 1}`;
			await collectMonth(() => readText(file), id, months, skipped);
		}
		const ids = months.map((month) => month.id);
		return this.#store(months, files.length, ids, skipped);
	}

	async #load(indexUrl: string): Promise<MsrcStatus> {
		const response = await fetch(indexUrl);
		if (!response.ok) {
			throw new MullionError('MSRC_FETCH_FAILED', `embedded MSRC index: HTTP ${response.status}`);
		}
		this.#embedded = decodeIndex(new Uint8Array(await response.arrayBuffer()));
		const stored = await this.#readStoredMonths();
		this.#storedMonths = stored.length;
		this.#merged = mergeMonths(this.#embedded, newerThan(this.#embedded, stored)).index;
		this.#lastRefresh = await get<string>(LAST_REFRESH_KEY, this.#database()).catch(
			() => undefined
		);
		return this.#status();
	}

	async #ready(): Promise<void> {
		if (!this.#loading) throw new MullionError('MSRC_BAD_DOCUMENT', 'MSRC data is not loaded');
		await this.#loading;
	}

	async #store(
		months: MsrcMonth[],
		checked: number,
		fetched: string[],
		skipped: RefreshReport['skipped']
	): Promise<Omit<RefreshReport, 'status'> & { status: MsrcStatus }> {
		const { index, changes } = mergeMonths(await this.index(), months);
		const accepted = months.filter((month) => !changes.rejected.includes(month.id));
		await setMany(
			accepted.map((month) => [MONTH_KEY_PREFIX + month.id, month]),
			this.#database()
		);
		this.#merged = index;
		this.#storedMonths = (await this.#readStoredMonths()).length;
		for (const id of changes.rejected)
			skipped.push({ id, reason: 'empty document; kept the stored one' });
		return { checked, fetched, skipped, ...summarize(changes), status: this.#status() };
	}

	async #readStoredMonths(): Promise<MsrcMonth[]> {
		const all = await entries<string, MsrcMonth>(this.#database()).catch(() => []);
		return all.filter(([key]) => key.startsWith(MONTH_KEY_PREFIX)).map(([, month]) => month);
	}

	#database(): UseStore {
		this.#db ??= createStore('mullion-msrc', 'months');
		return this.#db;
	}

	#status(): MsrcStatus {
		const months = this.#merged?.months ?? [];
		const newest = months.at(-1);
		return {
			newestMonth: newest?.id,
			newestReleaseDate: newest?.initialReleaseDate,
			embeddedGeneratedAt: this.#embedded?.generatedAt,
			months: months.length,
			vulnerabilities: months.reduce((sum, month) => sum + month.vulnerabilities.length, 0),
			storedMonths: this.#storedMonths,
			lastRefresh: this.#lastRefresh
		};
	}
}

function summarize(
	changes: MergeChanges
): Pick<RefreshReport, 'added' | 'revised' | 'cveAdded' | 'cveChanged'> {
	return {
		added: changes.added,
		revised: changes.revised,
		cveAdded: changes.cveAdded,
		cveChanged: changes.cveChanged
	};
}

function latest(month: MsrcMonth, listedDate: string | undefined): string {
	if (!listedDate) return month.currentReleaseDate;
	const listed = Date.parse(listedDate);
	return listed > Date.parse(month.currentReleaseDate)
		? new Date(listed).toISOString()
		: month.currentReleaseDate;
}

/** Stored months that are not older than the embedded copy (the app may have been updated). */
function newerThan(index: MsrcIndex, stored: MsrcMonth[]): MsrcMonth[] {
	const embedded = new Map(index.months.map((month) => [month.id, month.currentReleaseDate]));
	return stored.filter((month) => {
		const date = embedded.get(month.id);
		return date === undefined || Date.parse(month.currentReleaseDate) >= Date.parse(date);
	});
}

async function collectMonth(
	read: () => Promise<string>,
	id: string,
	months: MsrcMonth[],
	skipped: RefreshReport['skipped']
): Promise<void> {
	try {
		months.push(condenseCvrf(await read()));
	} catch (error) {
		skipped.push({ id, reason: error instanceof Error ? error.message : String(error) });
	}
}

async function fetchText(url: string): Promise<string> {
	let response: Response;
	try {
		response = await fetch(url, { headers: { Accept: 'application/xml' } });
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new MullionError('MSRC_FETCH_FAILED', `${url}: ${reason} (is the proxy running?)`);
	}
	if (!response.ok) {
		const detail = await refusalMessage(response);
		throw new MullionError('MSRC_FETCH_FAILED', `${url}: HTTP ${response.status}${detail}`);
	}
	const length = Number(response.headers.get('Content-Length') ?? 0);
	if (length > MAX_DOCUMENT_BYTES) {
		throw new MullionError('LIMIT_EXCEEDED', `${url}: MAX_DOCUMENT_BYTES exceeded`);
	}
	return response.text();
}

/** Longest error body read from the proxy, in bytes. */
const MAX_REFUSAL_BODY_BYTES = 4096;

/** The proxy's JSON refusal (`{ error, message }`) as ` (message)`, or '' when there is none. */
async function refusalMessage(response: Response): Promise<string> {
	try {
		const length = Number(response.headers.get('Content-Length') ?? 0);
		const type = response.headers.get('Content-Type') ?? '';
		if (length > MAX_REFUSAL_BODY_BYTES || !type.includes('json')) {
			await response.body?.cancel();
			return '';
		}
		const body: unknown = JSON.parse(await response.text());
		if (typeof body !== 'object' || body === null) return '';
		const { error, message } = body as { error?: unknown; message?: unknown };
		const parts = [message, error].filter((part) => typeof part === 'string' && part !== '');
		return parts.length > 0 ? ` (${parts.join('; ').slice(0, 300)})` : '';
	} catch {
		return '';
	}
}

async function readText(file: Blob): Promise<string> {
	if (file.size > MAX_DOCUMENT_BYTES) {
		throw new MullionError('LIMIT_EXCEEDED', `MAX_DOCUMENT_BYTES (${MAX_DOCUMENT_BYTES}) exceeded`);
	}
	return file.text();
}
