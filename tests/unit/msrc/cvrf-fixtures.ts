/** Loads the MSRC fixtures of tests/fixtures/msrc (see NOTICE.md there), gunzipping `.gz` ones. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixtureDir = path.join(repoRoot, 'tests/fixtures/msrc');
export const corpusDir = path.resolve(repoRoot, '../shared/corpus/msrc');
export const historyDir = path.join(corpusDir, 'history-20260706');
export const hasHistory = existsSync(path.join(historyDir, 'index.json'));

/** The text of a fixture file; `.gz` files are decompressed. */
export function fixtureText(name: string): string {
	const bytes = readFileSync(path.join(fixtureDir, name));
	return (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** The raw `<vuln:Vulnerability>` blocks of a CVRF XML text, found by a plain text scan. */
export function vulnerabilityBlocks(xml: string): string[] {
	return xml.match(/<vuln:Vulnerability\b[\s\S]*?<\/vuln:Vulnerability>/g) ?? [];
}

/** The CVE of a raw Vulnerability block. */
export function cveOfBlock(block: string): string {
	return /<vuln:CVE>([^<]*)<\/vuln:CVE>/.exec(block)?.[1] ?? '';
}

/** True when a block's ProductStatuses list `productId` (text scan, independent of the parser). */
export function blockListsAffected(block: string, productId: string): boolean {
	const statuses =
		/<vuln:ProductStatuses>([\s\S]*?)<\/vuln:ProductStatuses>/.exec(block)?.[1] ?? '';
	return statuses.includes(`<vuln:ProductID>${productId}</vuln:ProductID>`);
}
