/**
 * One CVRF document reduced to the parts Mullion reads, the same whether MSRC served XML or JSON
 * (msrc-cvrf.md §2). Enumerations are normalised here: JSON carries integers (v2, and v3 since
 * Jan 2024) or, briefly in v3, strings such as `VendorFix`; XML carries names such as
 * `Vendor Fix` (§1.5, §2.4).
 */

/** What `ProductStatuses/Status/@Type` says; only Known Affected is used (§2.4). */
export type StatusKind = 'Known Affected' | 'Other';
/** What `Threats/Threat/@Type` says (§2.2). */
export type ThreatKind = 'Impact' | 'Exploit Status' | 'Severity' | 'Other';
/** What `Remediations/Remediation/@Type` says; only Vendor Fix is used (§2.3). */
export type RemediationKind = 'Vendor Fix' | 'Other';

export interface CvrfProduct {
	id: string;
	name: string;
}

/** A group that applies to some ProductIDs; an empty list means the whole vulnerability. */
export interface ProductGroup {
	productIds: string[];
}

export interface CvrfStatus extends ProductGroup {
	kind: StatusKind;
}

export interface CvrfThreat extends ProductGroup {
	kind: ThreatKind;
	description: string;
}

export interface CvrfScoreSet extends ProductGroup {
	/** NaN when missing or unreadable. */
	baseScore: number;
	vector: string;
}

export interface CvrfRemediation extends ProductGroup {
	kind: RemediationKind;
	description: string;
	url: string;
	supercedence: string;
	subType: string;
	fixedBuild: string;
}

export interface CvrfVulnerability {
	/** '' when the entry has none. */
	cve: string;
	title: string;
	statuses: CvrfStatus[];
	threats: CvrfThreat[];
	scoreSets: CvrfScoreSet[];
	remediations: CvrfRemediation[];
}

export interface CvrfDocument {
	/** Texts as found ('' when missing); dates not yet normalised. */
	id: string;
	title: string;
	initialReleaseDate: string;
	currentReleaseDate: string;
	/** Every FullProductName, from the flat list and the branch tree. */
	products: CvrfProduct[];
	vulnerabilities: CvrfVulnerability[];
}

/** An enum value as a lookup key: `Vendor Fix`, `VendorFix` and `vendor_fix` all give `vendorfix`. */
function enumKey(value: string): string {
	return value.toLowerCase().replace(/[\s_-]/g, '');
}

const STATUS_KINDS: Readonly<Record<string, StatusKind>> = {
	'3': 'Known Affected',
	knownaffected: 'Known Affected'
};

const THREAT_KINDS: Readonly<Record<string, ThreatKind>> = {
	'0': 'Impact',
	impact: 'Impact',
	'1': 'Exploit Status',
	exploitstatus: 'Exploit Status',
	'3': 'Severity',
	severity: 'Severity'
};

const REMEDIATION_KINDS: Readonly<Record<string, RemediationKind>> = {
	'2': 'Vendor Fix',
	vendorfix: 'Vendor Fix'
};

/** ProductStatus type from its integer or string form (§2.4: 3 = Known Affected). */
export function statusKind(value: string): StatusKind {
	return STATUS_KINDS[enumKey(value)] ?? 'Other';
}

/** Threat type from its integer or string form (§2.4: 0 Impact, 1 Exploit Status, 3 Severity). */
export function threatKind(value: string): ThreatKind {
	return THREAT_KINDS[enumKey(value)] ?? 'Other';
}

/** Remediation type from its integer or string form (§2.4: 2 = Vendor Fix). */
export function remediationKind(value: string): RemediationKind {
	return REMEDIATION_KINDS[enumKey(value)] ?? 'Other';
}
