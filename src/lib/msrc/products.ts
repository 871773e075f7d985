/**
 * MSRC ProductIDs for Windows Server container images (msrc-cvrf.md §4), as the matcher and the
 * windows-facts reader use them: which product an image is judged as, and how composite
 * `<component>-<os>` .NET Framework products relate to it. ProductIDs are stable across all CVRF
 * documents; only their display names drift (double spaces, casing), so products are identified
 * by ID and one current spelling is kept here for display.
 */

import { trimTrailing } from '../strings';

/** The MSRC product an image is judged as. Same shape as `WindowsFacts.msrcProduct`. */
export interface MsrcProductChoice {
	/** ProductID as a string, e.g. `11924`. */
	id: string;
	/** Current FullProductName spelling, e.g. `Windows Server 2022 (Server Core installation)`. */
	name: string;
	/** True when the image is not exactly this product (Nano Server, unknown installation type). */
	approximate: boolean;
	/** Why the choice is approximate. */
	reason?: string;
}

interface NamedProduct {
	id: string;
	name: string;
}

interface ServerProductPair {
	/** Full (Desktop Experience) product, when MSRC has one for this build. */
	full?: NamedProduct;
	core: NamedProduct;
}

function core(id: string, name: string): ServerProductPair {
	return { core: { id, name } };
}

function fullAndCore(fullId: string, coreId: string, fullName: string): ServerProductPair {
	return {
		full: { id: fullId, name: fullName },
		core: { id: coreId, name: `${fullName} (Server Core installation)` }
	};
}

/** Build number → MSRC Server products (msrc-cvrf.md §4 table). */
const SERVER_PRODUCTS_BY_BUILD: ReadonlyMap<number, ServerProductPair> = new Map([
	[14393, fullAndCore('10816', '10855', 'Windows Server 2016')],
	[16299, core('11466', 'Windows Server, version 1709 (Server Core Installation)')],
	[17134, core('11499', 'Windows Server, version 1803 (Server Core Installation)')],
	[17763, fullAndCore('11571', '11572', 'Windows Server 2019')],
	[18362, core('11647', 'Windows Server, version 1903 (Server Core installation)')],
	[18363, core('11715', 'Windows Server, version 1909 (Server Core installation)')],
	[19041, core('11769', 'Windows Server, version 2004 (Server Core installation)')],
	[19042, core('11803', 'Windows Server, version 20H2 (Server Core Installation)')],
	[20348, fullAndCore('11923', '11924', 'Windows Server 2022')],
	[25398, core('12244', 'Windows Server 2022, 23H2 Edition (Server Core installation)')],
	[26100, fullAndCore('12436', '12437', 'Windows Server 2025')]
]);

/** Why a Nano Server image is judged as Server Core (CVRF has no Nano Server product, §4). */
export const NANO_SERVER_REASON = 'MSRC has no Nano Server product; judged as Server Core';

/** Normalises an installation type for comparison: ` Server  Core` → `server core`. */
function normaliseInstallationType(installationType: string): string {
	return installationType.trim().replace(/\s+/g, ' ').toLowerCase();
}

function coreChoice(pair: ServerProductPair, reason?: string): MsrcProductChoice {
	if (reason === undefined) return { ...pair.core, approximate: false };
	return { ...pair.core, approximate: true, reason };
}

/**
 * The MSRC product for an image, from its build number and its `InstallationType` registry value
 * (msrc-cvrf.md §4). `Server` → the full product (or Server Core, approximate, when MSRC has no
 * full product for that build); `Server Core` → the Server Core product; `Nano Server` → Server
 * Core, approximate, because CVRF has no Nano Server product; a missing or unknown installation
 * type → Server Core, approximate. Returns undefined for a build with no MSRC Server product
 * (client builds, unknown builds). Never throws.
 */
export function productForImage(
	build: number,
	installationType?: string
): MsrcProductChoice | undefined {
	const pair = SERVER_PRODUCTS_BY_BUILD.get(build);
	if (pair === undefined) return undefined;
	const type = installationType === undefined ? '' : normaliseInstallationType(installationType);
	if (type === 'server core') return coreChoice(pair);
	if (type === 'nano server') return coreChoice(pair, NANO_SERVER_REASON);
	if (type === 'server') {
		if (pair.full !== undefined) return { ...pair.full, approximate: false };
		return coreChoice(
			pair,
			`MSRC has no full Server product for build ${build}; judged as Server Core`
		);
	}
	const shown = installationType === undefined ? 'missing' : `"${installationType}"`;
	return coreChoice(
		pair,
		`Installation type ${shown} is not a known Server one; judged as Server Core`
	);
}

/** Every build number `productForImage` knows, ascending. */
export function knownServerBuilds(): number[] {
	return [...SERVER_PRODUCTS_BY_BUILD.keys()].sort((left, right) => left - right);
}

/** `10.0.<build>.`: the prefix every FixedBuild of this OS build starts with (msrc-cvrf.md §5.2). */
export function osBuildPrefix(build: number): string {
	return `10.0.${build}.`;
}

/**
 * True when `productId` is a composite `<component>-<osProductId>` ID on that OS product
 * (msrc-cvrf.md §4), e.g. `12079-11924` on `11924`.
 */
export function isComponentOf(productId: string, osProductId: string): boolean {
	return productId.endsWith(`-${osProductId}`) && productId.length > osProductId.length + 1;
}

/** True when a product name is a .NET Framework product (`Microsoft .NET Framework … on …`). */
export function isDotNetFrameworkName(name: string): boolean {
	return /\.NET Framework/i.test(name);
}

/** `4.8.0` → `4.8`: trailing `.0` parts dropped, so versions compare equal as strings. */
export function normaliseDotNetVersion(version: string): string {
	return trimTrailing(version.trim(), '.0');
}

/**
 * The .NET Framework versions a composite product name covers, e.g.
 * `Microsoft .NET Framework 3.5 AND 4.6.2/4.7/4.7.1/4.7.2 on Windows Server 2016` →
 * `['3.5', '4.6.2', '4.7', '4.7.1', '4.7.2']`. Empty when the name has no version list.
 */
export function dotNetVersionsInName(name: string): string[] {
	const match = /\.NET Framework\s+(.*?)\s+on\s/i.exec(name);
	if (match?.[1] === undefined) return [];
	return [...match[1].matchAll(/\d+(?:\.\d+)+/g)].map((found) => normaliseDotNetVersion(found[0]));
}
