/**
 * The Windows version from `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`
 * (layers-and-hives.md §3.2).
 */
import { MullionError } from '../errors';
import { keyAt, type RegKey } from '../hive/types';
import type { Warning } from '../warnings';
import { readDword, readString } from './reg-values';
import { filetimeToIsoString } from './time';

/** Path of the version key below the SOFTWARE hive root. */
export const CURRENT_VERSION_PATH = 'Microsoft\\Windows NT\\CurrentVersion';
/** First Windows 10 build: from here on, a missing major/minor number means 10.0. */
export const FIRST_WINDOWS_10_BUILD = 10240;
/** Largest build number accepted as plausible (builds are five digits today). */
const MAX_BUILD_NUMBER = 999_999;

/** What the CurrentVersion key says, decoded. */
export interface CurrentVersionInfo {
	major: number;
	minor: number;
	build: number;
	/** Update Build Revision; undefined when the value is missing. */
	ubr?: number;
	editionId?: string;
	installationType?: string;
	productName?: string;
	displayVersion?: string;
	releaseId?: string;
	buildLabEx?: string;
	/** Last-written time of the CurrentVersion key, ISO 8601. */
	lastWritten?: string;
}

/**
 * Reads the CurrentVersion key below a SOFTWARE hive root. Throws MullionError `UNSUPPORTED`
 * when the key or its build number is missing (the hive is not a machine SOFTWARE hive).
 * Recoverable gaps (no UBR, no version numbers) become warnings.
 */
export function readCurrentVersion(root: RegKey, warnings: Warning[]): CurrentVersionInfo {
	const key = keyAt(root, CURRENT_VERSION_PATH);
	if (key === undefined) throw notSoftwareHive(`it has no ${CURRENT_VERSION_PATH} key`);
	const build = readBuildNumber(key);
	if (build === undefined) {
		throw notSoftwareHive(`its ${CURRENT_VERSION_PATH} key has no CurrentBuildNumber`);
	}
	const ubr = readDword(key, 'UBR');
	if (ubr === undefined) {
		warnings.push({
			code: 'WINDOWS_UBR_MISSING',
			message:
				`CurrentVersion has no UBR DWORD: the version is shown as 10.0.${build}.0 and ` +
				'update matching is unreliable'
		});
	}
	return {
		...readMajorMinor(key, build, warnings),
		build,
		ubr,
		...readDescriptiveStrings(key),
		lastWritten: filetimeToIsoString(key.lastWritten)
	};
}

function notSoftwareHive(reason: string): MullionError {
	return new MullionError(
		'UNSUPPORTED',
		`This hive has no Windows version (${reason}); it is probably not a SOFTWARE hive`
	);
}

/** CurrentBuildNumber, else CurrentBuild, as a number; undefined when neither is a number. */
function readBuildNumber(key: RegKey): number | undefined {
	for (const name of ['CurrentBuildNumber', 'CurrentBuild']) {
		const text = readString(key, name)?.trim();
		if (text !== undefined && /^\d{1,6}$/.test(text)) {
			const build = Number(text);
			if (build > 0 && build <= MAX_BUILD_NUMBER) return build;
		}
	}
	return undefined;
}

/**
 * Major/minor from the DWORDs (Windows 10 and later), else 10.0 for builds ≥ 10240, else the
 * older `CurrentVersion` string such as "6.3".
 */
function readMajorMinor(
	key: RegKey,
	build: number,
	warnings: Warning[]
): { major: number; minor: number } {
	const major = readDword(key, 'CurrentMajorVersionNumber');
	const minor = readDword(key, 'CurrentMinorVersionNumber');
	if (major !== undefined && minor !== undefined) return { major, minor };
	if (build >= FIRST_WINDOWS_10_BUILD) return { major: 10, minor: 0 };
	const match = /^(\d{1,3})\.(\d{1,3})$/.exec(readString(key, 'CurrentVersion')?.trim() ?? '');
	if (match) return { major: Number(match[1]), minor: Number(match[2]) };
	warnings.push({
		code: 'WINDOWS_VERSION_NUMBER_MISSING',
		message:
			'CurrentVersion has neither CurrentMajorVersionNumber nor a CurrentVersion string ' +
			`for build ${build}; shown as 0.0`
	});
	return { major: 0, minor: 0 };
}

function readDescriptiveStrings(key: RegKey) {
	return {
		editionId: readString(key, 'EditionID'),
		installationType: readString(key, 'InstallationType'),
		productName: readString(key, 'ProductName'),
		displayVersion: readString(key, 'DisplayVersion'),
		releaseId: readString(key, 'ReleaseId'),
		buildLabEx: readString(key, 'BuildLabEx')
	};
}
