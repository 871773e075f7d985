/**
 * Installed programs from the Uninstall keys of both registry views (layers-and-hives.md §4.3).
 */
import { keyAt, type RegKey } from '../hive/types';
import type { Warning } from '../warnings';
import type { InstalledProgram } from './types';
import { withoutUndefined } from './plain';
import { readString } from './reg-values';

/** Uninstall key paths below the SOFTWARE hive root, per view. */
export const UNINSTALL_PATHS: readonly { view: InstalledProgram['view']; path: string }[] = [
	{ view: '64-bit', path: 'Microsoft\\Windows\\CurrentVersion\\Uninstall' },
	{ view: '32-bit', path: 'WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall' }
];
/** Most Uninstall entries read per view; the rest is dropped with a warning. */
export const MAX_UNINSTALL_ENTRIES_PER_VIEW = 10_000;

/**
 * Programs with a DisplayName, 64-bit view first, each in on-disk order. Entries without a
 * DisplayName (patches, components) are skipped. [] when neither key exists. Never fails.
 */
export function readInstalledPrograms(root: RegKey, warnings: Warning[]): InstalledProgram[] {
	return UNINSTALL_PATHS.flatMap(({ view, path }) => {
		const uninstall = keyAt(root, path);
		return uninstall === undefined ? [] : readView(uninstall, view, warnings);
	});
}

function readView(
	uninstall: RegKey,
	view: InstalledProgram['view'],
	warnings: Warning[]
): InstalledProgram[] {
	const entries = uninstall.subkeys();
	if (entries.length > MAX_UNINSTALL_ENTRIES_PER_VIEW) {
		warnings.push({
			code: 'UNINSTALL_ENTRIES_TRUNCATED',
			message:
				`${entries.length} ${view} Uninstall entries; only the first ` +
				`MAX_UNINSTALL_ENTRIES_PER_VIEW (${MAX_UNINSTALL_ENTRIES_PER_VIEW}) are read`
		});
	}
	const programs: InstalledProgram[] = [];
	for (const entry of entries.slice(0, MAX_UNINSTALL_ENTRIES_PER_VIEW)) {
		const name = readString(entry, 'DisplayName')?.trim();
		if (!name) continue;
		const version = readString(entry, 'DisplayVersion');
		const publisher = readString(entry, 'Publisher');
		programs.push(withoutUndefined({ name, version, publisher, view, key: entry.name }));
	}
	return programs;
}
