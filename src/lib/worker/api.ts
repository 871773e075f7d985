/**
 * The scanner API as the worker serves it: the core pipeline plus the browser-side MSRC store.
 * Knows nothing of comlink; every method turns errors into data.
 */
import { blobSource } from '../archive/source';
import { toErrorData } from '../errors';
import { scanFiles } from '../scan';
import { matchImage, type MatchFacts } from '../msrc/match';
import { productForImage } from '../msrc/products';
import { MsrcStore } from '../browser/msrc-store';
import type { Outcome, ScannerApi } from './adapter';

const store = new MsrcStore();

/** A Server 2022 Core image at RTM: matching it builds the index's shared lookup tables. */
const WARM_UP_FACTS: MatchFacts = {
	build: 20348,
	ubr: 0,
	packages: [],
	dotnet: [],
	msrcProduct: productForImage(20348, 'Server Core')
};

async function attempt<T>(work: () => Promise<T>): Promise<Outcome<T>> {
	try {
		return { ok: true, value: await work() };
	} catch (error) {
		return { ok: false, error: toErrorData(error) };
	}
}

export const scannerApi: ScannerApi = {
	init: (options) =>
		attempt(async () => {
			const status = await store.load(options.indexUrl);
			// Built now, while the user is still choosing a file, the tables make the first match
			// after a scan as fast as the later ones.
			matchImage(WARM_UP_FACTS, await store.index());
			return status;
		}),
	scan: (files, name, onProgress) =>
		attempt(async () => {
			const dropped = files.map(({ file, path }, index) => ({
				name: path || (file instanceof File ? file.name : `${name} (${index + 1})`),
				source: blobSource(file)
			}));
			return scanFiles(dropped, { name, onProgress });
		}),
	match: (facts) =>
		attempt(async () => {
			const index = await store.index();
			return facts.msrcProduct ? matchImage(facts, index) : undefined;
		}),
	msrcStatus: () => attempt(() => store.status()),
	refresh: (proxyUrl, onProgress) => attempt(() => store.refresh(proxyUrl, onProgress)),
	importDocuments: (files) => attempt(() => store.importDocuments(files))
};
