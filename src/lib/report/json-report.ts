/**
 * The JSON report: one self-describing document with the scan result, the MSRC match and where
 * the MSRC data came from. Plain data, pretty-printed; `JSON.parse` gives the parts back as
 * they were given (undefined-valued keys aside).
 */
import type { MatchResult } from '../msrc/match';
import type { MsrcStatus } from '../worker/adapter';
import type { ScanResult } from './types';

/** The `format` field: names this document's layout and version. */
export const JSON_REPORT_FORMAT = 'mullion-report/1';

export interface JsonReportOptions {
	/** Mullion's version, recorded as the generator. */
	toolVersion: string;
	/** Freshness of the MSRC data the match used. */
	msrcStatus?: MsrcStatus;
}

/** Shape of the JSON report. */
export interface JsonReport {
	format: typeof JSON_REPORT_FORMAT;
	generator: { name: 'mullion'; version: string };
	scan: ScanResult;
	/** Absent when no MSRC data was available. */
	match?: MatchResult;
	msrcStatus?: MsrcStatus;
}

/** The JSON report as a two-space indented string ending in a newline. Never fails on plain data. */
export function buildJsonReport(
	result: ScanResult,
	match: MatchResult | undefined,
	options: JsonReportOptions
): string {
	const report: JsonReport = {
		format: JSON_REPORT_FORMAT,
		generator: { name: 'mullion', version: options.toolVersion },
		scan: result
	};
	if (match !== undefined) report.match = match;
	if (options.msrcStatus !== undefined) report.msrcStatus = options.msrcStatus;
	return JSON.stringify(report, null, 2) + '\n';
}
