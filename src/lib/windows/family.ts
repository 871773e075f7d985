/**
 * Product family names from the build number and InstallationType (layers-and-hives.md §3.1).
 * ProductName is not used: container images misreport it (§3.2).
 */

/** Windows Server releases by build (§3.1). 17763 is named "2019", as for containers. */
const SERVER_FAMILIES: ReadonlyMap<number, string> = new Map([
	[7601, 'Windows Server 2008 R2'],
	[9200, 'Windows Server 2012'],
	[9600, 'Windows Server 2012 R2'],
	[14393, 'Windows Server 2016'],
	[16299, 'Windows Server, version 1709'],
	[17134, 'Windows Server, version 1803'],
	[17763, 'Windows Server 2019'],
	[18362, 'Windows Server, version 1903'],
	[18363, 'Windows Server, version 1909'],
	[19041, 'Windows Server, version 2004'],
	[19042, 'Windows Server, version 20H2'],
	[20348, 'Windows Server 2022'],
	[25398, 'Windows Server 2022 23H2 (Annual Channel)'],
	[26100, 'Windows Server 2025']
]);

/** Windows client releases by build. */
const CLIENT_FAMILIES: ReadonlyMap<number, string> = new Map([
	[7601, 'Windows 7'],
	[9200, 'Windows 8'],
	[9600, 'Windows 8.1'],
	[10240, 'Windows 10 version 1507'],
	[10586, 'Windows 10 version 1511'],
	[14393, 'Windows 10 version 1607'],
	[15063, 'Windows 10 version 1703'],
	[16299, 'Windows 10 version 1709'],
	[17134, 'Windows 10 version 1803'],
	[17763, 'Windows 10 version 1809'],
	[18362, 'Windows 10 version 1903'],
	[18363, 'Windows 10 version 1909'],
	[19041, 'Windows 10 version 2004'],
	[19042, 'Windows 10 version 20H2'],
	[19043, 'Windows 10 version 21H1'],
	[19044, 'Windows 10 version 21H2'],
	[19045, 'Windows 10 version 22H2'],
	[22000, 'Windows 11 version 21H2'],
	[22621, 'Windows 11 version 22H2'],
	[22631, 'Windows 11 version 23H2'],
	[26100, 'Windows 11 version 24H2'],
	[26200, 'Windows 11 version 25H2']
]);

/**
 * True unless InstallationType says `Client`. Containers are server images, so a missing or
 * unknown type counts as a server.
 */
export function isServerInstallation(installationType: string | undefined): boolean {
	return installationType?.trim().toLowerCase() !== 'client';
}

/**
 * The product family, e.g. `Windows Server 2022` or `Windows 10 version 22H2`; `Windows (build
 * N)` for a build not in the tables. Never fails.
 */
export function productFamily(build: number, installationType: string | undefined): string {
	const table = isServerInstallation(installationType) ? SERVER_FAMILIES : CLIENT_FAMILIES;
	return table.get(build) ?? `Windows (build ${build})`;
}

/**
 * The part of a family name that a ProductName should contain: `Windows Server 2022` for
 * `Windows Server 2022 23H2 (Annual Channel)`, `Windows Server` for semi-annual releases,
 * `Windows 11` for `Windows 11 version 23H2`; undefined for unknown builds.
 */
export function familyProductNameStem(family: string): string | undefined {
	if (family.startsWith('Windows (build')) return undefined;
	const match = /^Windows (?:Server(?: \d{4}(?: R2)?)?|\d+(?:\.\d)?)/.exec(family);
	return match?.[0];
}
