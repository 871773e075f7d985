/**
 * The condensed MSRC index: what Mullion keeps of each CVRF document (msrc-cvrf.md §2, §7).
 * One `MsrcMonth` per CVRF document, self-contained, so that a refreshed month simply replaces
 * the stored one. Plain JSON data.
 */

export const MSRC_INDEX_FORMAT = 1;

export type Severity = 'Critical' | 'Important' | 'Moderate' | 'Low';

export interface MsrcIndex {
	format: typeof MSRC_INDEX_FORMAT;
	/** ISO time the index was built. */
	generatedAt: string;
	/** Sorted by initialReleaseDate, oldest first. */
	months: MsrcMonth[];
}

export interface MsrcMonth {
	/** Document ID exactly as in `/updates`, e.g. `2022-Dec`, `2018-FEB`, `2017-May-B`. */
	id: string;
	title: string;
	/** ISO 8601 UTC. */
	initialReleaseDate: string;
	/** ISO 8601 UTC; a change means the document was revised. */
	currentReleaseDate: string;
	/** Kept ProductID → FullProductName (only products this index keeps). */
	products: Record<string, string>;
	vulnerabilities: MsrcVulnerability[];
}

export interface MsrcVulnerability {
	/** `CVE-2022-44698`, or an advisory ID such as `ADV220005`. */
	cve: string;
	title: string;
	/** Highest severity over the kept products. */
	severity?: Severity;
	/** Impact, e.g. `Remote Code Execution` (first one over the kept products). */
	impact?: string;
	exploited: boolean;
	publiclyDisclosed: boolean;
	/** Highest CVSS base score over the kept products, with its vector. */
	cvss?: { score: number; vector?: string };
	/** Kept ProductIDs with status Known Affected. */
	affected: string[];
	/** Vendor Fix remediations touching kept products. */
	fixes: MsrcFix[];
}

export interface MsrcFix {
	/** KB number without "KB", e.g. `5021249`; other text kept as-is when not a KB. */
	kb: string;
	/** e.g. `10.0.20348.1366`; absent for most fixes before 2021-May. */
	fixedBuild?: string;
	/** e.g. `Security Update`, `Security Hotpatch Update`. */
	subType?: string;
	/** KB numbers this fix supersedes (split from MSRC's `Supercedence`). */
	supersedes: string[];
	url?: string;
	/** Kept ProductIDs this fix applies to. */
	products: string[];
}
