/**
 * Condenses one MSRC CVRF document (XML or JSON, msrc-cvrf.md §2) into the `MsrcMonth` that the
 * index keeps (types.ts, §7): only the Windows Server products containers use and .NET Framework
 * on them (products.ts), only the CVEs that concern those products, and per CVE only what the
 * matcher and the report need (no HTML descriptions). Pure: runs in a worker and in Node.
 */

import { MullionError, checkLimit, isMullionError } from '../errors';
import type {
	CvrfDocument,
	CvrfRemediation,
	CvrfThreat,
	CvrfVulnerability,
	ProductGroup
} from './cvrf-document';
import { readCvrfJson } from './cvrf-json';
import { toIsoUtc, unique } from './cvrf-values';
import { readCvrfXml } from './cvrf-xml';
import {
	CONTAINER_SERVER_PRODUCT_IDS,
	fallbackName,
	keptProducts,
	productMentionPattern
} from './cvrf-products';
import type { MsrcFix, MsrcMonth, MsrcVulnerability, Severity } from './types';

/** Longest document text accepted, in UTF-16 code units (the largest real month is 11 MB). */
export const MAX_DOCUMENT_CHARS = 128 * 1024 * 1024;

export interface CondenseOptions {
	/** The document ID as `/updates` spells it; overrides the document's own ID. */
	id?: string;
	/** OS ProductIDs to keep instead of CONTAINER_SERVER_PRODUCT_IDS (for tests and tools). */
	osProductIds?: ReadonlySet<string>;
	/**
	 * Parse every XML vulnerability in full instead of skipping the parts that name no kept
	 * product (cvrf-xml.ts). Same result, several times slower; for verification.
	 */
	fullParse?: boolean;
}

/**
 * The condensed month of one CVRF document. Accepts the XML the API serves by default and the
 * JSON form (told apart by the first non-space character), with enumerations as integers or
 * strings and dates with or without `Z`. Drops CVEs that concern no kept product. Throws
 * MSRC_BAD_DOCUMENT for input that is not a CVRF document (or has no ID or release date), and
 * LIMIT_EXCEEDED when a named limit is passed; never throws anything else.
 */
export function condenseCvrf(text: string, options: CondenseOptions = {}): MsrcMonth {
	const osProductIds = options.osProductIds ?? CONTAINER_SERVER_PRODUCT_IDS;
	const document = readDocument(text, osProductIds, options.fullParse === true);
	return condenseDocument(document, osProductIds, options.id);
}

function readDocument(
	text: string,
	osProductIds: ReadonlySet<string>,
	fullParse: boolean
): CvrfDocument {
	if (typeof text !== 'string') throw badDocument('input is not text');
	checkLimit(text.length, MAX_DOCUMENT_CHARS, 'MAX_DOCUMENT_CHARS');
	const body = text.replace(/^\uFEFF/, '').trimStart();
	try {
		if (body.startsWith('{')) return readCvrfJson(body);
		if (body.startsWith('<')) {
			return readCvrfXml(body, fullParse ? undefined : productMentionPattern(osProductIds));
		}
	} catch (error) {
		if (isMullionError(error)) throw error;
		throw badDocument(`CVRF XML does not parse: ${messageOf(error)}`);
	}
	throw badDocument('neither XML nor JSON');
}

function badDocument(reason: string): MullionError {
	return new MullionError('MSRC_BAD_DOCUMENT', `Not a CVRF document: ${reason}`);
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function condenseDocument(
	document: CvrfDocument,
	osProductIds: ReadonlySet<string>,
	idOverride: string | undefined
): MsrcMonth {
	const id = idOverride ?? document.id;
	if (id === '') throw badDocument('no DocumentTracking/Identification/ID');
	const initial = toIsoUtc(document.initialReleaseDate) ?? toIsoUtc(document.currentReleaseDate);
	const current = toIsoUtc(document.currentReleaseDate) ?? initial;
	if (initial === undefined || current === undefined)
		throw badDocument(`${id} has no release date`);
	const products = keptProducts(document.products, osProductIds);
	const isKept = (productId: string) => products.has(productId) || osProductIds.has(productId);
	const vulnerabilities = condenseVulnerabilities(document.vulnerabilities, isKept);
	addMissingProducts(products, vulnerabilities);
	return {
		id,
		title: document.title || id,
		initialReleaseDate: initial,
		currentReleaseDate: current,
		products: Object.fromEntries(products),
		vulnerabilities
	};
}

function condenseVulnerabilities(
	vulnerabilities: readonly CvrfVulnerability[],
	isKept: (productId: string) => boolean
): MsrcVulnerability[] {
	const condensed: MsrcVulnerability[] = [];
	for (const vulnerability of vulnerabilities) {
		const entry = condenseVulnerability(vulnerability, isKept);
		if (entry !== undefined) condensed.push(entry);
	}
	return condensed;
}

/** A kept OS product named by a CVE but missing from the product tree gets its table name. */
function addMissingProducts(
	products: Map<string, string>,
	vulnerabilities: readonly MsrcVulnerability[]
): void {
	for (const vulnerability of vulnerabilities) {
		const named = [
			...vulnerability.affected,
			...vulnerability.fixes.flatMap((fix) => fix.products)
		];
		for (const productId of named) {
			if (!products.has(productId)) products.set(productId, fallbackName(productId));
		}
	}
}

/**
 * One CVE reduced to the kept products (§2.2), or undefined when it concerns none of them
 * (neither Known Affected nor fixed for a kept product) or has no CVE ID.
 */
export function condenseVulnerability(
	vulnerability: CvrfVulnerability,
	isKept: (productId: string) => boolean
): MsrcVulnerability | undefined {
	if (vulnerability.cve === '') return undefined;
	const affected = unique(
		vulnerability.statuses
			.filter((status) => status.kind === 'Known Affected')
			.flatMap((status) => status.productIds.filter(isKept))
	);
	const fixes = condenseFixes(vulnerability.remediations, isKept);
	if (affected.length === 0 && fixes.length === 0) return undefined;
	const concernsKept = (group: ProductGroup) =>
		group.productIds.length === 0 || group.productIds.some(isKept);
	const threats = vulnerability.threats.filter(concernsKept);
	const exploitStatus = parseExploitStatus(threatText(threats, 'Exploit Status'));
	const condensed: MsrcVulnerability = {
		cve: vulnerability.cve,
		title: vulnerability.title,
		...optional('severity', highestSeverity(threats)),
		...optional('impact', threatText(threats, 'Impact') || undefined),
		exploited: exploitStatus.exploited,
		publiclyDisclosed: exploitStatus.publiclyDisclosed,
		...optional('cvss', highestScore(vulnerability, concernsKept)),
		affected,
		fixes
	};
	return condensed;
}

/** `{ [key]: value }` when value is defined, else `{}`: keeps absent fields out of the JSON. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
	return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The description of the first threat of a kind, or ''. */
function threatText(threats: readonly CvrfThreat[], kind: CvrfThreat['kind']): string {
	return threats.find((threat) => threat.kind === kind)?.description ?? '';
}

const SEVERITY_RANK: Readonly<Record<string, number>> = {
	low: 1,
	moderate: 2,
	important: 3,
	critical: 4
};
const SEVERITY_BY_RANK: readonly Severity[] = ['Low', 'Moderate', 'Important', 'Critical'];

/** Highest Severity threat among the given ones; values such as "None" are ignored. */
function highestSeverity(threats: readonly CvrfThreat[]): Severity | undefined {
	let highest = 0;
	for (const threat of threats) {
		if (threat.kind !== 'Severity') continue;
		highest = Math.max(highest, SEVERITY_RANK[threat.description.toLowerCase()] ?? 0);
	}
	return highest === 0 ? undefined : SEVERITY_BY_RANK[highest - 1];
}

/** Highest CVSS base score (0–10) over the score sets that concern kept products. */
function highestScore(
	vulnerability: CvrfVulnerability,
	concernsKept: (group: ProductGroup) => boolean
): MsrcVulnerability['cvss'] {
	let best: MsrcVulnerability['cvss'];
	for (const scoreSet of vulnerability.scoreSets) {
		const score = scoreSet.baseScore;
		if (!(score >= 0 && score <= 10) || !concernsKept(scoreSet)) continue;
		if (best !== undefined && best.score >= score) continue;
		best = { score, ...optional('vector', scoreSet.vector || undefined) };
	}
	return best;
}

/**
 * The flags of an Exploit Status threat (§2.2), e.g.
 * `Publicly Disclosed:Yes;Exploited:Yes;Latest Software Release:Exploitation Detected;DOS:N/A`.
 * Missing keys read as "No".
 */
export function parseExploitStatus(text: string): {
	exploited: boolean;
	publiclyDisclosed: boolean;
} {
	const flags = { exploited: false, publiclyDisclosed: false };
	for (const part of text.split(';')) {
		const [key = '', value = ''] = part.split(':');
		const isYes = value.trim().toLowerCase() === 'yes';
		const name = key.toLowerCase().replace(/\s/g, '');
		if (name === 'exploited') flags.exploited = isYes;
		if (name === 'publiclydisclosed') flags.publiclyDisclosed = isYes;
	}
	return flags;
}

function condenseFixes(
	remediations: readonly CvrfRemediation[],
	isKept: (productId: string) => boolean
): MsrcFix[] {
	const fixes: MsrcFix[] = [];
	for (const remediation of remediations) {
		if (remediation.kind !== 'Vendor Fix') continue;
		const products = unique(remediation.productIds.filter(isKept));
		if (products.length > 0) fixes.push(condenseFix(remediation, products));
	}
	return fixes;
}

// Layout (§2.3): Description "5021249", Supercedence "5020692, 5018860", SubType, FixedBuild, URL.
function condenseFix(remediation: CvrfRemediation, products: string[]): MsrcFix {
	return {
		kb: kbOf(remediation),
		...optional('fixedBuild', remediation.fixedBuild || undefined),
		...optional('subType', remediation.subType || undefined),
		supersedes: splitSupersedence(remediation.supercedence),
		...optional('url', remediation.url || undefined),
		products
	};
}

const KB_TEXT = /^(?:KB)?\s*(\d+)$/i;
const KB_IN_URL = /(?:KB|\/help\/)(\d{6,8})\b/i;

/** The KB digits of a Vendor Fix; free text as-is; from the URL when the description is empty. */
function kbOf(remediation: CvrfRemediation): string {
	const description = remediation.description;
	if (description === '') return KB_IN_URL.exec(remediation.url)?.[1] ?? '';
	return KB_TEXT.exec(description)?.[1] ?? description;
}

/**
 * The KB numbers in a `Supercedence` text, split on commas, semicolons and white space; bulletin
 * IDs (`MS16-087`) and other text are dropped, a `KB` prefix is removed.
 */
export function splitSupersedence(text: string): string[] {
	const numbers: string[] = [];
	for (const part of text.split(/[\s,;]+/)) {
		const digits = KB_TEXT.exec(part)?.[1];
		if (digits !== undefined) numbers.push(digits);
	}
	return unique(numbers);
}
