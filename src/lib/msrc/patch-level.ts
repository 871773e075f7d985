/**
 * Build UBR → cumulative update KB → release date, from MSRC data itself (msrc-cvrf.md §6), and
 * the image's patch level derived from it. Pure functions over an `MsrcIndex`; every table is
 * computed once per index object (WeakMap memo) so that repeated matches cost nothing.
 */

import type { MsrcFix, MsrcIndex, MsrcMonth } from './types';
import { osBuildPrefix } from './products';

/** One OS cumulative update of one product, as MSRC data describes it. */
export interface CumulativeUpdate {
	/** CVRF document ID that references this (KB, build) most often, e.g. `2022-Dec`. */
	month: string;
	/** KB number without "KB", e.g. `5021249`. */
	kb: string;
	/** `10.0.<build>.<UBR>`; absent for KB-only updates (documents before 2021-May). */
	build?: string;
	/** The UBR part of `build`. */
	ubr?: number;
	/** `initialReleaseDate` of `month`, ISO 8601. */
	releaseDate: string;
}

/** Remediation SubTypes for hotpatch branches, which containers never run (msrc-cvrf.md §5.2). */
const HOTPATCH_SUBTYPE = /hotpatch/i;

/** Remediation SubTypes that are not cumulative updates (servicing stack, setup dynamic update). */
const NOT_CUMULATIVE_SUBTYPE = /servicing\s*stack|setup\s*du/i;

/** True when a fix is a hotpatch remediation (SubType matches /hotpatch/i). */
export function isHotpatchFix(fix: MsrcFix): boolean {
	return fix.subType !== undefined && HOTPATCH_SUBTYPE.test(fix.subType);
}

/** True when a fix can stand for a cumulative update: neither hotpatch nor servicing stack. */
function isCumulativeFix(fix: MsrcFix): boolean {
	if (isHotpatchFix(fix)) return false;
	return fix.subType === undefined || !NOT_CUMULATIVE_SUBTYPE.test(fix.subType);
}

/**
 * The UBR of `fixedBuild` when it is exactly `10.0.<build>.<digits>`; undefined otherwise (another
 * build's prefix, a .NET file version, a missing value).
 */
export function ubrOfFixedBuild(fixedBuild: string | undefined, build: number): number | undefined {
	if (fixedBuild === undefined) return undefined;
	const prefix = osBuildPrefix(build);
	if (!fixedBuild.startsWith(prefix)) return undefined;
	const rest = fixedBuild.slice(prefix.length);
	return /^\d{1,9}$/.test(rest) ? Number(rest) : undefined;
}

/** Counts of how often each key was seen; the winner is the most frequent, ties → first seen. */
class Tally<Key> {
	private readonly counts = new Map<Key, number>();
	add(key: Key): void {
		this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
	}
	winner(): Key | undefined {
		let best: Key | undefined;
		let bestCount = 0;
		for (const [key, count] of this.counts) {
			if (count > bestCount) [best, bestCount] = [key, count];
		}
		return best;
	}
}

/** Months of an index, oldest first by `initialReleaseDate` (stable for equal dates). */
export function monthsOldestFirst(index: MsrcIndex): MsrcMonth[] {
	return index.months
		.map((month, position) => ({ month, position, time: Date.parse(month.initialReleaseDate) }))
		.sort((left, right) => compareTimes(left.time, right.time) || left.position - right.position)
		.map((entry) => entry.month);
}

function compareTimes(left: number, right: number): number {
	const leftValue = Number.isNaN(left) ? 0 : left;
	const rightValue = Number.isNaN(right) ? 0 : right;
	return leftValue - rightValue;
}

/** An OS FixedBuild, `10.0.<build>.<UBR>`; anything else (.NET file versions) does not match. */
const OS_FIXED_BUILD = /^10\.0\.(\d{1,6})\.(\d{1,9})$/;

interface PatchTables {
	/** KB → month ID that references the KB most often (any product, any fix). */
	kbMonth: Map<string, string>;
	/** Month ID → initialReleaseDate. */
	monthDate: Map<string, string>;
	/** `<productId>|<build>` → cumulative updates with builds, ascending by UBR. */
	updatesByProductBuild: Map<string, CumulativeUpdate[]>;
	/** productId → every cumulative fix KB of that product as a KB-only update. */
	kbUpdatesByProduct: Map<string, Map<string, CumulativeUpdate>>;
}

/** Raw counts gathered in one pass over every fix of the index. */
interface FixTallies {
	kbMonth: Map<string, Tally<string>>;
	productKbs: Map<string, Set<string>>;
	/** `<productId>|<build>` → KB → FixedBuild tally. */
	buildsByKey: Map<string, Map<string, Tally<string>>>;
	/** `<productId>|<build>|<kb>|<fixedBuild>` → month tally. */
	monthsByKey: Map<string, Tally<string>>;
}

const tablesByIndex = new WeakMap<MsrcIndex, PatchTables>();

function patchTables(index: MsrcIndex): PatchTables {
	let tables = tablesByIndex.get(index);
	if (tables === undefined) {
		tables = buildPatchTables(index);
		tablesByIndex.set(index, tables);
	}
	return tables;
}

function buildPatchTables(index: MsrcIndex): PatchTables {
	const monthDate = new Map<string, string>();
	const tallies: FixTallies = {
		kbMonth: new Map(),
		productKbs: new Map(),
		buildsByKey: new Map(),
		monthsByKey: new Map()
	};
	for (const month of monthsOldestFirst(index)) {
		monthDate.set(month.id, month.initialReleaseDate);
		for (const vulnerability of month.vulnerabilities) {
			for (const fix of vulnerability.fixes) tallyFix(tallies, fix, month.id);
		}
	}
	const kbMonth = new Map<string, string>();
	for (const [kb, tally] of tallies.kbMonth) kbMonth.set(kb, tally.winner() ?? '');
	const tables: PatchTables = {
		kbMonth,
		monthDate,
		updatesByProductBuild: new Map(),
		kbUpdatesByProduct: new Map()
	};
	for (const [key, builds] of tallies.buildsByKey) {
		tables.updatesByProductBuild.set(key, buildUpdates(tables, tallies, key, builds));
	}
	for (const [productId, kbs] of tallies.productKbs) {
		const updates = new Map<string, CumulativeUpdate>();
		for (const kb of kbs) updates.set(kb, kbOnlyUpdate(tables, kb));
		tables.kbUpdatesByProduct.set(productId, updates);
	}
	return tables;
}

function tallyFix(tallies: FixTallies, fix: MsrcFix, monthId: string): void {
	tallyOf(tallies.kbMonth, fix.kb).add(monthId);
	if (!isCumulativeFix(fix)) return;
	const fixedBuild = fix.fixedBuild ?? '';
	const build = OS_FIXED_BUILD.exec(fixedBuild)?.[1];
	for (const productId of fix.products) {
		mapValue(tallies.productKbs, productId, () => new Set<string>()).add(fix.kb);
		if (build === undefined) continue;
		const key = `${productId}|${build}`;
		const builds = mapValue(tallies.buildsByKey, key, () => new Map<string, Tally<string>>());
		tallyOf(builds, fix.kb).add(fixedBuild);
		tallyOf(tallies.monthsByKey, `${key}|${fix.kb}|${fixedBuild}`).add(monthId);
	}
}

/** Each KB with its most frequent build and that (KB, build)'s most frequent month. */
function buildUpdates(
	tables: PatchTables,
	tallies: FixTallies,
	key: string,
	builds: Map<string, Tally<string>>
): CumulativeUpdate[] {
	const updates: CumulativeUpdate[] = [];
	for (const [kb, tally] of builds) {
		const fixedBuild = tally.winner() ?? '';
		const ubrText = OS_FIXED_BUILD.exec(fixedBuild)?.[2];
		if (ubrText === undefined) continue;
		const month = tallies.monthsByKey.get(`${key}|${kb}|${fixedBuild}`)?.winner() ?? '';
		const releaseDate = tables.monthDate.get(month) ?? '';
		updates.push({ month, kb, build: fixedBuild, ubr: Number(ubrText), releaseDate });
	}
	return updates.sort(compareUpdates);
}

function mapValue<Key, Value>(map: Map<Key, Value>, key: Key, create: () => Value): Value {
	let value = map.get(key);
	if (value === undefined) {
		value = create();
		map.set(key, value);
	}
	return value;
}

function tallyOf<Key, Value>(tallies: Map<Key, Tally<Value>>, key: Key): Tally<Value> {
	return mapValue(tallies, key, () => new Tally<Value>());
}

/**
 * The OS cumulative updates MSRC lists for one product and build (msrc-cvrf.md §6): fixes of
 * `productId` that are neither hotpatch nor servicing stack updates and whose FixedBuild starts
 * with `10.0.<build>.`, grouped by KB. Each KB gets the build MSRC gives it most often (so a
 * one-off typo such as KB5008223 → .400 loses to .405) and the month that references that
 * (KB, build) most often, with the month's release date. Sorted ascending by UBR, then release
 * date. Empty when MSRC has no FixedBuild for the product. Shared memo: do not mutate.
 */
export function cumulativeUpdates(
	index: MsrcIndex,
	productId: string,
	build: number
): readonly CumulativeUpdate[] {
	return patchTables(index).updatesByProductBuild.get(`${productId}|${build}`) ?? [];
}

function compareUpdates(left: CumulativeUpdate, right: CumulativeUpdate): number {
	const byUbr = (left.ubr ?? -1) - (right.ubr ?? -1);
	return byUbr || compareTimes(Date.parse(left.releaseDate), Date.parse(right.releaseDate));
}

const NO_UPDATES: ReadonlyMap<string, CumulativeUpdate> = new Map();

/**
 * Every cumulative fix KB (not hotpatch, not servicing stack) MSRC lists for `productId`, with or
 * without a FixedBuild, keyed by KB, each dated by the month that references the KB most often.
 * Used for images older than FixedBuild data (before 2021-May) and for .NET products, whose KBs
 * are not OS builds. Shared memo: do not mutate.
 */
export function productUpdateKbs(
	index: MsrcIndex,
	productId: string
): ReadonlyMap<string, CumulativeUpdate> {
	return patchTables(index).kbUpdatesByProduct.get(productId) ?? NO_UPDATES;
}

function kbOnlyUpdate(tables: PatchTables, kb: string): CumulativeUpdate {
	const month = tables.kbMonth.get(kb) ?? '';
	return { month, kb, releaseDate: tables.monthDate.get(month) ?? '' };
}

/**
 * Release date (ISO) of the month that references `kb` most often in the whole index; undefined
 * when the index never names the KB (such KBs are neutral, not evidence: msrc-cvrf.md §5).
 */
export function kbReleaseDate(index: MsrcIndex, kb: string): string | undefined {
	const tables = patchTables(index);
	const month = tables.kbMonth.get(kb);
	return month === undefined ? undefined : tables.monthDate.get(month);
}

/**
 * The image's patch level: the newest cumulative update (highest UBR) whose UBR is ≤ the image's
 * UBR or whose KB is installed (the KB rule absorbs MSRC build typos such as KB5014678 listed as
 * .770 for the real .768). When no update with a build qualifies, the newest installed KB-only
 * update of the product (by release date). Undefined when neither exists.
 */
export function findPatchLevel(
	updates: readonly CumulativeUpdate[],
	kbUpdates: ReadonlyMap<string, CumulativeUpdate>,
	ubr: number,
	installedKbs: ReadonlySet<string>
): CumulativeUpdate | undefined {
	let level: CumulativeUpdate | undefined;
	for (const update of updates) {
		if ((update.ubr ?? Infinity) <= ubr || installedKbs.has(update.kb)) level = update;
	}
	return level ?? newestInstalledKbUpdate(kbUpdates, installedKbs);
}

function newestInstalledKbUpdate(
	kbUpdates: ReadonlyMap<string, CumulativeUpdate>,
	installedKbs: ReadonlySet<string>
): CumulativeUpdate | undefined {
	let newest: CumulativeUpdate | undefined;
	for (const kb of installedKbs) {
		const update = kbUpdates.get(kb);
		if (update === undefined) continue;
		if (newest === undefined || isNewer(update, newest)) newest = update;
	}
	return newest;
}

function isNewer(candidate: CumulativeUpdate, current: CumulativeUpdate): boolean {
	return Date.parse(candidate.releaseDate) > Date.parse(current.releaseDate);
}

/**
 * The newest update MSRC knows for the product: the highest-UBR cumulative update, or, when the
 * product has no FixedBuild data at all, its most recently released KB-only update.
 */
export function findLatestUpdate(
	updates: readonly CumulativeUpdate[],
	kbUpdates: ReadonlyMap<string, CumulativeUpdate>
): CumulativeUpdate | undefined {
	const last = updates[updates.length - 1];
	if (last !== undefined) return last;
	let newest: CumulativeUpdate | undefined;
	for (const update of kbUpdates.values()) {
		if (newest === undefined || isNewer(update, newest)) newest = update;
	}
	return newest;
}

/**
 * Calendar months from `earlier` to `later` (ISO dates, compared in UTC): 2022-12-13 → 2023-03-14
 * is 3. Never negative; 0 when either date does not parse.
 */
export function calendarMonthsBetween(earlier: string, later: string): number {
	const from = new Date(earlier);
	const to = new Date(later);
	if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return 0;
	const months =
		(to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
	return Math.max(0, months);
}
