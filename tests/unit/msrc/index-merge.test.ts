/**
 * mergeMonths: a month is replaced whole by ID, never by an empty one (msrc-cvrf.md §1.5), months
 * stay sorted by release date, and the changes are reported per month and per CVE.
 */
import { describe, expect, it } from 'vitest';
import { mergeMonths } from '../../../src/lib/msrc/merge';
import {
	MSRC_INDEX_FORMAT,
	type MsrcIndex,
	type MsrcMonth,
	type MsrcVulnerability
} from '../../../src/lib/msrc/types';

function cve(id: string, severity: MsrcVulnerability['severity'] = 'Important'): MsrcVulnerability {
	return {
		cve: id,
		title: id,
		severity,
		exploited: false,
		publiclyDisclosed: false,
		affected: ['11924'],
		fixes: []
	};
}

function month(id: string, released: string, vulnerabilities: MsrcVulnerability[]): MsrcMonth {
	return {
		id,
		title: `${id} Security Updates`,
		initialReleaseDate: released,
		currentReleaseDate: released,
		products: { '11924': 'Windows Server 2022 (Server Core installation)' },
		vulnerabilities
	};
}

const november = month('2022-Nov', '2022-11-08T08:00:00Z', [cve('CVE-1'), cve('CVE-2')]);
const december = month('2022-Dec', '2022-12-13T08:00:00Z', [cve('CVE-3')]);
const index: MsrcIndex = {
	format: MSRC_INDEX_FORMAT,
	generatedAt: '2026-07-06T00:00:00Z',
	months: [november, december]
};

describe('mergeMonths', () => {
	it('adds a new month in release order and reports its CVEs as added', () => {
		const october = month('2022-Oct', '2022-10-11T07:00:00Z', [cve('CVE-0')]);
		const { index: merged, changes } = mergeMonths(index, [october]);
		expect(merged.months.map((entry) => entry.id)).toEqual(['2022-Oct', '2022-Nov', '2022-Dec']);
		expect(changes).toMatchObject({ added: ['2022-Oct'], revised: [], cveAdded: 1 });
		expect(merged.generatedAt).toBe(index.generatedAt);
	});

	it('replaces a revised month and reports CVEs added, removed and changed', () => {
		const revised = {
			...november,
			currentReleaseDate: '2026-02-20T00:00:00Z',
			vulnerabilities: [cve('CVE-1', 'Critical'), cve('CVE-4')]
		};
		const { index: merged, changes } = mergeMonths(index, [revised]);
		expect(merged.months.find((entry) => entry.id === '2022-Nov')).toEqual(revised);
		expect(changes).toMatchObject({
			added: [],
			revised: ['2022-Nov'],
			rejected: [],
			cveAdded: 1,
			cveRemoved: 1,
			cveChanged: 1
		});
		expect(changes.cves).toEqual([
			{ month: '2022-Nov', cve: 'CVE-1', change: 'changed' },
			{ month: '2022-Nov', cve: 'CVE-4', change: 'added' },
			{ month: '2022-Nov', cve: 'CVE-2', change: 'removed' }
		]);
	});

	it('never replaces a stored month with an empty one', () => {
		const empty = { ...december, currentReleaseDate: '2026-07-06T00:00:00Z', vulnerabilities: [] };
		const { index: merged, changes } = mergeMonths(index, [empty]);
		expect(merged.months.find((entry) => entry.id === '2022-Dec')).toEqual(december);
		expect(changes).toMatchObject({ rejected: ['2022-Dec'], revised: [], cveRemoved: 0 });
	});

	it('adds an empty month that was not stored (months before Server 2016 have no kept CVE)', () => {
		const empty = month('2016-Jan', '2016-01-12T08:00:00Z', []);
		const { index: merged, changes } = mergeMonths(index, [empty]);
		expect(merged.months[0]).toEqual(empty);
		expect(changes.added).toEqual(['2016-Jan']);
	});

	it('reports an identical month as unchanged and leaves the input index untouched', () => {
		const before = JSON.stringify(index);
		const { changes } = mergeMonths(index, [structuredClone(december)]);
		expect(changes).toMatchObject({ unchanged: ['2022-Dec'], revised: [], cves: [] });
		expect(JSON.stringify(index)).toBe(before);
	});
});
