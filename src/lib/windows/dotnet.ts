/**
 * .NET Framework versions from `HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP`
 * (layers-and-hives.md §4.2).
 */
import { keyAt, type RegKey } from '../hive/types';
import type { DotNetFramework } from './types';
import { withoutUndefined } from './plain';
import { readDword, readString } from './reg-values';

/** Path of the .NET Framework setup keys below the SOFTWARE hive root. */
export const NDP_PATH = 'Microsoft\\NET Framework Setup\\NDP';

/**
 * `Release` minimum per .NET Framework 4.x version, newest first: the installed version is the
 * first row whose minimum the `Release` DWORD reaches (§4.2 table).
 */
export const DOTNET_RELEASE_MINIMUMS: readonly { minimum: number; version: string }[] = [
	{ minimum: 533320, version: '4.8.1' },
	{ minimum: 528040, version: '4.8' },
	{ minimum: 461808, version: '4.7.2' },
	{ minimum: 461308, version: '4.7.1' },
	{ minimum: 460798, version: '4.7' },
	{ minimum: 394802, version: '4.6.2' },
	{ minimum: 394254, version: '4.6.1' },
	{ minimum: 393295, version: '4.6' },
	{ minimum: 379893, version: '4.5.2' },
	{ minimum: 378675, version: '4.5.1' },
	{ minimum: 378389, version: '4.5' }
];

/** The 4.x version for a `Release` DWORD; undefined below 4.5's minimum (378389). */
export function dotnetVersionForRelease(release: number): string | undefined {
	return DOTNET_RELEASE_MINIMUMS.find((row) => release >= row.minimum)?.version;
}

/**
 * Installed .NET Frameworks, newest first: v4 Full (version from `Release`, or 4.0 when it has
 * `Install`=1 but no 4.5+ release), v3.5 and v2.0.50727 (`Install`=1). [] when none. Never fails.
 */
export function readDotNetFrameworks(root: RegKey): DotNetFramework[] {
	const ndp = keyAt(root, NDP_PATH);
	if (ndp === undefined) return [];
	const found = [
		readVersion4(ndp),
		readLegacy(ndp, 'v3.5', '3.5'),
		readLegacy(ndp, 'v2.0.50727', '2.0')
	];
	return found.filter((item): item is DotNetFramework => item !== undefined);
}

function readVersion4(ndp: RegKey): DotNetFramework | undefined {
	const full = keyAt(ndp, 'v4\\Full');
	if (full === undefined) return undefined;
	const release = readDword(full, 'Release');
	const rawVersion = readString(full, 'Version');
	const version = release === undefined ? undefined : dotnetVersionForRelease(release);
	if (version !== undefined) return withoutUndefined({ version, release, rawVersion });
	if (readDword(full, 'Install') !== 1) return undefined;
	return withoutUndefined({ version: '4.0', release, rawVersion });
}

function readLegacy(ndp: RegKey, keyName: string, version: string): DotNetFramework | undefined {
	const key = ndp.subkey(keyName);
	if (key === undefined || readDword(key, 'Install') !== 1) return undefined;
	return withoutUndefined({ version, rawVersion: readString(key, 'Version') });
}
