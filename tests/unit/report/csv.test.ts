/**
 * The vulnerability CSV: RFC 4180 framing (header, CRLF, quoting, doubled quotes) that a strict
 * parser reads back field for field, and spreadsheet formula injection neutralised in untrusted
 * MSRC/registry text.
 */
import { describe, expect, it } from 'vitest';
import { buildVulnerabilityCsv, csvField, VULNERABILITY_CSV_COLUMNS } from '$lib/report/csv';
import { sampleMatchResult } from './sample';

/** A strict RFC 4180 reader: quoted fields may hold `,`, `"` (doubled), CR and LF. */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let index = 0;
	while (index < text.length) {
		if (text[index] === '"' && field === '') {
			let end = index + 1;
			while (text.startsWith('""', end) || text[end] !== '"')
				end += text.startsWith('""', end) ? 2 : 1;
			field = text.slice(index + 1, end).replaceAll('""', '"');
			index = end + 1;
		} else if (text[index] === ',') {
			row.push(field);
			field = '';
			index += 1;
		} else if (text.startsWith('\r\n', index)) {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			index += 2;
		} else {
			field += text[index];
			index += 1;
		}
	}
	expect(field).toBe('');
	expect(row).toEqual([]);
	return rows;
}

describe('buildVulnerabilityCsv', () => {
	const match = sampleMatchResult();
	const csv = buildVulnerabilityCsv(match);
	const rows = parseCsv(csv);

	it('starts with the header row and has one CRLF-terminated row per finding', () => {
		expect(csv.startsWith('CVE,Title,Severity,CVSS,Exploited,Publicly disclosed,Impact,')).toBe(
			true
		);
		expect(csv.endsWith('\r\n')).toBe(true);
		expect(rows[0]).toEqual(VULNERABILITY_CSV_COLUMNS);
		expect(rows).toHaveLength(match.findings.length + 1);
		for (const row of rows) expect(row).toHaveLength(VULNERABILITY_CSV_COLUMNS.length);
	});

	it('writes the fields of a finding in column order', () => {
		expect(rows[1]).toEqual([
			'CVE-2023-21674',
			'Windows Advanced Local Procedure Call (ALPC) Elevation of Privilege Vulnerability',
			'Important',
			'8.8',
			'Yes',
			'Yes',
			'Elevation of Privilege',
			'KB5022291',
			'10.0.20348.1487',
			'2023-Jan',
			'Windows Server 2022 (Server Core installation)',
			'build',
			'Image build 10.0.20348.1366 is below the fixed build 10.0.20348.1487.'
		]);
		const noFix = rows.find((row) => row[0] === 'ADV990001');
		expect(noFix?.slice(2, 9)).toEqual(['', '', 'No', 'No', '', '', '']);
	});

	it('quotes commas and quotes (doubled) and keeps newlines inside quotes', () => {
		expect(csv).toContain(
			'"Windows Secure Socket Tunneling Protocol (SSTP) Remote Code Execution, ""critical"""'
		);
		const spooler = rows.find((row) => row[0] === 'CVE-2021-34527');
		expect(spooler?.[1]).toBe("'-2+3 Windows Print Spooler\nRemote Code Execution");
	});

	it('neutralises formula starts (= + - @ tab CR) with a leading apostrophe', () => {
		const spooler = rows.find((row) => row[0] === 'CVE-2021-34527');
		expect(spooler?.[12]).toBe(
			"'@SUM(A1) KB5004947 is not installed, and no installed KB supersedes it."
		);
		expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe(
			'"\'=HYPERLINK(""http://evil.example"",""x"")"'
		);
		expect(csvField('+1')).toBe("'+1");
		expect(csvField('-1')).toBe("'-1");
		expect(csvField('@x')).toBe("'@x");
		expect(csvField('\tx')).toBe("'\tx");
		expect(csvField('\rx')).toBe('"\'\rx"');
		expect(csvField('a=b')).toBe('a=b');
		expect(csvField('')).toBe('');
	});

	it('gives only the header row when nothing is open', () => {
		expect(buildVulnerabilityCsv({ findings: [] })).toBe(
			`${VULNERABILITY_CSV_COLUMNS.join(',')}\r\n`
		);
	});
});
