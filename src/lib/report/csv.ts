/**
 * The open vulnerabilities as CSV (RFC 4180: CRLF line ends, a header row, fields quoted when
 * they hold a comma, a quote, CR or LF, quotes doubled). Registry and MSRC text is untrusted, so
 * a field a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets
 * a leading `'` (OWASP "CSV injection").
 */
import type { Finding, MatchResult } from '../msrc/match';

/** Header row, in column order. */
export const VULNERABILITY_CSV_COLUMNS: readonly string[] = [
	'CVE',
	'Title',
	'Severity',
	'CVSS',
	'Exploited',
	'Publicly disclosed',
	'Impact',
	'Fixing KB',
	'Fixed build',
	'Month',
	'Product',
	'Confidence',
	'Reason'
];

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV row per open finding (a CVE open for several products gives several rows), in the
 * matcher's order, after a header row. Ends with CRLF. Never fails.
 */
export function buildVulnerabilityCsv(match: Pick<MatchResult, 'findings'>): string {
	const rows = [VULNERABILITY_CSV_COLUMNS, ...match.findings.map(findingRow)];
	return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('');
}

function findingRow(finding: Finding): string[] {
	const kb = finding.fix?.kb;
	return [
		finding.cve,
		finding.title,
		finding.severity ?? '',
		finding.cvss === undefined ? '' : String(finding.cvss),
		finding.exploited ? 'Yes' : 'No',
		finding.publiclyDisclosed ? 'Yes' : 'No',
		finding.impact ?? '',
		kb === undefined ? '' : /^\d+$/.test(kb) ? `KB${kb}` : kb,
		finding.fix?.fixedBuild ?? '',
		finding.month,
		finding.productName,
		finding.confidence,
		finding.reason
	];
}

/** One field: formula starts neutralised, then quoted when RFC 4180 needs it. */
export function csvField(value: string): string {
	const safe = FORMULA_START.test(value) ? `'${value}` : value;
	return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
