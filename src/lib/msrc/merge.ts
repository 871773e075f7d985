/**
 * Merging refreshed or imported months into an index (msrc-cvrf.md §1.5, §7). A month is replaced
 * whole, by document ID; a stored month is never replaced by an empty one, because MSRC has served
 * documents with zero vulnerabilities during outages and right after Patch Tuesday.
 */

import type { MsrcIndex, MsrcMonth, MsrcVulnerability } from './types';

/** One CVE that a merge added, removed or changed, in the month it belongs to. */
export interface CveChange {
	month: string;
	cve: string;
	change: 'added' | 'removed' | 'changed';
}

/** What a merge did, by month ID and by CVE. */
export interface MergeChanges {
	/** Months that were not in the index. */
	added: string[];
	/** Months replaced by a different version. */
	revised: string[];
	/** Months that arrived identical to the stored ones. */
	unchanged: string[];
	/** Empty months refused because the index holds a non-empty one of that ID. */
	rejected: string[];
	cveAdded: number;
	cveRemoved: number;
	cveChanged: number;
	cves: CveChange[];
}

/**
 * A new index with `incoming` merged into `index` (which is not modified): each incoming month
 * replaces the stored month of the same ID, except that an empty month (no vulnerabilities)
 * never replaces a non-empty one; a later duplicate in `incoming` wins. Months come out sorted by
 * initialReleaseDate, oldest first (ties keep their order). Never throws.
 */
export function mergeMonths(
	index: MsrcIndex,
	incoming: readonly MsrcMonth[]
): { index: MsrcIndex; changes: MergeChanges } {
	const months = new Map(index.months.map((month) => [month.id, month]));
	const changes = emptyChanges();
	for (const month of incoming) {
		const stored = months.get(month.id);
		const outcome = compareMonth(stored, month, changes.cves);
		changes[outcome].push(month.id);
		if (outcome !== 'rejected') months.set(month.id, month);
	}
	countCveChanges(changes);
	return { index: { ...index, months: sortByRelease([...months.values()]) }, changes };
}

function emptyChanges(): MergeChanges {
	return {
		added: [],
		revised: [],
		unchanged: [],
		rejected: [],
		cveAdded: 0,
		cveRemoved: 0,
		cveChanged: 0,
		cves: []
	};
}

type MonthOutcome = 'added' | 'revised' | 'unchanged' | 'rejected';

function compareMonth(
	stored: MsrcMonth | undefined,
	month: MsrcMonth,
	cves: CveChange[]
): MonthOutcome {
	if (stored === undefined) {
		for (const { cve } of month.vulnerabilities)
			cves.push({ month: month.id, cve, change: 'added' });
		return 'added';
	}
	if (month.vulnerabilities.length === 0 && stored.vulnerabilities.length > 0) return 'rejected';
	if (JSON.stringify(stored) === JSON.stringify(month)) return 'unchanged';
	cves.push(...diffVulnerabilities(month.id, stored.vulnerabilities, month.vulnerabilities));
	return 'revised';
}

/** CVE-level differences between two versions of one month, keyed by CVE ID. */
export function diffVulnerabilities(
	monthId: string,
	before: readonly MsrcVulnerability[],
	after: readonly MsrcVulnerability[]
): CveChange[] {
	const old = new Map(before.map((entry) => [entry.cve, JSON.stringify(entry)]));
	const changes: CveChange[] = [];
	const seen = new Set<string>();
	for (const entry of after) {
		seen.add(entry.cve);
		const previous = old.get(entry.cve);
		if (previous === undefined) changes.push({ month: monthId, cve: entry.cve, change: 'added' });
		else if (previous !== JSON.stringify(entry)) {
			changes.push({ month: monthId, cve: entry.cve, change: 'changed' });
		}
	}
	for (const cve of old.keys()) {
		if (!seen.has(cve)) changes.push({ month: monthId, cve, change: 'removed' });
	}
	return changes;
}

function countCveChanges(changes: MergeChanges): void {
	for (const { change } of changes.cves) {
		if (change === 'added') changes.cveAdded += 1;
		else if (change === 'removed') changes.cveRemoved += 1;
		else changes.cveChanged += 1;
	}
}

/** Months oldest first by initialReleaseDate; equal dates keep their order. */
export function sortByRelease(months: MsrcMonth[]): MsrcMonth[] {
	const time = (month: MsrcMonth) => Date.parse(month.initialReleaseDate) || 0;
	return months.sort((first, second) => time(first) - time(second));
}
