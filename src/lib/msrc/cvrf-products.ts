/**
 * The MSRC products Mullion keeps: the Windows Server releases that container images run, and
 * .NET Framework on those releases (msrc-cvrf.md §4). Products are identified by ProductID, which
 * is stable across months; names vary (double spaces, casing) and are kept only for display.
 */

import type { CvrfProduct } from './cvrf-document';

/** Windows Server ProductIDs used by containers, with their current names (§4 table). */
export const CONTAINER_SERVER_PRODUCTS: Readonly<Record<string, string>> = {
	'10816': 'Windows Server 2016',
	'10855': 'Windows Server 2016 (Server Core installation)',
	'11466': 'Windows Server, version 1709 (Server Core Installation)',
	'11499': 'Windows Server, version 1803 (Server Core Installation)',
	'11571': 'Windows Server 2019',
	'11572': 'Windows Server 2019 (Server Core installation)',
	'11647': 'Windows Server, version 1903 (Server Core installation)',
	'11715': 'Windows Server, version 1909 (Server Core installation)',
	'11769': 'Windows Server, version 2004 (Server Core installation)',
	'11803': 'Windows Server, version 20H2 (Server Core Installation)',
	'11923': 'Windows Server 2022',
	'11924': 'Windows Server 2022 (Server Core installation)',
	'12244': 'Windows Server 2022, 23H2 Edition (Server Core installation)',
	'12436': 'Windows Server 2025',
	'12437': 'Windows Server 2025 (Server Core installation)'
};

/** The IDs of CONTAINER_SERVER_PRODUCTS. */
export const CONTAINER_SERVER_PRODUCT_IDS: ReadonlySet<string> = new Set(
	Object.keys(CONTAINER_SERVER_PRODUCTS)
);

/** A composite "<component>-<OS>" ProductID (§4), e.g. `12079-11924`. */
const COMPOSITE_ID = /^(\d+)-(\d+)$/;

/** Text in a composite product's name that marks it as .NET Framework on that OS. */
const DOTNET_FRAMEWORK_MARK = '.NET Framework';

/**
 * True when a product is kept: one of `osProductIds`, or a composite `<component>-<os>` ID on one
 * of them whose name contains ".NET Framework".
 */
export function isKeptProduct(product: CvrfProduct, osProductIds: ReadonlySet<string>): boolean {
	if (osProductIds.has(product.id)) return true;
	const osId = COMPOSITE_ID.exec(product.id)?.[2];
	return (
		osId !== undefined && osProductIds.has(osId) && product.name.includes(DOTNET_FRAMEWORK_MARK)
	);
}

/** A product name for display: runs of white space (MSRC's double spaces) made single. */
export function displayName(name: string): string {
	return name.replace(/\s+/g, ' ').trim();
}

/**
 * Kept ProductID → display name, from a document's product list. The first name seen for an ID
 * wins; an empty name falls back to the table above or to the ID.
 */
export function keptProducts(
	products: readonly CvrfProduct[],
	osProductIds: ReadonlySet<string>
): Map<string, string> {
	const kept = new Map<string, string>();
	for (const product of products) {
		if (kept.has(product.id) || !isKeptProduct(product, osProductIds)) continue;
		kept.set(product.id, displayName(product.name) || fallbackName(product.id));
	}
	return kept;
}

/** The table name of an OS ProductID, or the ID itself when it is not in the table. */
export function fallbackName(productId: string): string {
	return CONTAINER_SERVER_PRODUCTS[productId] ?? productId;
}

const ESCAPE_FOR_REGEX = /[.*+?^${}()|[\]\\]/g;

/**
 * A pattern that finds, in raw CVRF XML, a `ProductID` element naming one of `osProductIds`
 * directly or as the OS half of a composite ID. Used to skip unrelated vulnerabilities unparsed;
 * it may accept more than is kept, never less.
 */
export function productMentionPattern(osProductIds: ReadonlySet<string>): RegExp {
	const alternatives = [...osProductIds].map((id) => id.replace(ESCAPE_FOR_REGEX, '\\$&'));
	return new RegExp(`ProductID>\\s*(?:\\d+-)?(?:${alternatives.join('|')})\\s*<`);
}
