/**
 * Matches one Windows image against the condensed MSRC index: which CVEs are still open for the
 * image's MSRC product and for the .NET Framework products on it (msrc-cvrf.md §5, §6).
 *
 * OS products are judged by build: a CVE is open while the image's UBR is below the FixedBuild of
 * its non-hotpatch Vendor Fix for `10.0.<build>.` ("build" confidence). Documents before 2021-May
 * carry no FixedBuild, so those CVEs fall back to installed KBs, supersedence and the cumulative
 * update rule ("kb" confidence). .NET Framework products are judged only by installed .NET KBs,
 * because their FixedBuild is a .NET file version, not an OS build. Pure and synchronous; lookups
 * are computed once per index object.
 */

import type { CbsStateName, ServicingPackage, WindowsFacts } from '../windows/types';
import type { MsrcFix, MsrcIndex, MsrcVulnerability, Severity } from './types';
import {
	dotNetVersionsInName,
	isComponentOf,
	isDotNetFrameworkName,
	normaliseDotNetVersion,
	productForImage,
	type MsrcProductChoice
} from './products';
import {
	calendarMonthsBetween,
	cumulativeUpdates,
	findLatestUpdate,
	findPatchLevel,
	isHotpatchFix,
	kbReleaseDate,
	monthsOldestFirst,
	productUpdateKbs,
	ubrOfFixedBuild,
	type CumulativeUpdate
} from './patch-level';
import { staleIndexNote } from './notes';

/** The parts of `WindowsFacts` the matcher reads. */
export type MatchFacts = Pick<
	WindowsFacts,
	'build' | 'ubr' | 'packages' | 'dotnet' | 'msrcProduct'
>;

export interface MatchOptions {
	/** Reference time for the "index may be out of date" note; defaults to the current time. */
	now?: Date;
}

/**
 * How a finding was decided. `build`: image UBR compared with MSRC's FixedBuild. `kb`: installed
 * KBs, supersedence or the cumulative-update inference (lower confidence). `no-fix`: MSRC lists
 * no vendor fix for the product.
 */
export type FindingConfidence = 'build' | 'kb' | 'no-fix';

/** The remediation a finding points at. */
export interface FindingFix {
	/** KB number without "KB". */
	kb: string;
	/** `10.0.<build>.<UBR>` for OS fixes with build data. */
	fixedBuild?: string;
	url?: string;
	subType?: string;
}

/** One open CVE for one product (the OS product or a .NET Framework product on it). */
export interface Finding {
	cve: string;
	title: string;
	severity?: Severity;
	/** Highest CVSS base score MSRC gives the CVE over the kept products. */
	cvss?: number;
	cvssVector?: string;
	exploited: boolean;
	publiclyDisclosed: boolean;
	impact?: string;
	/** CVRF document ID the judged data came from (the newest one listing the product). */
	month: string;
	fix?: FindingFix;
	confidence: FindingConfidence;
	/** ProductID the CVE was judged for, e.g. `11924` or `12079-11924`. */
	product: string;
	productName: string;
	/** One sentence on why the CVE is open. */
	reason: string;
}

/** Open CVEs by severity; each CVE counted once even when open for several products. */
export interface SeverityCounts {
	Critical: number;
	Important: number;
	Moderate: number;
	Low: number;
	unrated: number;
	/** Open CVEs MSRC marks as exploited. */
	exploited: number;
}

/** The one OS cumulative update that closes every open OS finding that a build can close. */
export interface CloseAllUpdate {
	kb: string;
	build: string;
	month: string;
}

/** A product the image was judged as. */
export interface JudgedProduct {
	id: string;
	name: string;
	kind: 'os' | 'dotnet';
}

/**
 * The result of matching one image against the index. Plain JSON data (no undefined-valued keys,
 * no class instances), so it survives `JSON.parse(JSON.stringify(result))` unchanged.
 */
export interface MatchResult {
	/** The OS product judged; absent when the build has no MSRC Server product. */
	product?: MsrcProductChoice;
	/** `10.0.<build>.<UBR>` of the image. */
	imageBuild: string;
	judgedProducts: JudgedProduct[];
	/** Open findings: exploited first, then severity (Critical first), then CVSS descending. */
	findings: Finding[];
	/** Distinct CVEs with at least one open finding. */
	openCount: number;
	/** Distinct CVEs judged and found fixed for every product they were judged for. */
	fixedCount: number;
	counts: SeverityCounts;
	/** Newest OS cumulative update the image has. */
	patchLevel?: CumulativeUpdate;
	/** Newest OS cumulative update MSRC lists for the product. */
	latest?: CumulativeUpdate;
	/** Calendar months from `patchLevel` to `latest` release dates (0 when current). */
	monthsBehind?: number;
	closeAll?: CloseAllUpdate;
	/**
	 * Set when the index ends more than 45 days before `now`: the release date of its newest month.
	 * Months behind and open CVEs are then lower bounds.
	 */
	staleSince?: string;
	/** Caveats a reader needs (approximate product, unknown .NET version, old data, …). */
	notes: string[];
}

/**
 * Supersedence walks stop after this many hops. Monthly cumulative updates chain one hop per
 * month, so ten years of history is ~130 hops; the limit only guards against cyclic or absurd data.
 */
export const MAX_SUPERSEDENCE_DEPTH_HOPS = 400;
/** Supersedence walks stop after visiting this many KBs in total. */
export const MAX_SUPERSEDED_KBS_VISITED = 200_000;

/** CBS states that mean the package's content is (or was, then superseded) in the image. */
const INSTALLED_STATES: ReadonlySet<CbsStateName> = new Set([
	'Installed',
	'Permanent',
	'Superseded'
]);

/** Notes that the index is out of date when its newest month is older than this, in days. */
const STALE_INDEX_AFTER_DAYS = 45;
const MILLISECONDS_PER_DAY = 86_400_000;

const SEVERITY_RANK: Record<Severity, number> = { Critical: 0, Important: 1, Moderate: 2, Low: 3 };

// ---------------------------------------------------------------------------------------------
// Per-index lookups (memoised on the index object)

/** Where a CVE's judged data comes from: the newest month listing the product as affected. */
interface Occurrence {
	vulnerability: MsrcVulnerability;
	month: string;
	monthTime: number;
}

interface BuildCandidate {
	fix: MsrcFix;
	ubr: number;
}

/** One CVE for one product and OS build, with everything judging needs precomputed. */
interface PreparedRow {
	occurrence: Occurrence;
	/** Non-hotpatch vendor fixes of the product. */
	fixes: MsrcFix[];
	/** Fixes whose FixedBuild is `10.0.<build>.<UBR>` (msrc-cvrf.md §5.2 step 2). */
	candidates: BuildCandidate[];
	/** The candidate with the highest UBR; a `Security Update` wins a tie. */
	best?: BuildCandidate;
	/** Latest of the CVE's month and its fix KBs' months: a later cumulative update contains it. */
	fixTime: number;
}

interface IndexLookups {
	/** ProductID → FullProductName (newest spelling). */
	productNames: Map<string, string>;
	/** KB → KBs it directly supersedes. */
	supersedes: Map<string, Set<string>>;
	/** `<productId>|<build>` → prepared rows (lazy). */
	rowsByProductBuild: Map<string, PreparedRow[]>;
	/** OS ProductID → every fix KB of its .NET Framework products (lazy). */
	dotNetKbsByOsProduct: Map<string, Set<string>>;
	/** Newest month's release date. */
	newestMonthDate?: string;
}

const lookupsByIndex = new WeakMap<MsrcIndex, IndexLookups>();

function indexLookups(index: MsrcIndex): IndexLookups {
	let lookups = lookupsByIndex.get(index);
	if (lookups === undefined) {
		lookups = buildIndexLookups(index);
		lookupsByIndex.set(index, lookups);
	}
	return lookups;
}

function buildIndexLookups(index: MsrcIndex): IndexLookups {
	const productNames = new Map<string, string>();
	const supersedes = new Map<string, Set<string>>();
	const months = monthsOldestFirst(index);
	for (const month of months) {
		for (const [id, name] of Object.entries(month.products)) productNames.set(id, name);
		for (const vulnerability of month.vulnerabilities) addSupersedence(supersedes, vulnerability);
	}
	const lookups: IndexLookups = {
		productNames,
		supersedes,
		rowsByProductBuild: new Map(),
		dotNetKbsByOsProduct: new Map()
	};
	const newest = months[months.length - 1];
	if (newest !== undefined) lookups.newestMonthDate = newest.initialReleaseDate;
	return lookups;
}

function addSupersedence(supersedes: Map<string, Set<string>>, vulnerability: MsrcVulnerability) {
	for (const fix of vulnerability.fixes) {
		if (fix.supersedes.length === 0) continue;
		let older = supersedes.get(fix.kb);
		if (older === undefined) {
			older = new Set();
			supersedes.set(fix.kb, older);
		}
		for (const kb of fix.supersedes) if (kb !== fix.kb) older.add(kb);
	}
}

/** CVE → newest occurrence whose `affected` lists `productId` (dedupe across months). */
function newestOccurrences(index: MsrcIndex, productId: string): Map<string, Occurrence> {
	const occurrences = new Map<string, Occurrence>();
	for (const month of monthsOldestFirst(index)) {
		const monthTime = Date.parse(month.initialReleaseDate);
		for (const vulnerability of month.vulnerabilities) {
			if (!vulnerability.affected.includes(productId)) continue;
			occurrences.set(vulnerability.cve, { vulnerability, month: month.id, monthTime });
		}
	}
	return occurrences;
}

/** The prepared rows of one product for one OS build (memoised per index). */
function preparedRows(index: MsrcIndex, productId: string, build: number): PreparedRow[] {
	const lookups = indexLookups(index);
	const key = `${productId}|${build}`;
	let rows = lookups.rowsByProductBuild.get(key);
	if (rows === undefined) {
		rows = [];
		for (const occurrence of newestOccurrences(index, productId).values()) {
			rows.push(prepareRow(index, occurrence, productId, build));
		}
		lookups.rowsByProductBuild.set(key, rows);
	}
	return rows;
}

function prepareRow(
	index: MsrcIndex,
	occurrence: Occurrence,
	productId: string,
	build: number
): PreparedRow {
	const fixes = occurrence.vulnerability.fixes.filter(
		(fix) => fix.products.includes(productId) && !isHotpatchFix(fix)
	);
	const candidates: BuildCandidate[] = [];
	let fixTime = occurrence.monthTime;
	for (const fix of fixes) {
		const ubr = ubrOfFixedBuild(fix.fixedBuild, build);
		if (ubr !== undefined) candidates.push({ fix, ubr });
		const released = Date.parse(kbReleaseDate(index, fix.kb) ?? '');
		if (released > fixTime) fixTime = released;
	}
	const row: PreparedRow = { occurrence, fixes, candidates, fixTime };
	const best = highestCandidate(candidates);
	if (best !== undefined) row.best = best;
	return row;
}

/** The candidate with the highest UBR; on a tie, a `Security Update` wins. */
function highestCandidate(candidates: readonly BuildCandidate[]): BuildCandidate | undefined {
	let best: BuildCandidate | undefined;
	for (const candidate of candidates) {
		const tieWin = candidate.ubr === best?.ubr && candidate.fix.subType === 'Security Update';
		if (best === undefined || candidate.ubr > best.ubr || tieWin) best = candidate;
	}
	return best;
}

/** Every .NET Framework composite product MSRC lists on this OS product. */
function dotNetProductsOn(index: MsrcIndex, osProductId: string): JudgedProduct[] {
	const products: JudgedProduct[] = [];
	for (const [id, name] of indexLookups(index).productNames) {
		if (isComponentOf(id, osProductId) && isDotNetFrameworkName(name)) {
			products.push({ id, name, kind: 'dotnet' });
		}
	}
	return products.sort((left, right) => compareText(left.id, right.id));
}

/** Every fix KB of any .NET Framework product on this OS product. */
function dotNetKbsOn(index: MsrcIndex, osProductId: string): Set<string> {
	const lookups = indexLookups(index);
	let kbs = lookups.dotNetKbsByOsProduct.get(osProductId);
	if (kbs === undefined) {
		kbs = new Set();
		for (const product of dotNetProductsOn(index, osProductId)) {
			for (const kb of productUpdateKbs(index, product.id).keys()) kbs.add(kb);
		}
		lookups.dotNetKbsByOsProduct.set(osProductId, kbs);
	}
	return kbs;
}

/** Plain code-unit order (stable and fast; IDs are ASCII). */
function compareText(left: string, right: string): number {
	if (left === right) return 0;
	return left < right ? -1 : 1;
}

// ---------------------------------------------------------------------------------------------
// Installed KBs and supersedence

/** `KB5021249` / `kb5021249` / `5021249` → `5021249`; undefined for anything else. */
function kbNumber(text: string): string | undefined {
	const match = /^(?:KB)?(\d{4,8})$/i.exec(text.trim());
	return match?.[1];
}

/**
 * KBs whose content is in the image: packages carrying a KB number in state Installed, Permanent
 * or Superseded (a superseded package was installed, then replaced: layers-and-hives.md §4.1).
 */
export function installedKbNumbers(packages: readonly ServicingPackage[]): Set<string> {
	const kbs = new Set<string>();
	for (const servicingPackage of packages) {
		if (servicingPackage.kb === undefined) continue;
		if (!INSTALLED_STATES.has(servicingPackage.stateName)) continue;
		const kb = kbNumber(servicingPackage.kb);
		if (kb !== undefined) kbs.add(kb);
	}
	return kbs;
}

/**
 * KB → the installed KB that covers it: each installed KB covers itself and, transitively, every
 * KB it supersedes (MSRC `Supercedence`), walked breadth-first up to MAX_SUPERSEDENCE_DEPTH_HOPS.
 */
function kbsCoveredBy(
	installed: ReadonlySet<string>,
	supersedes: ReadonlyMap<string, ReadonlySet<string>>
): Map<string, string> {
	const covered = new Map<string, string>();
	let frontier: Array<[string, string]> = [];
	for (const kb of installed) {
		covered.set(kb, kb);
		frontier.push([kb, kb]);
	}
	for (let depth = 0; depth < MAX_SUPERSEDENCE_DEPTH_HOPS && frontier.length > 0; depth++) {
		frontier = supersedenceStep(frontier, supersedes, covered);
		if (covered.size > MAX_SUPERSEDED_KBS_VISITED) break;
	}
	return covered;
}

function supersedenceStep(
	frontier: ReadonlyArray<[string, string]>,
	supersedes: ReadonlyMap<string, ReadonlySet<string>>,
	covered: Map<string, string>
): Array<[string, string]> {
	const next: Array<[string, string]> = [];
	for (const [kb, installedKb] of frontier) {
		for (const older of supersedes.get(kb) ?? []) {
			if (covered.has(older)) continue;
			covered.set(older, installedKb);
			next.push([older, installedKb]);
		}
	}
	return next;
}

// ---------------------------------------------------------------------------------------------
// Judging one CVE

interface JudgeContext {
	ubr: number;
	imageBuild: string;
	/** KB → installed KB covering it (itself or a transitive superseder). */
	covered: ReadonlyMap<string, string>;
	/** KBs that are the image's own cumulative update (installed, or MSRC build = image build). */
	ownKbs: ReadonlySet<string>;
	patchLevel?: CumulativeUpdate;
	/** Release time of `patchLevel` (NaN when none). */
	patchLevelTime: number;
	/** True when any installed KB is a known .NET Framework fix KB for this OS product. */
	dotNetEvidence: boolean;
}

interface Judgement {
	open: boolean;
	confidence: FindingConfidence;
	reason: string;
	fix?: MsrcFix;
	/** For open OS findings: the UBR a cumulative update must reach to close it. */
	requiredUbr?: number;
	/** For open KB-judged OS findings: a closing update must be released after this time. */
	requiredAfterTime?: number;
}

type Judge = (row: PreparedRow, product: JudgedProduct, context: JudgeContext) => Judgement;

function noFixJudgement(productName: string): Judgement {
	return {
		open: true,
		confidence: 'no-fix',
		reason: `No fix available: MSRC lists no vendor fix for ${productName}.`
	};
}

/** msrc-cvrf.md §5.2 recommended rule, steps 2–5, for the image's OS product. */
const judgeOs: Judge = (row, product, context) => {
	if (row.fixes.length === 0) return noFixJudgement(product.name);
	if (row.best !== undefined) return judgeByBuild(row, row.best, context);
	return judgeOsByKb(row, context);
};

function judgeByBuild(row: PreparedRow, best: BuildCandidate, context: JudgeContext): Judgement {
	const fixedBuild = best.fix.fixedBuild ?? '';
	if (context.ubr >= best.ubr) {
		const reason = `Image build ${context.imageBuild} includes fixed build ${fixedBuild}.`;
		return { open: false, confidence: 'build', reason, fix: best.fix };
	}
	// MSRC build typos (KB5014678 listed as .770 for the real .768): the image's own update wins.
	const own = row.candidates.find((candidate) => context.ownKbs.has(candidate.fix.kb));
	if (own !== undefined) {
		const reason = `The image's own update KB${own.fix.kb} is the fix (MSRC lists it as build ${own.fix.fixedBuild}).`;
		return { open: false, confidence: 'build', reason, fix: own.fix };
	}
	const reason = `Image build ${context.imageBuild} is older than fixed build ${fixedBuild} (KB${best.fix.kb}).`;
	return { open: true, confidence: 'build', reason, fix: best.fix, requiredUbr: best.ubr };
}

/**
 * KB fallback for OS fixes without a FixedBuild (documents before 2021-May). Fixed when the fix
 * KB, or an installed KB that transitively supersedes it, is in the image; or when the image's
 * patch level is a cumulative update released in a later month than both the CVE's document and
 * its fix KBs: Windows 10-based cumulative updates contain every earlier month's fixes, so
 * reaching a later one implies the fix (an inference, hence confidence `kb`).
 */
function judgeOsByKb(row: PreparedRow, context: JudgeContext): Judgement {
	const byInstalled = judgeByInstalledKb(row.fixes, context);
	if (byInstalled !== undefined) return byInstalled;
	const fix = row.fixes[0] as MsrcFix;
	const level = context.patchLevel;
	if (level !== undefined && context.patchLevelTime > row.fixTime) {
		const reason = `Cumulative update KB${level.kb} (${level.month}) is newer than fix KB${fix.kb} and contains it.`;
		return { open: false, confidence: 'kb', reason, fix };
	}
	const reason = `No FixedBuild in MSRC data; fix KB${fix.kb} is not installed, no installed update supersedes it, and the image's patch level is not newer.`;
	return { open: true, confidence: 'kb', reason, fix, requiredAfterTime: row.fixTime };
}

/** Fixed when a fix KB, or an installed KB superseding it, is in the image; else undefined. */
function judgeByInstalledKb(
	fixes: readonly MsrcFix[],
	context: JudgeContext
): Judgement | undefined {
	for (const fix of fixes) {
		const coveredBy = context.covered.get(fix.kb);
		if (coveredBy === undefined) continue;
		const reason =
			coveredBy === fix.kb
				? `Fix KB${fix.kb} is installed.`
				: `Installed KB${coveredBy} supersedes fix KB${fix.kb}.`;
		return { open: false, confidence: 'kb', reason, fix };
	}
	return undefined;
}

/**
 * .NET Framework products: judged only by installed .NET update KBs, never by FixedBuild, which
 * is a .NET file version (msrc-cvrf.md §5).
 */
const judgeDotNet: Judge = (row, product, context) => {
	if (row.fixes.length === 0) return noFixJudgement(product.name);
	const byInstalled = judgeByInstalledKb(row.fixes, context);
	if (byInstalled !== undefined) return byInstalled;
	const fix = row.fixes[0] as MsrcFix;
	const reason = context.dotNetEvidence
		? `.NET fix KB${fix.kb} is not installed and no installed .NET update supersedes it.`
		: `Could not be determined from packages: no installed .NET Framework update KB is known to MSRC data (fix is KB${fix.kb}).`;
	return { open: true, confidence: 'kb', reason, fix };
};

// ---------------------------------------------------------------------------------------------
// Findings

function findingFix(fix: MsrcFix): FindingFix {
	const result: FindingFix = { kb: fix.kb };
	if (fix.fixedBuild !== undefined) result.fixedBuild = fix.fixedBuild;
	if (fix.url !== undefined) result.url = fix.url;
	if (fix.subType !== undefined) result.subType = fix.subType;
	return result;
}

function toFinding(occurrence: Occurrence, product: JudgedProduct, judgement: Judgement): Finding {
	const vulnerability = occurrence.vulnerability;
	const finding: Finding = {
		cve: vulnerability.cve,
		title: vulnerability.title,
		exploited: vulnerability.exploited,
		publiclyDisclosed: vulnerability.publiclyDisclosed,
		month: occurrence.month,
		confidence: judgement.confidence,
		product: product.id,
		productName: product.name,
		reason: judgement.reason
	};
	if (vulnerability.severity !== undefined) finding.severity = vulnerability.severity;
	if (vulnerability.cvss !== undefined) finding.cvss = vulnerability.cvss.score;
	if (vulnerability.cvss?.vector !== undefined) finding.cvssVector = vulnerability.cvss.vector;
	if (vulnerability.impact !== undefined) finding.impact = vulnerability.impact;
	if (judgement.fix !== undefined) finding.fix = findingFix(judgement.fix);
	return finding;
}

/** A finding with its sort keys computed once (sorting thousands of findings stays cheap). */
interface SortEntry {
	finding: Finding;
	rank: number;
	cvss: number;
}

/**
 * Exploited first, then severity (Critical first, unrated last), CVSS descending, then the newest
 * CVE ID first and the product ID, so the order is total and stable.
 */
function sortFindings(findings: readonly Finding[]): Finding[] {
	const entries: SortEntry[] = findings.map((finding) => ({
		finding,
		rank: (finding.exploited ? 0 : 10) + severityRank(finding.severity),
		cvss: finding.cvss ?? -1
	}));
	entries.sort(compareEntries);
	return entries.map((entry) => entry.finding);
}

function compareEntries(left: SortEntry, right: SortEntry): number {
	if (left.rank !== right.rank) return left.rank - right.rank;
	if (left.cvss !== right.cvss) return right.cvss - left.cvss;
	const byCve = compareText(right.finding.cve, left.finding.cve);
	return byCve || compareText(left.finding.product, right.finding.product);
}

function severityRank(severity: Severity | undefined): number {
	return severity === undefined ? 4 : SEVERITY_RANK[severity];
}

function countBySeverity(findings: readonly Finding[]): SeverityCounts {
	const counts: SeverityCounts = {
		Critical: 0,
		Important: 0,
		Moderate: 0,
		Low: 0,
		unrated: 0,
		exploited: 0
	};
	const seen = new Set<string>();
	for (const finding of findings) {
		if (seen.has(finding.cve)) continue;
		seen.add(finding.cve);
		counts[finding.severity ?? 'unrated'] += 1;
		if (finding.exploited) counts.exploited += 1;
	}
	return counts;
}

// ---------------------------------------------------------------------------------------------
// Products to judge

/** The OS product: `facts.msrcProduct`, else one derived from the build (approximate). */
function chooseProduct(facts: MatchFacts, notes: string[]): MsrcProductChoice | undefined {
	if (facts.msrcProduct !== undefined) return facts.msrcProduct;
	const derived = productForImage(facts.build);
	if (derived !== undefined)
		notes.push(`No MSRC product in the facts; derived ${derived.name} from build ${facts.build}.`);
	return derived;
}

/**
 * Whether a .NET Framework product applies to the image's .NET versions. A product naming any 4.x
 * version applies when the image's 4.x version is among them ("3.5 AND 4.8" applies to 4.8, not to
 * 4.8.1); a 3.x-only product applies when the image has that 3.x version.
 */
function dotNetProductApplies(productName: string, imageVersions: ReadonlySet<string>): boolean {
	const productVersions = dotNetVersionsInName(productName);
	if (productVersions.length === 0) return true;
	const imageHasFour = [...imageVersions].some((version) => version.startsWith('4.'));
	const productFours = productVersions.filter((version) => version.startsWith('4.'));
	if (imageHasFour && productFours.length > 0) {
		return productFours.some((version) => imageVersions.has(version));
	}
	return productVersions.some((version) => imageVersions.has(version) && !version.startsWith('4.'));
}

function chooseDotNetProducts(
	index: MsrcIndex,
	osProduct: MsrcProductChoice,
	facts: MatchFacts,
	notes: string[]
): JudgedProduct[] {
	const all = dotNetProductsOn(index, osProduct.id);
	if (all.length === 0) return [];
	const versions = new Set(
		facts.dotnet.map((framework) => normaliseDotNetVersion(framework.version))
	);
	if (versions.size === 0) {
		notes.push(
			`No .NET Framework version is known for the image; every .NET Framework product MSRC lists on ${osProduct.name} was judged.`
		);
		return all;
	}
	const chosen = all.filter((product) => dotNetProductApplies(product.name, versions));
	if (chosen.length === 0) {
		notes.push(
			`No MSRC .NET Framework product matches the image's .NET ${[...versions].join(', ')}; .NET CVEs were not judged.`
		);
	}
	return chosen;
}

// ---------------------------------------------------------------------------------------------
// closeAll

/**
 * The smallest OS cumulative update that closes every open OS finding an update can close: UBR
 * at least every `build` finding's fixed UBR, and at least the first update released after each
 * `kb` finding's fix. `unclosable` counts open OS findings no listed update closes (no vendor fix,
 * or a KB-judged fix newer than every listed update); they do not block `update`.
 */
function findCloseAll(
	judgements: readonly Judgement[],
	updates: readonly CumulativeUpdate[]
): { update?: CloseAllUpdate; unclosable: number } {
	let requiredUbr = -1;
	let unclosable = 0;
	for (const judgement of judgements) {
		const ubr = closingUbr(judgement, updates);
		if (ubr === undefined) unclosable += 1;
		else requiredUbr = Math.max(requiredUbr, ubr);
	}
	if (requiredUbr < 0) return { unclosable };
	const update = updates.find((each) => (each.ubr ?? -1) >= requiredUbr);
	if (update?.build === undefined) return { unclosable };
	return { update: { kb: update.kb, build: update.build, month: update.month }, unclosable };
}

/** The UBR that closes one open OS judgement, or undefined when no listed update does. */
function closingUbr(
	judgement: Judgement,
	updates: readonly CumulativeUpdate[]
): number | undefined {
	if (judgement.requiredUbr !== undefined) return judgement.requiredUbr;
	const after = judgement.requiredAfterTime;
	if (after === undefined) return undefined;
	return updates.find((each) => Date.parse(each.releaseDate) > after)?.ubr;
}

// ---------------------------------------------------------------------------------------------
// Entry point

function emptyResult(imageBuild: string, notes: string[]): MatchResult {
	return {
		imageBuild,
		judgedProducts: [],
		findings: [],
		openCount: 0,
		fixedCount: 0,
		counts: countBySeverity([]),
		notes
	};
}

/** The image's own cumulative update KBs: installed KBs plus the CU whose MSRC build is exact. */
function ownUpdateKbs(
	installed: ReadonlySet<string>,
	updates: readonly CumulativeUpdate[],
	ubr: number
): Set<string> {
	const own = new Set(installed);
	for (const update of updates) if (update.ubr === ubr) own.add(update.kb);
	return own;
}

function hasAny(kbs: ReadonlySet<string>, candidates: ReadonlySet<string>): boolean {
	for (const kb of kbs) if (candidates.has(kb)) return true;
	return false;
}

/** The newest month's release date when the index is older than STALE_INDEX_AFTER_DAYS. */
function staleSince(index: MsrcIndex, now: Date): string | undefined {
	const newest = indexLookups(index).newestMonthDate;
	if (newest === undefined) return undefined;
	const ageDays = (now.getTime() - Date.parse(newest)) / MILLISECONDS_PER_DAY;
	return ageDays > STALE_INDEX_AFTER_DAYS ? newest : undefined;
}

interface ProductRun {
	product: JudgedProduct;
	judge: Judge;
}

interface ImageState {
	updates: readonly CumulativeUpdate[];
	kbUpdates: ReadonlyMap<string, CumulativeUpdate>;
	patchLevel?: CumulativeUpdate;
	context: JudgeContext;
}

/** Patch level, own-update KBs and supersedence cover of one image (msrc-cvrf.md §6). */
function imageState(facts: MatchFacts, index: MsrcIndex, osProduct: MsrcProductChoice): ImageState {
	const updates = cumulativeUpdates(index, osProduct.id, facts.build);
	const kbUpdates = productUpdateKbs(index, osProduct.id);
	const installed = installedKbNumbers(facts.packages);
	const patchLevel = findPatchLevel(updates, kbUpdates, facts.ubr, installed);
	const context: JudgeContext = {
		ubr: facts.ubr,
		imageBuild: `10.0.${facts.build}.${facts.ubr}`,
		covered: kbsCoveredBy(installed, indexLookups(index).supersedes),
		ownKbs: ownUpdateKbs(installed, updates, facts.ubr),
		patchLevelTime: Date.parse(patchLevel?.releaseDate ?? ''),
		dotNetEvidence: hasAny(installed, dotNetKbsOn(index, osProduct.id))
	};
	if (patchLevel === undefined) return { updates, kbUpdates, context };
	context.patchLevel = patchLevel;
	return { updates, kbUpdates, patchLevel: { ...patchLevel }, context };
}

/**
 * Matches one image against the whole MSRC index (msrc-cvrf.md §5.2 recommended rule, §6 patch
 * level). Judges the image's OS product (`facts.msrcProduct`, or one derived from the build) and
 * the .NET Framework products on it that fit `facts.dotnet`. Each CVE is judged once per product,
 * from the newest month that lists the product as affected. Returns open findings, counts, patch
 * level, latest update, months behind, the update that closes everything, and notes. Never throws
 * on well-typed input; a build without an MSRC product gives an empty result with a note.
 */
export function matchImage(
	facts: MatchFacts,
	index: MsrcIndex,
	options: MatchOptions = {}
): MatchResult {
	const imageBuild = `10.0.${facts.build}.${facts.ubr}`;
	const notes: string[] = [];
	const stale = staleSince(index, options.now ?? new Date());
	if (indexLookups(index).newestMonthDate === undefined) {
		notes.push('The MSRC index has no months; nothing was judged.');
	} else if (stale !== undefined) {
		notes.push(staleIndexNote(stale));
	}
	const osProduct = chooseProduct(facts, notes);
	if (osProduct === undefined) {
		notes.push(`Build ${facts.build} has no MSRC Windows Server product; no CVEs were judged.`);
		return emptyResult(imageBuild, notes);
	}
	if (osProduct.approximate && osProduct.reason !== undefined) notes.push(osProduct.reason);
	const state = imageState(facts, index, osProduct);
	const osJudged: JudgedProduct = { id: osProduct.id, name: osProduct.name, kind: 'os' };
	const runs: ProductRun[] = [{ product: osJudged, judge: judgeOs }];
	for (const product of chooseDotNetProducts(index, osProduct, facts, notes)) {
		runs.push({ product, judge: judgeDotNet });
	}
	const outcome = judgeAll(index, runs, facts.build, state.context);
	const result: MatchResult = {
		product: { ...osProduct },
		imageBuild,
		judgedProducts: runs.map((run) => run.product),
		findings: sortFindings(outcome.findings),
		openCount: outcome.openCves.size,
		fixedCount: outcome.judgedCves.size - outcome.openCves.size,
		counts: countBySeverity(outcome.findings),
		notes
	};
	if (stale !== undefined) result.staleSince = stale;
	addPatchLevel(result, state, outcome.osOpen, facts.ubr);
	addOutcomeNotes(result, state.updates.length > 0);
	return result;
}

interface JudgeOutcome {
	findings: Finding[];
	judgedCves: Set<string>;
	openCves: Set<string>;
	/** Open OS judgements, for closeAll. */
	osOpen: Judgement[];
}

function judgeAll(
	index: MsrcIndex,
	runs: readonly ProductRun[],
	build: number,
	context: JudgeContext
): JudgeOutcome {
	const outcome: JudgeOutcome = {
		findings: [],
		judgedCves: new Set(),
		openCves: new Set(),
		osOpen: []
	};
	for (const run of runs) {
		for (const row of preparedRows(index, run.product.id, build)) {
			const judgement = run.judge(row, run.product, context);
			const cve = row.occurrence.vulnerability.cve;
			outcome.judgedCves.add(cve);
			if (!judgement.open) continue;
			outcome.openCves.add(cve);
			outcome.findings.push(toFinding(row.occurrence, run.product, judgement));
			if (run.product.kind === 'os') outcome.osOpen.push(judgement);
		}
	}
	return outcome;
}

function addPatchLevel(
	result: MatchResult,
	state: ImageState,
	osOpen: readonly Judgement[],
	imageUbr: number
): void {
	const latest = findLatestUpdate(state.updates, state.kbUpdates);
	const level = state.patchLevel;
	if (level !== undefined) result.patchLevel = level;
	if (latest !== undefined) result.latest = { ...latest };
	if (level !== undefined && latest !== undefined) {
		result.monthsBehind = calendarMonthsBetween(level.releaseDate, latest.releaseDate);
	}
	const closeAll = findCloseAll(osOpen, state.updates);
	if (closeAll.update !== undefined) result.closeAll = closeAll.update;
	if (closeAll.unclosable > 0) {
		result.notes.push(
			`Open OS findings not closed by any update MSRC lists (no vendor fix, or no build data for the fix): ${closeAll.unclosable}.`
		);
	}
	if (level?.ubr !== undefined && level.ubr < imageUbr) {
		result.notes.push(
			`Build ${result.imageBuild} is not listed in MSRC data (a preview or out-of-band update, or newer than the index); patch level is the newest listed update before it, KB${level.kb}.`
		);
	}
}

function addOutcomeNotes(result: MatchResult, hasBuilds: boolean): void {
	const osProductId = result.product?.id;
	const kbJudged = result.findings.some(
		(finding) => finding.confidence === 'kb' && finding.product === osProductId
	);
	if (!hasBuilds) {
		result.notes.push(
			'MSRC data has no FixedBuild for this product; every CVE was judged by KB (lower confidence).'
		);
	} else if (kbJudged) {
		result.notes.push(
			'MSRC FixedBuild data starts in 2021-May; older CVEs were judged by installed KBs, supersedence and cumulative updates (lower confidence).'
		);
	}
}
