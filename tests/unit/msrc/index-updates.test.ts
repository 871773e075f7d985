/**
 * The `/updates` list (msrc-cvrf.md §1.2): only Security Updates documents are kept, IDs verbatim,
 * and monthsToFetch asks only for new or revised months.
 */
import { describe, expect, it } from 'vitest';
import { isMullionError } from '../../../src/lib/errors';
import {
	isSecurityUpdatesTitle,
	monthsToFetch,
	parseUpdates,
	type MsrcUpdate
} from '../../../src/lib/msrc/updates';
import { fixtureText } from './cvrf-fixtures';

const updatesText = fixtureText('updates-index.raw-20260706.json');

describe('parseUpdates', () => {
	const updates = parseUpdates(updatesText);

	it('keeps the 126 Security Updates documents of 190 and drops Mariner release notes', () => {
		expect(updates).toHaveLength(126);
		expect(updates.map((update) => update.id)).not.toContain('1999-Sep');
		expect(updates.every((update) => isSecurityUpdatesTitle(update.title))).toBe(true);
	});

	it('keeps IDs verbatim (2018-FEB, 2017-May-B) and normalises dates to ISO UTC', () => {
		const ids = updates.map((update) => update.id);
		expect(ids).toContain('2018-FEB');
		expect(ids).toContain('2017-May-B');
		expect(updates.find((update) => update.id === '2022-Dec')).toMatchObject({
			title: 'December 2022 Security Updates',
			initialReleaseDate: '2022-12-13T08:00:00Z',
			cvrfUrl: 'https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/2022-Dec'
		});
		expect(ids).toContain('2026-Jul');
	});

	it('accepts the already parsed JSON as well as the text', () => {
		expect(parseUpdates(JSON.parse(updatesText))).toEqual(updates);
	});

	it('refuses a response without a value list with MSRC_BAD_DOCUMENT', () => {
		for (const input of ['', 'not json', '{}', '{"value": 3}', null, 42]) {
			let code = 'ok';
			try {
				parseUpdates(input);
			} catch (error) {
				code = isMullionError(error) ? error.code : 'other';
			}
			expect(code, String(input)).toBe('MSRC_BAD_DOCUMENT');
		}
	});

	it('skips entries without an ID or a readable date', () => {
		const odd = {
			value: [null, { ID: '' }, { ID: '2030-Jan', DocumentTitle: 'January 2030 Security Updates' }]
		};
		expect(parseUpdates(odd)).toEqual([]);
	});
});

describe('monthsToFetch', () => {
	const update = (id: string, current: string, initial = '2022-12-13T08:00:00Z'): MsrcUpdate => ({
		id,
		alias: id,
		title: `${id} Security Updates`,
		initialReleaseDate: initial,
		currentReleaseDate: current,
		cvrfUrl: ''
	});
	const updates = [
		update('2022-Nov', '2022-11-08T08:00:00Z'),
		update('2022-Dec', '2026-02-21T01:44:02Z'),
		update('2023-Jan', '2023-01-10T08:00:00Z')
	];

	it('asks for months not stored and months whose CurrentReleaseDate changed', () => {
		const stored = [
			{ id: '2022-Nov', currentReleaseDate: '2022-11-08T08:00:00' },
			{ id: '2022-Dec', currentReleaseDate: '2023-01-03T08:00:00Z' }
		];
		expect(monthsToFetch(updates, stored)).toEqual(['2022-Dec', '2023-Jan']);
	});

	it('asks for nothing when every month is stored at its current revision', () => {
		const stored = updates.map(({ id, currentReleaseDate }) => ({ id, currentReleaseDate }));
		expect(monthsToFetch(updates, stored)).toEqual([]);
	});

	it('asks again for a recent month stored empty, but not for an old empty one', () => {
		const fresh = update('2030-Jan', '2030-01-14T08:00:00Z', '2030-01-14T08:00:00Z');
		const stored = [
			{ id: '2030-Jan', currentReleaseDate: '2030-01-14T08:00:00Z', vulnerabilities: [] },
			{ id: '2022-Nov', currentReleaseDate: '2022-11-08T08:00:00Z', vulnerabilities: [] }
		];
		const now = new Date('2030-01-15T00:00:00Z');
		expect(monthsToFetch([fresh, updates[0]!], stored, now)).toEqual(['2030-Jan']);
		expect(monthsToFetch([fresh], stored)).toEqual([]);
	});
});
