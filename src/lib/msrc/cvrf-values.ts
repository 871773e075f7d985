/**
 * Small readers shared by the XML and JSON forms of a CVRF document (msrc-cvrf.md §2). Both forms
 * arrive as untyped trees: XML from fast-xml-parser (text in `#text`, attributes prefixed `@_`),
 * JSON as served (text in `{Value}`). These helpers read a value the same way from either tree and
 * never throw on an unexpected shape; they return an empty value instead.
 */

import { checkLimit } from '../errors';

/** Most entries one list in a CVRF document may hold (products, threats, score sets, IDs…). */
export const MAX_ENTRIES_PER_LIST = 200_000;

/** An untyped node of a parsed document. */
export type TreeNode = unknown;

/** True for a plain object node (not an array, not null). */
export function isRecord(node: TreeNode): node is Record<string, unknown> {
	return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** The child `name` of a record node, or undefined. */
export function child(node: TreeNode, name: string): TreeNode {
	return isRecord(node) ? node[name] : undefined;
}

/**
 * A node as a list: an array as-is, a missing node as `[]`, anything else as a one-entry list
 * (the XML parser yields a single element where JSON has an array). Throws LIMIT_EXCEEDED past
 * MAX_ENTRIES_PER_LIST.
 */
export function listOf(node: TreeNode): readonly TreeNode[] {
	if (node === undefined || node === null || node === '') return [];
	const list = Array.isArray(node) ? node : [node];
	checkLimit(list.length, MAX_ENTRIES_PER_LIST, 'MAX_ENTRIES_PER_LIST');
	return list;
}

/**
 * The trimmed text of a node: a string or number as-is, an XML element's `#text`, a JSON
 * `{Value}` wrapper. Returns '' for anything else.
 */
export function textOf(node: TreeNode): string {
	return scalarText(isRecord(node) ? (node['#text'] ?? node['Value']) : node);
}

function scalarText(value: unknown): string {
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return '';
}

/** An XML attribute (`@_name`) or, failing that, a JSON property of the same name, as text. */
export function attributeOf(node: TreeNode, name: string): string {
	if (!isRecord(node)) return '';
	return textOf(node[`@_${name}`] ?? node[name]);
}

/** The non-empty texts of a list node (e.g. every `ProductID` of a group). */
export function textsOf(node: TreeNode): string[] {
	const texts: string[] = [];
	for (const entry of listOf(node)) {
		const text = textOf(entry);
		if (text !== '') texts.push(text);
	}
	return texts;
}

/** ISO 8601 date-time, zone optional (engines' lenient date parsing must not see other text). */
const ISO_DATE_TIME =
	/^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A CVRF date as ISO 8601 UTC without milliseconds (`2022-12-13T08:00:00Z`). MSRC writes dates
 * with and without `Z` (msrc-cvrf.md §2.1); a date without a zone is UTC. Returns undefined
 * for a missing date or any text that is not ISO 8601.
 */
export function toIsoUtc(text: string): string | undefined {
	const match = ISO_DATE_TIME.exec(text);
	if (match === null) return undefined;
	const [, date, time = '00:00:00', zone = 'Z'] = match;
	const milliseconds = Date.parse(`${date}T${time}${zone}`);
	if (!Number.isFinite(milliseconds)) return undefined;
	return new Date(milliseconds).toISOString().replace('.000Z', 'Z');
}

/** Entries in first-seen order without repeats. */
export function unique<T>(values: Iterable<T>): T[] {
	return [...new Set(values)];
}
