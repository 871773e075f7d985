/**
 * The JSON form of a CVRF document, as the MSRC API serves it with `Accept: application/json`
 * (msrc-cvrf.md §1.3, §2). Enumerations may be integers or strings (§1.5); cvrf-document.ts
 * normalises both.
 */

import { MullionError } from '../errors';
import type { CvrfDocument } from './cvrf-document';
import { readDocumentTree } from './cvrf-tree';
import { isRecord, listOf, type TreeNode } from './cvrf-values';

/**
 * Reads CVRF JSON into a `CvrfDocument`. Throws MSRC_BAD_DOCUMENT when the text is not JSON or
 * is not an object with `DocumentTracking` or `Vulnerability`.
 */
export function readCvrfJson(text: string): CvrfDocument {
	let parsed: TreeNode;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new MullionError('MSRC_BAD_DOCUMENT', 'CVRF JSON does not parse');
	}
	if (!isRecord(parsed) || !('DocumentTracking' in parsed || 'Vulnerability' in parsed)) {
		throw new MullionError('MSRC_BAD_DOCUMENT', 'JSON is not a CVRF document');
	}
	return readDocumentTree(parsed, listOf(parsed['Vulnerability']));
}
