/**
 * Everything Mullion reports about the Windows in a SOFTWARE hive, in one call.
 */
import { isMullionError } from '../errors';
import type { RegKey } from '../hive/types';
import { productForImage } from '../msrc/products';
import type { Warning } from '../warnings';
import type { CurrentVersionInfo } from './current-version';
import { readCurrentVersion } from './current-version';
import { readDotNetFrameworks } from './dotnet';
import { readIisVersion, readPowerShellVersion } from './extras';
import { familyProductNameStem, productFamily } from './family';
import { withoutUndefined } from './plain';
import { readInstalledPrograms } from './programs';
import { readServicingPackages } from './servicing';
import type { WindowsFacts } from './types';

/**
 * Reads the Windows facts from the root key of a SOFTWARE hive (or of the merged delta view).
 * Throws MullionError `UNSUPPORTED` when the hive has no Windows version (not a SOFTWARE hive),
 * and only what the RegKey implementation throws otherwise. Anomalies become warnings.
 */
export function readWindowsFacts(root: RegKey): { facts: WindowsFacts; warnings: Warning[] } {
	const warnings: Warning[] = [];
	const version = readCurrentVersion(root, warnings);
	const family = productFamily(version.build, version.installationType);
	checkProductName(version, family, warnings);
	const facts: WindowsFacts = {
		version: `${version.major}.${version.minor}.${version.build}.${version.ubr ?? 0}`,
		major: version.major,
		minor: version.minor,
		build: version.build,
		ubr: version.ubr ?? 0,
		editionId: version.editionId,
		installationType: version.installationType,
		productName: version.productName,
		displayVersion: version.displayVersion,
		releaseId: version.releaseId,
		buildLabEx: version.buildLabEx,
		family,
		msrcProduct: productForImage(version.build, version.installationType),
		packages: orWarning(warnings, 'The servicing packages', [], () =>
			readServicingPackages(root, warnings)
		),
		dotnet: orWarning(warnings, '.NET Framework', [], () => readDotNetFrameworks(root)),
		programs: orWarning(warnings, 'The installed programs', [], () =>
			readInstalledPrograms(root, warnings)
		),
		iisVersion: orWarning(warnings, 'The IIS version', undefined, () => readIisVersion(root)),
		powershellVersion: orWarning(warnings, 'The PowerShell version', undefined, () =>
			readPowerShellVersion(root)
		),
		lastWritten: version.lastWritten
	};
	return { facts: withoutUndefined(facts), warnings };
}

/**
 * Reads one optional fact; when the hive is damaged there (a typed error), the fact is left out
 * with a FACT_UNREADABLE warning instead of failing the whole scan. Only the Windows version is
 * required.
 */
function orWarning<T>(warnings: Warning[], what: string, fallback: T, read: () => T): T {
	try {
		return read();
	} catch (error) {
		if (!isMullionError(error)) throw error;
		warnings.push({
			code: 'FACT_UNREADABLE',
			message: `${what} could not be read (${error.code}: ${error.message}); left out`
		});
		return fallback;
	}
}

/** Informational warning when ProductName names another product than the build does (§3.2). */
function checkProductName(version: CurrentVersionInfo, family: string, warnings: Warning[]): void {
	const stem = familyProductNameStem(family);
	const productName = version.productName?.trim();
	if (stem === undefined || !productName) return;
	if (productName.toLowerCase().includes(stem.toLowerCase())) return;
	warnings.push({
		code: 'PRODUCT_NAME_MISMATCH',
		message:
			`ProductName says ${productName}; build ${version.build} is ${family} ` +
			'(images misreport ProductName; the build decides)'
	});
}
