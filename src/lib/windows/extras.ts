/**
 * IIS and Windows PowerShell versions (layers-and-hives.md §4.4).
 */
import { keyAt, type RegKey } from '../hive/types';
import { readDword, readString } from './reg-values';

/** IIS setup key below the SOFTWARE hive root. */
export const IIS_PATH = 'Microsoft\\InetStp';
/** Windows PowerShell engine keys, newest first: v3 covers 3.0–5.1, v1 covers 1.0–2.0. */
export const POWERSHELL_PATHS: readonly string[] = [
	'Microsoft\\PowerShell\\3',
	'Microsoft\\PowerShell\\1'
];

/**
 * IIS version such as `10.0`, from `MajorVersion`/`MinorVersion`, else the digits of
 * `VersionString` ("Version 10.0"). Undefined when IIS is not installed. Never fails.
 */
export function readIisVersion(root: RegKey): string | undefined {
	const key = keyAt(root, IIS_PATH);
	if (key === undefined) return undefined;
	const major = readDword(key, 'MajorVersion');
	if (major !== undefined) return `${major}.${readDword(key, 'MinorVersion') ?? 0}`;
	return /\d+(?:\.\d+)*/.exec(readString(key, 'VersionString') ?? '')?.[0];
}

/**
 * Windows PowerShell version such as `5.1.17763.1`, from `PowerShell\<n>\PowerShellEngine`
 * `PowerShellVersion` (v3 first, then v1), skipping an engine whose `Install` DWORD is present
 * but not 1. Undefined when absent (Nano Server has none). Never fails.
 */
export function readPowerShellVersion(root: RegKey): string | undefined {
	for (const path of POWERSHELL_PATHS) {
		const base = keyAt(root, path);
		if (base === undefined) continue;
		const install = readDword(base, 'Install');
		if (install !== undefined && install !== 1) continue;
		const engine = base.subkey('PowerShellEngine');
		const version = engine === undefined ? undefined : readString(engine, 'PowerShellVersion');
		if (version) return version;
	}
	return undefined;
}
