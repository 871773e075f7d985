/**
 * Sharing and exports for the result on screen: the permalink (the result compressed into the
 * URL fragment, which browsers never send to a server) and the SBOM, JSON and CSV files, each
 * downloadable or copied to the clipboard. The builders are pure core functions; this class only
 * moves their output to the clipboard, a download or the address bar.
 */
import { replaceState } from '$app/navigation';
import { version } from '../../../package.json';
import { encodePermalink } from '../report/permalink';
import type { ScannerState } from './scanner.svelte';

export type ExportKind = 'sbom' | 'json' | 'csv';

const EXPORTS: Record<ExportKind, { suffix: string; type: string; label: string }> = {
	sbom: { suffix: '.cdx.json', type: 'application/vnd.cyclonedx+json', label: 'CycloneDX SBOM' },
	json: { suffix: '.mullion.json', type: 'application/json', label: 'JSON report' },
	csv: { suffix: '.vulnerabilities.csv', type: 'text/csv', label: 'CSV of vulnerabilities' }
};

/** How long a confirmation ("Link copied") stays on screen. */
const MESSAGE_MILLISECONDS = 6000;

export class ShareState {
	/** A short confirmation shown after an action ("Link copied"); it clears itself. */
	#message = $state('');
	linkLength = $state(0);

	#scanner: ScannerState;
	#messageTimer: ReturnType<typeof setTimeout> | undefined;

	get message(): string {
		return this.#message;
	}

	set message(text: string) {
		this.#message = text;
		clearTimeout(this.#messageTimer);
		if (text) this.#messageTimer = setTimeout(() => (this.#message = ''), MESSAGE_MILLISECONDS);
	}

	/**
	 * Exports carry the vulnerabilities, so they wait until the match is done; a permalink
	 * carries only the scan and is ready at once.
	 */
	get exportsReady(): boolean {
		return this.#scanner.result !== undefined && !this.#scanner.matching;
	}

	constructor(scanner: ScannerState) {
		this.#scanner = scanner;
	}

	/** Puts the permalink into the address bar and returns its full URL. */
	permalink(): string | undefined {
		const result = this.#scanner.result;
		if (!result) return undefined;
		const fragment = encodePermalink($state.snapshot(result));
		const url = `${location.origin}${location.pathname}#${fragment}`;
		replaceState(url, {});
		this.linkLength = url.length;
		return url;
	}

	async copyLink(): Promise<void> {
		const url = this.permalink();
		if (url) await this.#copy(url, `Link copied (${url.length.toLocaleString('en')} characters)`);
	}

	async download(kind: ExportKind): Promise<void> {
		const text = await this.build(kind);
		if (text === undefined) return;
		const spec = EXPORTS[kind];
		const blob = new Blob([kind === 'csv' ? `\uFEFF${text}` : text], { type: spec.type });
		const link = document.createElement('a');
		link.href = URL.createObjectURL(blob);
		link.download = `${this.#baseName()}${spec.suffix}`;
		link.click();
		setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
		this.message = `${spec.label} saved`;
	}

	async copy(kind: ExportKind): Promise<void> {
		const text = await this.build(kind);
		if (text !== undefined) await this.#copy(text, `${EXPORTS[kind].label} copied`);
	}

	/** The export's text, or undefined when there is no result or the match is still running. */
	async build(kind: ExportKind): Promise<string | undefined> {
		if (!this.exportsReady) return undefined;
		const result = this.#scanner.result && $state.snapshot(this.#scanner.result);
		if (!result) return undefined;
		const match = this.#scanner.match && $state.snapshot(this.#scanner.match);
		if (kind === 'sbom') {
			const { buildCycloneDx } = await import('../report/cyclonedx');
			return buildCycloneDx(result, match, {
				toolVersion: version,
				serialNumber: `urn:uuid:${crypto.randomUUID()}`
			});
		}
		if (kind === 'json') {
			const { buildJsonReport } = await import('../report/json-report');
			return buildJsonReport(result, match, { toolVersion: version });
		}
		const { buildVulnerabilityCsv } = await import('../report/csv');
		return buildVulnerabilityCsv(match ?? { findings: [] });
	}

	#baseName(): string {
		const name = this.#scanner.result?.input.name ?? 'image';
		return name.replace(/\.(tar|tgz|gz|zst|zstd|json)$/gi, '').replace(/[^\w.-]+/g, '_') || 'image';
	}

	async #copy(text: string, done: string): Promise<void> {
		try {
			await navigator.clipboard.writeText(text);
			this.message = done;
		} catch {
			this.message = 'The browser refused the clipboard; use the download instead.';
		}
	}
}
