/**
 * Over the whole MSRC history in ../shared/corpus (skipped when absent): every document, Security
 * Updates and Mariner alike, condenses without error; skipping unrelated parts unparsed changes
 * nothing; and the committed static/msrc index is exactly what a fresh build produces.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { decompress } from 'fzstd';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIndex } from '../../../scripts/msrc-index';
import { condenseCvrf } from '../../../src/lib/msrc/cvrf';
import { decodeIndex } from '../../../src/lib/msrc/index-codec';
import type { MsrcIndex } from '../../../src/lib/msrc/types';
import { parseUpdates } from '../../../src/lib/msrc/updates';
import { hasHistory, historyDir, repoRoot } from './cvrf-fixtures';

const BUILD_TIMEOUT_MILLISECONDS = 600_000;
const committedIndexFile = path.join(repoRoot, 'static/msrc/index.bin');
const committedMetaFile = path.join(repoRoot, 'static/msrc/index-meta.json');

function historyText(id: string): string {
	return new TextDecoder().decode(decompress(readFileSync(path.join(historyDir, `${id}.xml.zst`))));
}

describe.skipIf(!hasHistory)('MSRC history corpus', () => {
	let fresh: MsrcIndex;

	beforeAll(() => {
		fresh = buildIndex(historyDir, 'fixed').index;
	}, BUILD_TIMEOUT_MILLISECONDS);

	it('condenses all 126 Security Updates documents, one month each, sorted by release', () => {
		expect(fresh.months).toHaveLength(126);
		const dates = fresh.months.map((month) => Date.parse(month.initialReleaseDate));
		expect(dates).toEqual([...dates].sort((first, second) => first - second));
		const december = fresh.months.find((month) => month.id === '2022-Dec');
		expect(
			december?.vulnerabilities.filter((entry) => entry.affected.includes('11924'))
		).toHaveLength(25);
	});

	it('condenses the 64 Mariner release-note documents without error and keeps nothing of them', () => {
		const updates = JSON.parse(readFileSync(path.join(historyDir, 'index.json'), 'utf8')).value;
		const mariner = updates.filter((entry: { DocumentTitle: string }) =>
			entry.DocumentTitle.includes('Mariner')
		);
		expect(mariner).toHaveLength(64);
		for (const { ID } of mariner)
			expect(condenseCvrf(historyText(ID)).vulnerabilities, ID).toEqual([]);
	});

	it('has a history file for every /updates entry', () => {
		const files = new Set(readdirSync(historyDir));
		const updates = parseUpdates(readFileSync(path.join(historyDir, 'index.json'), 'utf8'));
		for (const { id } of updates) expect(files.has(`${id}.xml.zst`), id).toBe(true);
	});

	it(
		'gives the same months with and without skipping unrelated parts unparsed (sample)',
		() => {
			for (const id of ['2016-Nov', '2018-FEB', '2020-Jul', '2022-Nov', '2024-Oct', '2026-Jun']) {
				const text = historyText(id);
				expect(condenseCvrf(text, { id, fullParse: true }), id).toEqual(condenseCvrf(text, { id }));
			}
		},
		BUILD_TIMEOUT_MILLISECONDS
	);

	it.skipIf(!existsSync(committedIndexFile))('matches the committed static/msrc index', () => {
		const committed = decodeIndex(new Uint8Array(readFileSync(committedIndexFile)));
		expect({ ...committed, generatedAt: 'fixed' }).toEqual(fresh);
		const meta = JSON.parse(readFileSync(committedMetaFile, 'utf8'));
		expect(meta).toMatchObject({
			generatedAt: committed.generatedAt,
			newestMonth: fresh.months.at(-1)?.id,
			months: fresh.months.length,
			vulnerabilities: fresh.months.reduce((sum, month) => sum + month.vulnerabilities.length, 0)
		});
	});
});
