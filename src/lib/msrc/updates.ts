/**
 * The `/updates` list of the MSRC CVRF API (msrc-cvrf.md §1.2): which documents exist and when
 * each was last revised. Used to fetch only new or revised months.
 */

import { MullionError, checkLimit } from '../errors';
import { child, isRecord, listOf, textOf, toIsoUtc, type TreeNode } from './cvrf-values';

/** Most entries read from one `/updates` list (190 in July 2026). */
export const MAX_UPDATES_ENTRIES = 10_000;

/** A stored month whose index entry is empty is fetched again while it is this recent. */
export const RECENT_EMPTY_MONTH_DAYS = 14;

const MILLISECONDS_PER_DAY = 86_400_000;

/** One entry of `/updates`, dates as ISO 8601 UTC. */
export interface MsrcUpdate {
	/** Document ID, case kept (`2018-FEB`). */
	id: string;
	alias: string;
	title: string;
	initialReleaseDate: string;
	currentReleaseDate: string;
	cvrfUrl: string;
}

/** What `monthsToFetch` needs to know of a stored month (an `MsrcMonth` fits). */
export interface StoredMonth {
	id: string;
	currentReleaseDate: string;
	vulnerabilities?: readonly unknown[];
}

/**
 * True for the monthly "Security Updates" documents (`December 2022 Security Updates`,
 * `July 2026 Early Security Updates`), false for "Mariner Release Notes" with fake IDs (§1.2).
 */
export function isSecurityUpdatesTitle(title: string): boolean {
	return /security updates?\b/i.test(title) && !/mariner/i.test(title);
}

/**
 * The Security Updates documents of an `/updates` response, given as text or as the parsed
 * JSON (`{"value":[{ID, Alias, DocumentTitle, InitialReleaseDate, CurrentReleaseDate, CvrfUrl}]}`).
 * Entries without an ID or a readable date are skipped. Throws MSRC_BAD_DOCUMENT when the input
 * has no `value` list.
 */
export function parseUpdates(response: unknown): MsrcUpdate[] {
	const list = child(typeof response === 'string' ? parseJson(response) : response, 'value');
	if (!Array.isArray(list)) {
		throw new MullionError('MSRC_BAD_DOCUMENT', 'MSRC /updates response has no value list');
	}
	checkLimit(list.length, MAX_UPDATES_ENTRIES, 'MAX_UPDATES_ENTRIES');
	const updates: MsrcUpdate[] = [];
	for (const entry of listOf(list)) {
		const update = readUpdate(entry);
		if (update !== undefined && isSecurityUpdatesTitle(update.title)) updates.push(update);
	}
	return updates;
}

function parseJson(text: string): TreeNode {
	try {
		return JSON.parse(text);
	} catch {
		throw new MullionError('MSRC_BAD_DOCUMENT', 'MSRC /updates response is not JSON');
	}
}

function readUpdate(entry: TreeNode): MsrcUpdate | undefined {
	if (!isRecord(entry)) return undefined;
	const id = textOf(entry['ID']);
	const initial = toIsoUtc(textOf(entry['InitialReleaseDate']));
	const current = toIsoUtc(textOf(entry['CurrentReleaseDate'])) ?? initial;
	if (id === '' || initial === undefined || current === undefined) return undefined;
	return {
		id,
		alias: textOf(entry['Alias']) || id,
		title: textOf(entry['DocumentTitle']),
		initialReleaseDate: initial,
		currentReleaseDate: current,
		cvrfUrl: textOf(entry['CvrfUrl'])
	};
}

/**
 * IDs of the documents to fetch: those not stored, those whose CurrentReleaseDate differs from
 * the stored one (compared as instants, so `Z` or not does not matter), and, when `now` is given,
 * stored months without vulnerabilities released in the last RECENT_EMPTY_MONTH_DAYS days (MSRC
 * sometimes serves a new month before its Windows CVEs are in, msrc-cvrf.md §1.5). Keeps the
 * order of `updates`.
 */
export function monthsToFetch(
	updates: readonly MsrcUpdate[],
	stored: readonly StoredMonth[],
	now?: Date
): string[] {
	const storedById = new Map(stored.map((month) => [month.id, month]));
	return updates
		.filter((update) => needsFetch(update, storedById.get(update.id), now))
		.map((update) => update.id);
}

function needsFetch(update: MsrcUpdate, stored: StoredMonth | undefined, now?: Date): boolean {
	if (stored === undefined) return true;
	if (instant(stored.currentReleaseDate) !== instant(update.currentReleaseDate)) return true;
	if (now === undefined || stored.vulnerabilities?.length !== 0) return false;
	const age = now.getTime() - Date.parse(update.initialReleaseDate);
	return age < RECENT_EMPTY_MONTH_DAYS * MILLISECONDS_PER_DAY;
}

function instant(date: string): number | undefined {
	const iso = toIsoUtc(date);
	return iso === undefined ? undefined : Date.parse(iso);
}
