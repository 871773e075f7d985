/**
 * Component Based Servicing packages: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component
 * Based Servicing\Packages\<identity>` (layers-and-hives.md §4.1).
 */
import { isMullionError } from '../errors';
import { keyAt, type RegKey } from '../hive/types';
import type { Warning } from '../warnings';
import type { CbsStateName, PackageKind, ServicingPackage } from './types';
import { withoutUndefined } from './plain';
import { readDword } from './reg-values';
import { filetimeFromHalves, filetimeToIsoString } from './time';

/** Path of the package list below the SOFTWARE hive root. */
export const CBS_PACKAGES_PATH =
	'Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages';
/** Most packages read; real images hold about 1 000–3 000. The rest is dropped with a warning. */
export const MAX_SERVICING_PACKAGES = 50_000;

/** Distinct unknown CurrentState values named in the warning. */
const MAX_UNKNOWN_STATES_SHOWN = 8;

/** CBS CurrentState DWORD (as unsigned) → name: the `CbsState` enum (§4.1 table). */
const CBS_STATES: ReadonlyMap<number, CbsStateName> = new Map([
	[0x00, 'Absent'],
	[0x05, 'UninstallPending'],
	[0x10, 'Resolving'],
	[0x20, 'Resolved'],
	[0x30, 'Staging'],
	[0x40, 'Staged'],
	[0x50, 'Superseded'],
	[0x60, 'InstallPending'],
	[0x65, 'PartiallyInstalled'],
	[0x70, 'Installed'],
	[0x80, 'Permanent'],
	[0xffffffe0, 'ResolvedInvalid'], // -32
	[0xffffffc0, 'StagedInvalid'], // -64
	[0xffffff90, 'InstalledInvalid'], // -112
	[0xffffff80, 'PermanentInvalid'] // -128
]);

/** Decodes a CurrentState DWORD (signed or unsigned); `Unknown` for values outside the table. */
export function cbsStateName(state: number): CbsStateName {
	return CBS_STATES.get(state >>> 0) ?? 'Unknown';
}

/** What a CBS package identity says about itself. */
export interface PackageNameParts {
	kb?: string;
	kind: PackageKind;
	version?: string;
}

/** `KB` + digits after `_`, `~`, `-` or at the start, e.g. `Package_3_for_KB5021249~…`. */
const KB_PATTERN = /(?:^|[_~-])KB(\d{4,9})(?!\d)/i;
/** A dotted version, e.g. `20348.1366.1.9` or `10.0.20348.1`. */
const VERSION_PATTERN = /^\d{1,10}(?:\.\d{1,10}){1,3}$/;

/**
 * Splits a package identity `<name>~<publicKeyToken>~<arch>~<language>~<version>`: KB number,
 * kind (`Package_for_RollupFix…` → rollup, `Package_for_ServicingStack…` → servicing stack, a
 * KB → kb, else other) and the version after the last `~`. Never fails.
 */
export function parsePackageName(name: string): PackageNameParts {
	const kbDigits = KB_PATTERN.exec(name)?.[1];
	const kb = kbDigits === undefined ? undefined : `KB${kbDigits}`;
	const tail = name.includes('~') ? name.slice(name.lastIndexOf('~') + 1) : '';
	const version = VERSION_PATTERN.test(tail) ? tail : undefined;
	return withoutUndefined({ kb, kind: packageKind(name, kb), version });
}

function packageKind(name: string, kb: string | undefined): PackageKind {
	const lower = name.toLowerCase();
	if (lower.startsWith('package_for_rollupfix')) return 'rollup';
	if (lower.startsWith('package_for_servicingstack')) return 'servicing-stack';
	return kb === undefined ? 'other' : 'kb';
}

/**
 * Reads every subkey of the CBS `Packages` key (up to MAX_SERVICING_PACKAGES) in on-disk order.
 * Returns [] when the key is missing. Warnings: truncation, CurrentState values outside the table.
 */
export function readServicingPackages(root: RegKey, warnings: Warning[]): ServicingPackage[] {
	const packagesKey = keyAt(root, CBS_PACKAGES_PATH);
	if (packagesKey === undefined) {
		warnings.push({
			code: 'CBS_PACKAGES_MISSING',
			message: 'The hive has no Component Based Servicing\\Packages key: no update list'
		});
		return [];
	}
	const subkeys = packagesKey.subkeys();
	if (subkeys.length > MAX_SERVICING_PACKAGES) {
		warnings.push({
			code: 'CBS_PACKAGES_TRUNCATED',
			message:
				`${subkeys.length} servicing packages; only the first ` +
				`MAX_SERVICING_PACKAGES (${MAX_SERVICING_PACKAGES}) are read`
		});
	}
	const packages = subkeys
		.slice(0, MAX_SERVICING_PACKAGES)
		.map((key) => readPackageOrName(key, warnings));
	warnAboutUnknownStates(packages, warnings);
	return packages;
}

/** A package whose values cannot be read keeps what its name says, with its state unknown. */
function readPackageOrName(key: RegKey, warnings: Warning[]): ServicingPackage {
	try {
		return readPackage(key);
	} catch (error) {
		if (!isMullionError(error)) throw error;
		warnings.push({
			code: 'CBS_PACKAGE_UNREADABLE',
			message: `Package ${key.name}: its values cannot be read (${error.code}); state unknown`
		});
		return withoutUndefined({
			name: key.name,
			...parsePackageName(key.name),
			stateName: 'Unknown'
		});
	}
}

function readPackage(key: RegKey): ServicingPackage {
	const state = readDword(key, 'CurrentState');
	return withoutUndefined({
		name: key.name,
		...parsePackageName(key.name),
		state,
		stateName: state === undefined ? 'Unknown' : cbsStateName(state),
		installTime: readInstallTime(key)
	});
}

function readInstallTime(key: RegKey): string | undefined {
	const high = readDword(key, 'InstallTimeHigh');
	const low = readDword(key, 'InstallTimeLow');
	if (high === undefined || low === undefined) return undefined;
	return filetimeToIsoString(filetimeFromHalves(high, low));
}

function warnAboutUnknownStates(packages: ServicingPackage[], warnings: Warning[]): void {
	const unknown = packages.filter(
		(item) => item.state !== undefined && item.stateName === 'Unknown'
	);
	if (unknown.length === 0) return;
	const values = [...new Set(unknown.map((item) => `0x${(item.state ?? 0).toString(16)}`))];
	const shownValues = values.slice(0, MAX_UNKNOWN_STATES_SHOWN).join(', ');
	warnings.push({
		code: 'CBS_STATE_UNKNOWN',
		message:
			`${unknown.length} servicing package(s) have a CurrentState outside the known table ` +
			`(${shownValues}), e.g. ${unknown[0]?.name}`
	});
}

/** One row of the update list a user wants to see (see `summarizeUpdates`). */
export interface UpdateSummary {
	kind: PackageKind;
	/** `KB5021249`; for the rollup, from its name or inferred (see `kbInferred`). */
	kb?: string;
	/** True when the rollup's KB was taken from KB parts carrying the rollup's version. */
	kbInferred?: boolean;
	/** Highest version among the collapsed packages (for the rollup: names the UBR). */
	version?: string;
	/** The best state among the collapsed packages. */
	state?: number;
	stateName: CbsStateName;
	/** Package identities collapsed into this row. */
	packages: string[];
	/** Latest install time among them, ISO 8601. */
	installTime?: string;
}

/** Rank of each state when several parts of one KB disagree: higher is "more installed". */
const STATE_RANK: Readonly<Record<CbsStateName, number>> = {
	Permanent: 12,
	Installed: 11,
	PartiallyInstalled: 10,
	InstallPending: 9,
	Superseded: 8,
	Staged: 7,
	Staging: 6,
	Resolved: 5,
	Resolving: 4,
	UninstallPending: 3,
	Absent: 2,
	PermanentInvalid: 1,
	InstalledInvalid: 1,
	StagedInvalid: 1,
	ResolvedInvalid: 1,
	Unknown: 0
};

const KIND_ORDER: Readonly<Record<PackageKind, number>> = {
	rollup: 0,
	'servicing-stack': 1,
	kb: 2,
	other: 3
};

/**
 * The update list: rollups, servicing stacks and one row per KB (the `Package_<n>_for_KB…`
 * parts collapsed, keeping the best state), rollup first, then servicing stacks, then KBs
 * newest (highest number) first. Packages of kind `other` (features, languages) are left out.
 */
export function summarizeUpdates(packages: readonly ServicingPackage[]): UpdateSummary[] {
	const groups = new Map<string, ServicingPackage[]>();
	for (const item of packages) {
		if (item.kind === 'other') continue;
		const groupKey = item.kind === 'kb' ? `kb:${item.kb}` : `${item.kind}:${item.name}`;
		const group = groups.get(groupKey);
		if (group === undefined) groups.set(groupKey, [item]);
		else group.push(item);
	}
	let rows = [...groups.values()].map(summarizeGroup);
	for (const row of [...rows]) if (row.kind === 'rollup') rows = mergeRollupKb(row, rows);
	return rows.sort(compareRows);
}

function summarizeGroup(group: ServicingPackage[]): UpdateSummary {
	const first = group[0] as ServicingPackage;
	const best = group.reduce((a, b) => (STATE_RANK[b.stateName] > STATE_RANK[a.stateName] ? b : a));
	const versions = group.map((item) => item.version).filter((v): v is string => v !== undefined);
	const times = group.map((item) => item.installTime).filter((t): t is string => t !== undefined);
	return withoutUndefined({
		kind: first.kind,
		kb: first.kb,
		version: versions.sort(compareVersions).at(-1),
		state: best.state,
		stateName: best.stateName,
		packages: group.map((item) => item.name),
		installTime: times.sort().at(-1)
	});
}

/**
 * A rollup and the KB parts of the same update are one update: the KB named in the rollup's
 * package, or else the one KB whose parts carry exactly the rollup's version (then `kbInferred`).
 * That KB's row is folded into the rollup's (its parts listed after the rollup package, the better
 * state kept). Returns the rows without the folded one.
 */
function mergeRollupKb(rollup: UpdateSummary, rows: UpdateSummary[]): UpdateSummary[] {
	const named = rollup.kb;
	if (named === undefined && rollup.version === undefined) return rows;
	const candidates = rows.filter(
		(row) =>
			row.kind === 'kb' && (named === undefined ? row.version === rollup.version : row.kb === named)
	);
	const [parts] = candidates;
	if (candidates.length !== 1 || parts === undefined) return rows;
	if (named === undefined) {
		rollup.kb = parts.kb;
		rollup.kbInferred = true;
	}
	rollup.packages.push(...parts.packages);
	if (STATE_RANK[parts.stateName] > STATE_RANK[rollup.stateName]) {
		rollup.state = parts.state;
		rollup.stateName = parts.stateName;
	}
	if (parts.installTime !== undefined && (rollup.installTime ?? '') < parts.installTime) {
		rollup.installTime = parts.installTime;
	}
	return rows.filter((row) => row !== parts);
}

function compareRows(a: UpdateSummary, b: UpdateSummary): number {
	const byKind = KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
	if (byKind !== 0) return byKind;
	return kbNumber(b.kb) - kbNumber(a.kb) || compareVersions(b.version ?? '', a.version ?? '');
}

function kbNumber(kb: string | undefined): number {
	return kb === undefined ? 0 : Number(kb.slice(2));
}

/** Compares dotted versions numerically, part by part (`20348.1366.1.9` > `20348.1300.1.0`). */
export function compareVersions(a: string, b: string): number {
	const left = a.split('.').map(Number);
	const right = b.split('.').map(Number);
	for (let index = 0; index < Math.max(left.length, right.length); index++) {
		const difference = (left[index] ?? 0) - (right[index] ?? 0);
		if (difference !== 0) return difference;
	}
	return 0;
}
