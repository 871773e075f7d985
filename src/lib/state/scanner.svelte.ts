/**
 * The page's scan state: one worker, the current scan, its progress, result and matches.
 * Components read the fields and call the methods; they hold no state of their own.
 */
import { connectScanner, type ScannerConnection, type Outcome } from '../worker/adapter';
import type { ErrorData } from '../errors';
import type { ScanResult } from '../report/types';
import type { MatchResult } from '../msrc/match';
import type { ScanProgress } from '../scan';
import type { PickedFile } from '../browser/dropped-files';

export type ScanPhase = 'idle' | 'scanning' | 'done' | 'error';

export interface ProgressView extends ScanProgress {
	startedAt: number;
	/** Bytes per second so far. */
	rate: number;
	/** Seconds left at that rate. */
	secondsLeft: number;
}

function startWorker(): ScannerConnection {
	const worker = new Worker(new URL('../worker/scan.worker.ts', import.meta.url), {
		type: 'module'
	});
	return connectScanner(worker);
}

export class ScannerState {
	phase = $state<ScanPhase>('idle');
	fileName = $state('');
	progress = $state<ProgressView | undefined>();
	result = $state<ScanResult | undefined>();
	match = $state<MatchResult | undefined>();
	/** True while the result is being matched against MSRC data (exports wait for it). */
	matching = $state(false);
	error = $state<ErrorData | undefined>();
	/** Set when the result came from a permalink rather than a scan here. */
	fromPermalink = $state(false);

	#connection: ScannerConnection | undefined;
	#indexUrl: () => string;

	constructor(indexUrl: () => string) {
		this.#indexUrl = indexUrl;
	}

	/** The worker connection, started (and its MSRC data loaded) on first use. */
	get connection(): ScannerConnection {
		if (!this.#connection) {
			this.#connection = startWorker();
			void this.#connection.api.init({ indexUrl: this.#indexUrl() });
		}
		return this.#connection;
	}

	async scanFiles(files: PickedFile[]): Promise<void> {
		const [first] = files;
		if (!first) return;
		const total = files.reduce((sum, each) => sum + each.file.size, 0);
		this.#begin(files.length > 1 ? `${files.length} files (${first.path}, …)` : first.path, total);
		const connection = this.connection;
		const onProgress = connection.callback((p: ScanProgress) => this.#onProgress(p));
		const outcome = await connection.api.scan(files, first.path, onProgress);
		if (this.phase !== 'scanning' || connection !== this.#connection) return; // cancelled
		if (!outcome.ok) return this.#fail(outcome.error);
		await this.show(outcome.value, false);
	}

	/** Shows a result (from a scan or a permalink) and matches it against MSRC data. */
	async show(result: ScanResult, fromPermalink: boolean): Promise<void> {
		this.result = result;
		this.fromPermalink = fromPermalink;
		this.fileName = result.input.name;
		this.phase = 'done';
		await this.rematch();
	}

	/** Recomputes vulnerabilities for the current result (after an MSRC refresh, say). */
	async rematch(): Promise<void> {
		if (!this.result) return;
		this.matching = true;
		try {
			const outcome: Outcome<MatchResult | undefined> = await this.connection.api.match(
				$state.snapshot(this.result.facts)
			);
			this.match = outcome.ok ? outcome.value : undefined;
		} finally {
			this.matching = false;
		}
	}

	cancel(): void {
		this.#connection?.terminate();
		this.#connection = undefined;
		this.phase = 'idle';
		this.progress = undefined;
	}

	reset(): void {
		this.phase = 'idle';
		this.result = undefined;
		this.match = undefined;
		this.error = undefined;
		this.progress = undefined;
	}

	showError(error: ErrorData, source: string): void {
		this.fileName = source;
		this.#fail(error);
	}

	#begin(name: string, size: number): void {
		this.reset();
		this.fileName = name;
		this.phase = 'scanning';
		const now = performance.now();
		this.progress = {
			bytesDone: 0,
			bytesTotal: size,
			entries: 0,
			startedAt: now,
			rate: 0,
			secondsLeft: NaN
		};
	}

	#onProgress(p: ScanProgress): void {
		if (this.phase !== 'scanning' || !this.progress) return;
		const elapsed = (performance.now() - this.progress.startedAt) / 1000;
		const rate = elapsed > 0 ? p.bytesDone / elapsed : 0;
		const secondsLeft = rate > 0 ? (p.bytesTotal - p.bytesDone) / rate : NaN;
		this.progress = { ...p, startedAt: this.progress.startedAt, rate, secondsLeft };
	}

	#fail(error: ErrorData): void {
		this.phase = 'error';
		this.error = error;
		this.progress = undefined;
	}
}
