/**
 * Reads a parsed CVRF tree into a `CvrfDocument` (msrc-cvrf.md §2). One reader serves both forms:
 * the XML tree (namespace prefixes removed, lists wrapped in a container element such as
 * `Remediations/Remediation`, attributes as `@_Type`, text as `#text`) and the JSON tree (lists
 * as arrays, `Type` as a property, text as `{Value}`). See cvrf-values.ts for the value helpers.
 */

import { checkLimit } from '../errors';
import {
	remediationKind,
	statusKind,
	threatKind,
	type CvrfDocument,
	type CvrfProduct,
	type CvrfRemediation,
	type CvrfScoreSet,
	type CvrfStatus,
	type CvrfThreat,
	type CvrfVulnerability
} from './cvrf-document';
import {
	attributeOf,
	child,
	isRecord,
	listOf,
	textOf,
	textsOf,
	type TreeNode
} from './cvrf-values';

/** Deepest `Branch` nesting read in a ProductTree (real documents use 2 or 3 levels). */
export const MAX_BRANCH_DEPTH = 16;
/** Most FullProductName entries read from one document (2022-Dec has 319). */
export const MAX_PRODUCTS_PER_DOCUMENT = 100_000;
/** Most Vulnerability entries read from one document (the largest month has about 1300). */
export const MAX_VULNERABILITIES_PER_DOCUMENT = 50_000;

/**
 * The entries of a list: XML wraps them in a container (`<Threats><Threat/>…</Threats>`), JSON
 * gives the array directly (`"Threats": […]`).
 */
function entries(container: TreeNode, itemName: string): readonly TreeNode[] {
	if (isRecord(container) && itemName in container) return listOf(container[itemName]);
	return listOf(container);
}

/**
 * The document header and product tree (§2.1) plus the given vulnerability nodes (§2.2).
 * `root` is the `cvrfdoc` element or the JSON object. Never throws on a missing part.
 */
export function readDocumentTree(
	root: TreeNode,
	vulnerabilityNodes: readonly TreeNode[]
): CvrfDocument {
	checkLimit(
		vulnerabilityNodes.length,
		MAX_VULNERABILITIES_PER_DOCUMENT,
		'MAX_VULNERABILITIES_PER_DOCUMENT'
	);
	const tracking = child(root, 'DocumentTracking');
	return {
		id: textOf(child(child(tracking, 'Identification'), 'ID')),
		title: textOf(child(root, 'DocumentTitle')),
		initialReleaseDate: textOf(child(tracking, 'InitialReleaseDate')),
		currentReleaseDate: textOf(child(tracking, 'CurrentReleaseDate')),
		products: readProducts(child(root, 'ProductTree')),
		vulnerabilities: vulnerabilityNodes.map(readVulnerability)
	};
}

/** Every FullProductName in the flat list and in the branches (XML) or items (JSON). */
function readProducts(productTree: TreeNode): CvrfProduct[] {
	const products: CvrfProduct[] = [];
	collectProducts(productTree, 0, products);
	return products;
}

function collectProducts(node: TreeNode, depth: number, products: CvrfProduct[]): void {
	checkLimit(depth, MAX_BRANCH_DEPTH, 'MAX_BRANCH_DEPTH');
	addProduct(node, products);
	for (const name of ['FullProductName', 'Branch', 'Items']) {
		for (const entry of listOf(child(node, name))) collectProducts(entry, depth + 1, products);
	}
}

function addProduct(node: TreeNode, products: CvrfProduct[]): void {
	const id = attributeOf(node, 'ProductID');
	if (id === '') return;
	products.push({ id, name: textOf(node) });
	checkLimit(products.length, MAX_PRODUCTS_PER_DOCUMENT, 'MAX_PRODUCTS_PER_DOCUMENT');
}

/** One Vulnerability entry (§2.2); missing parts become empty lists or ''. */
function readVulnerability(node: TreeNode): CvrfVulnerability {
	return {
		cve: textOf(child(node, 'CVE')),
		title: textOf(child(node, 'Title')),
		statuses: entries(child(node, 'ProductStatuses'), 'Status').map(readStatus),
		threats: entries(child(node, 'Threats'), 'Threat').map(readThreat),
		scoreSets: entries(child(node, 'CVSSScoreSets'), 'ScoreSet').map(readScoreSet),
		remediations: entries(child(node, 'Remediations'), 'Remediation').map(readRemediation)
	};
}

function productIdsOf(node: TreeNode): string[] {
	return textsOf(child(node, 'ProductID'));
}

function readStatus(node: TreeNode): CvrfStatus {
	return { kind: statusKind(attributeOf(node, 'Type')), productIds: productIdsOf(node) };
}

function readThreat(node: TreeNode): CvrfThreat {
	return {
		kind: threatKind(attributeOf(node, 'Type')),
		description: textOf(child(node, 'Description')),
		productIds: productIdsOf(node)
	};
}

function readScoreSet(node: TreeNode): CvrfScoreSet {
	const score = textOf(child(node, 'BaseScore'));
	return {
		baseScore: score === '' ? Number.NaN : Number(score),
		vector: textOf(child(node, 'Vector')),
		productIds: productIdsOf(node)
	};
}

// Layout (§2.3): Description = KB digits, URL, Supercedence, ProductID*, SubType, FixedBuild.
function readRemediation(node: TreeNode): CvrfRemediation {
	return {
		kind: remediationKind(attributeOf(node, 'Type')),
		description: textOf(child(node, 'Description')),
		url: textOf(child(node, 'URL')),
		supercedence: textOf(child(node, 'Supercedence')),
		subType: textOf(child(node, 'SubType')),
		fixedBuild: textOf(child(node, 'FixedBuild')),
		productIds: productIdsOf(node)
	};
}
