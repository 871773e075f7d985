/**
 * condenseCvrf on input that is not a good CVRF document: it throws MullionError
 * MSRC_BAD_DOCUMENT (or LIMIT_EXCEEDED) and nothing else, never hangs, and tolerates a document
 * that lacks optional parts.
 */
import { describe, expect, it } from 'vitest';
import { isMullionError } from '../../../src/lib/errors';
import { condenseCvrf } from '../../../src/lib/msrc/cvrf';
import { fixtureText } from './cvrf-fixtures';

function outcome(input: string): string {
	try {
		condenseCvrf(input);
		return 'ok';
	} catch (error) {
		if (isMullionError(error)) return error.code;
		throw error;
	}
}

const MINIMAL_XML = `<?xml version="1.0" encoding="utf-8"?>
<cvrf:cvrfdoc xmlns:cvrf="http://www.icasi.org/CVRF/schema/cvrf/1.1"
  xmlns:vuln="http://www.icasi.org/CVRF/schema/vuln/1.1">
  <cvrf:DocumentTracking>
    <cvrf:Identification><cvrf:ID>2030-Jan</cvrf:ID></cvrf:Identification>
    <cvrf:InitialReleaseDate>2030-01-14T08:00:00Z</cvrf:InitialReleaseDate>
  </cvrf:DocumentTracking>
  <vuln:Vulnerability Ordinal="1">
    <vuln:CVE>CVE-2030-0001</vuln:CVE>
    <vuln:ProductStatuses><vuln:Status Type="Known Affected">
      <vuln:ProductID>11924</vuln:ProductID>
    </vuln:Status></vuln:ProductStatuses>
  </vuln:Vulnerability>
  <vuln:Vulnerability Ordinal="2"><vuln:CVE>CVE-2030-0002</vuln:CVE></vuln:Vulnerability>
</cvrf:cvrfdoc>`;

describe('condenseCvrf: bad input', () => {
	it('refuses text that is neither CVRF XML nor CVRF JSON with MSRC_BAD_DOCUMENT', () => {
		const inputs = [
			'',
			'   ',
			'hello',
			'{}',
			'[1, 2]',
			'{"Vulnerability": ',
			'null',
			'<html><body>Service Unavailable</body></html>',
			'<<<<>>>>',
			'<cvrf:cvrfdoc><unclosed>',
			'{"DocumentTracking": {}}',
			'<cvrfdoc><Vulnerability><CVE>CVE-1</CVE></Vulnerability></cvrfdoc>'
		];
		for (const input of inputs)
			expect(outcome(input), JSON.stringify(input)).toBe('MSRC_BAD_DOCUMENT');
	});

	it('refuses a non-string input with MSRC_BAD_DOCUMENT', () => {
		expect(outcome(42 as unknown as string)).toBe('MSRC_BAD_DOCUMENT');
	});

	it('survives an entity-expansion bomb in a DOCTYPE without hanging', () => {
		const lol = Array.from({ length: 10 }, (_, level) =>
			level === 0
				? '<!ENTITY lol0 "lolololololololololol">'
				: `<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`
		).join('');
		const bomb = `<?xml version="1.0"?><!DOCTYPE cvrfdoc [${lol}]><cvrfdoc><DocumentTitle>&lol9;</DocumentTitle></cvrfdoc>`;
		expect(['MSRC_BAD_DOCUMENT', 'LIMIT_EXCEEDED']).toContain(outcome(bomb));
	});

	it('survives deeply nested elements and JSON without a stack overflow', () => {
		expect(outcome(`<cvrfdoc>${'<a>'.repeat(100_000)}`)).toBe('MSRC_BAD_DOCUMENT');
		const deepJson = `{"Vulnerability":[${'{"Title":'.repeat(5_000)}1${'}'.repeat(5_000)}]}`;
		expect(['ok', 'MSRC_BAD_DOCUMENT']).toContain(outcome(deepJson));
	});

	it('stays linear on a wanted vulnerability full of unclosed or self-closing Threat tags', () => {
		const head = `<cvrfdoc><DocumentTracking><Identification><ID>x</ID></Identification>
			<InitialReleaseDate>2020-01-01</InitialReleaseDate></DocumentTracking>`;
		const wanted = '<Vulnerability><CVE>CVE-1</CVE><ProductID>11924</ProductID>';
		const unclosed = `${head}${wanted}${'<Threat>'.repeat(100_000)}</Vulnerability></cvrfdoc>`;
		expect(outcome(unclosed)).toBe('MSRC_BAD_DOCUMENT');
		const selfClosing = `${head}${wanted}${'<Threat/>'.repeat(100_000)}</Vulnerability></cvrfdoc>`;
		expect(outcome(selfClosing)).toBe('ok');
	});

	it('answers every truncation of a real document with a month or a MullionError', () => {
		const text = fixtureText('cvrf-2022-Dec.excerpt-3cves.raw-20260706.xml.gz');
		for (let cut = 1; cut < 20; cut += 1) {
			const result = outcome(text.slice(0, Math.floor((text.length * cut) / 20)));
			expect(['ok', 'MSRC_BAD_DOCUMENT']).toContain(result);
		}
	});

	it('answers JSON with wrong types everywhere with a month, never a TypeError', () => {
		const odd = JSON.stringify({
			DocumentTracking: {
				Identification: { ID: { Value: '2030-Feb' } },
				InitialReleaseDate: '2030-02-11T08:00:00',
				CurrentReleaseDate: 5
			},
			DocumentTitle: ['x'],
			ProductTree: { Branch: 'nope', FullProductName: [null, 3, { ProductID: 11924 }] },
			Vulnerability: [
				null,
				'text',
				{ CVE: 'CVE-2030-1', ProductStatuses: { ProductID: '11924', Type: 3 }, Threats: 7 },
				{ CVE: { Value: 'CVE-2030-2' }, Remediations: [{ Type: 2, ProductID: ['11924'] }] }
			]
		});
		const month = condenseCvrf(odd);
		expect(month.id).toBe('2030-Feb');
		expect(month.currentReleaseDate).toBe('2030-02-11T08:00:00Z');
		expect(month.vulnerabilities.map((entry) => entry.cve)).toEqual(['CVE-2030-1', 'CVE-2030-2']);
	});

	it('refuses a document without ID or release date', () => {
		expect(outcome('{"DocumentTracking": {"InitialReleaseDate": "2022-12-13T08:00:00"}}')).toBe(
			'MSRC_BAD_DOCUMENT'
		);
		expect(outcome('{"DocumentTracking": {"Identification": {"ID": {"Value": "x"}}}}')).toBe(
			'MSRC_BAD_DOCUMENT'
		);
		const numericDate =
			'{"DocumentTracking": {"Identification": {"ID": "x"}, "InitialReleaseDate": 5}}';
		expect(outcome(numericDate)).toBe('MSRC_BAD_DOCUMENT');
	});
});

describe('condenseCvrf: missing optional parts', () => {
	it('condenses a document with no title, product tree, threats, scores or remediations', () => {
		expect(condenseCvrf(MINIMAL_XML)).toEqual({
			id: '2030-Jan',
			title: '2030-Jan',
			initialReleaseDate: '2030-01-14T08:00:00Z',
			currentReleaseDate: '2030-01-14T08:00:00Z',
			products: { '11924': 'Windows Server 2022 (Server Core installation)' },
			vulnerabilities: [
				{
					cve: 'CVE-2030-0001',
					title: '',
					exploited: false,
					publiclyDisclosed: false,
					affected: ['11924'],
					fixes: []
				}
			]
		});
	});

	it('takes the document ID from the options when given (the /updates spelling, e.g. 2018-FEB)', () => {
		expect(condenseCvrf(MINIMAL_XML, { id: '2030-JAN' }).id).toBe('2030-JAN');
	});
});
