/**
 * The XML form of a CVRF document, as the MSRC API serves it without an Accept header
 * (msrc-cvrf.md §1.3, §2). Elements carry the namespace prefixes `cvrf:`, `prod:` and `vuln:`;
 * the parser drops them, so the tree reads like the JSON form.
 *
 * Speed: the largest months are about 11 MB, mostly Linux and browser CVEs, and a Windows CVE
 * repeats a Threat and a ScoreSet for each of ~100 products. The document is read in two passes:
 * the first keeps each `Vulnerability` as raw text (a stop node, not parsed); a text test drops
 * those that name none of the wanted ProductIDs; in the rest, `Threat`, `ScoreSet` and
 * `Remediation` elements that name only other products are cut out; only then is the vulnerability parsed. Both steps
 * only remove what names no wanted product, so the result is the same as a full parse.
 */

import { XMLParser, type X2jOptions } from 'fast-xml-parser';
import { MullionError } from '../errors';
import type { CvrfDocument } from './cvrf-document';
import { readDocumentTree } from './cvrf-tree';
import { child, isRecord, listOf, type TreeNode } from './cvrf-values';

/** Elements that may repeat, always read as arrays (a single one would otherwise be an object). */
const REPEATED_ELEMENTS = new Set([
	'Vulnerability',
	'Branch',
	'FullProductName',
	'Status',
	'ProductID',
	'Threat',
	'ScoreSet',
	'Remediation'
]);

const COMMON_OPTIONS: Partial<X2jOptions> = {
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	removeNSPrefix: true,
	parseTagValue: false,
	parseAttributeValue: false,
	processEntities: true,
	htmlEntities: false,
	isArray: (name) => REPEATED_ELEMENTS.has(name)
};

/** First pass: header and product tree parsed; notes and vulnerabilities kept as raw text. */
const documentParser = new XMLParser({
	...COMMON_OPTIONS,
	stopNodes: ['cvrfdoc.Vulnerability', 'cvrfdoc.DocumentNotes']
});

/** Second pass: one vulnerability; its HTML notes and history are not needed. */
const vulnerabilityParser = new XMLParser({
	...COMMON_OPTIONS,
	stopNodes: [
		'Vulnerability.Notes',
		'Vulnerability.Acknowledgments',
		'Vulnerability.RevisionHistory'
	]
});

/**
 * Reads CVRF XML into a `CvrfDocument`. `productMention` finds a wanted ProductID in raw XML
 * (see `productMentionPattern`); vulnerabilities, threats and score sets without one are skipped
 * unparsed. Without it, everything is parsed. Throws MSRC_BAD_DOCUMENT when the root element is
 * not `cvrfdoc`; the XML parser's own errors propagate for the caller to wrap.
 */
export function readCvrfXml(text: string, productMention?: RegExp): CvrfDocument {
	const parsed: TreeNode = documentParser.parse(text);
	const root = child(parsed, 'cvrfdoc');
	if (!isRecord(root)) {
		throw new MullionError('MSRC_BAD_DOCUMENT', 'XML document has no cvrfdoc root element');
	}
	const vulnerabilities: TreeNode[] = [];
	for (const rawNode of listOf(root['Vulnerability'])) {
		const raw = rawTextOf(rawNode);
		if (productMention === undefined) vulnerabilities.push(parseVulnerability(raw));
		else if (productMention.test(raw)) {
			vulnerabilities.push(parseVulnerability(pruneOtherProducts(raw, productMention)));
		}
	}
	return readDocumentTree(root, vulnerabilities);
}

/** The start of a `Threat`, `ScoreSet` or `Remediation` element (these never nest). */
const PER_PRODUCT_OPENING = /<((?:[\w.-]+:)?)(Threat|ScoreSet|Remediation)(?=[\s/>])/g;

/**
 * Raw vulnerability XML without the Threat, ScoreSet and Remediation elements that list
 * ProductIDs none of which `productMention` finds. Elements without any ProductID (Exploit
 * Status) stay. One forward scan: each element's end is searched once, and the scan stops at an
 * element without an end tag, leaving the rest as it is (linear time on any input).
 */
function pruneOtherProducts(raw: string, productMention: RegExp): string {
	const opening = new RegExp(PER_PRODUCT_OPENING);
	const kept: string[] = [];
	let copiedUpTo = 0;
	// The first '>' after an opening is also the first after any later opening before it: found
	// once, it is reused, so openings without a '>' of their own cost no rescan (quadratic).
	let tagEnd = -1;
	for (let match = opening.exec(raw); match !== null; match = opening.exec(raw)) {
		if (tagEnd < match.index) tagEnd = raw.indexOf('>', match.index);
		if (tagEnd < 0) break;
		if (raw[tagEnd - 1] === '/') continue;
		const closingTag = `</${match[1]}${match[2]}>`;
		const closing = raw.indexOf(closingTag, tagEnd);
		if (closing < 0) break;
		const elementEnd = closing + closingTag.length;
		const element = raw.slice(match.index, elementEnd);
		if (element.includes('ProductID') && !productMention.test(element)) {
			kept.push(raw.slice(copiedUpTo, match.index));
			copiedUpTo = elementEnd;
		}
		opening.lastIndex = elementEnd;
	}
	kept.push(raw.slice(copiedUpTo));
	return kept.join('');
}

/** A stop node's unparsed content: a string, or `#text` when the element had attributes. */
function rawTextOf(node: TreeNode): string {
	const text = isRecord(node) ? node['#text'] : node;
	return typeof text === 'string' ? text : '';
}

function parseVulnerability(raw: string): TreeNode {
	const parsed: TreeNode = vulnerabilityParser.parse(`<Vulnerability>${raw}</Vulnerability>`);
	return listOf(child(parsed, 'Vulnerability'))[0];
}
