/**
 * readWindowsFacts and its parts on small in-memory registry trees: the decisions that the
 * fixture hives do not exercise (missing values, old versions, tombstones, odd states, limits of
 * what is accepted as a SOFTWARE hive).
 */
import { describe, expect, it } from 'vitest';
import { isMullionError } from '$lib/errors';
import { readWindowsFacts } from '$lib/windows/facts';
import { readCurrentVersion } from '$lib/windows/current-version';
import { readDotNetFrameworks } from '$lib/windows/dotnet';
import { readIisVersion, readPowerShellVersion } from '$lib/windows/extras';
import { readInstalledPrograms } from '$lib/windows/programs';
import { readServicingPackages, summarizeUpdates, CBS_PACKAGES_PATH } from '$lib/windows/servicing';
import type { ServicingPackage } from '$lib/windows/types';
import type { Warning } from '$lib/warnings';
import { MemoryKey, dwordBytes } from './reg-text';
import { RegType } from '$lib/hive/types';

const CURRENT_VERSION = 'Microsoft\\Windows NT\\CurrentVersion';

function softwareRoot(build = '20348', ubr: number | null = 1366): MemoryKey {
	const root = new MemoryKey('ROOT');
	const key = root.path(CURRENT_VERSION).setString('CurrentBuildNumber', build);
	if (ubr !== null) key.setDword('UBR', ubr);
	return root;
}

function expectUnsupported(root: MemoryKey): void {
	let caught: unknown;
	try {
		readWindowsFacts(root);
	} catch (error) {
		caught = error;
	}
	expect(isMullionError(caught, 'UNSUPPORTED'), String(caught)).toBe(true);
	expect((caught as Error).message).toMatch(/no Windows version.*not a SOFTWARE hive/);
}

describe('readCurrentVersion', () => {
	it('throws UNSUPPORTED when there is no CurrentVersion key (an empty or non-SOFTWARE hive)', () => {
		expectUnsupported(new MemoryKey('ROOT'));
	});

	it("throws UNSUPPORTED when CurrentVersion has no build number (a user hive's Software key)", () => {
		const root = new MemoryKey('ROOT');
		root.path(CURRENT_VERSION).setString('ProductName', 'Windows 10 Pro');
		expectUnsupported(root);
		root.path(CURRENT_VERSION).setString('CurrentBuildNumber', 'not a number');
		expectUnsupported(root);
	});

	it('falls back to CurrentBuild when CurrentBuildNumber is missing', () => {
		const root = new MemoryKey('ROOT');
		root.path(CURRENT_VERSION).setString('CurrentBuild', '17763').setDword('UBR', 1);
		expect(readWindowsFacts(root).facts.version).toBe('10.0.17763.1');
	});

	it('defaults major/minor to 10.0 from build 10240 on, when the DWORDs are absent', () => {
		const warnings: Warning[] = [];
		expect(readCurrentVersion(softwareRoot('10240'), warnings)).toMatchObject({
			major: 10,
			minor: 0
		});
		expect(warnings).toEqual([]);
	});

	it('reads major/minor of older Windows from the CurrentVersion string ("6.3")', () => {
		const root = softwareRoot('9600', 19000);
		root.path(CURRENT_VERSION).setString('CurrentVersion', '6.3');
		const { facts } = readWindowsFacts(root);
		expect(facts.version).toBe('6.3.9600.19000');
		expect(facts.family).toBe('Windows Server 2012 R2');
	});

	it('prefers the major/minor DWORDs over the CurrentVersion string', () => {
		const root = softwareRoot('20348');
		root.path(CURRENT_VERSION).setString('CurrentVersion', '6.3');
		root
			.path(CURRENT_VERSION)
			.setDword('CurrentMajorVersionNumber', 10)
			.setDword('CurrentMinorVersionNumber', 0);
		expect(readWindowsFacts(root).facts).toMatchObject({ major: 10, minor: 0 });
	});

	it('warns and uses UBR 0 when the UBR DWORD is missing or has the wrong type', () => {
		const { facts, warnings } = readWindowsFacts(softwareRoot('20348', null));
		expect(facts.version).toBe('10.0.20348.0');
		expect(warnings.map((warning) => warning.code)).toContain('WINDOWS_UBR_MISSING');
		const root = softwareRoot('20348', null);
		root.path(CURRENT_VERSION).setString('UBR', '1366');
		expect(readWindowsFacts(root).warnings.map((warning) => warning.code)).toContain(
			'WINDOWS_UBR_MISSING'
		);
	});

	it('ignores a value deleted by a differencing layer (tombstone)', () => {
		const root = softwareRoot('20348', 1366);
		root.path(CURRENT_VERSION).set('UBR', RegType.DWORD, dwordBytes(1), true);
		expect(readWindowsFacts(root).facts.ubr).toBe(0);
	});

	it("reports the key's last-written time as ISO 8601 and leaves it out when zero", () => {
		const root = new MemoryKey('ROOT', 133150000000000000n);
		root.path(CURRENT_VERSION).setString('CurrentBuildNumber', '20348');
		expect(readWindowsFacts(root).facts.lastWritten).toBe('2022-12-08T19:06:40.000Z'); // (133150000000000000 - 116444736000000000) / 1e7 s;
		expect(readWindowsFacts(softwareRoot()).facts).not.toHaveProperty('lastWritten');
	});
});

describe('readWindowsFacts warnings', () => {
	it('says when ProductName names another product than the build, as Nano Server 2022 does', () => {
		const root = softwareRoot('20348');
		root.path(CURRENT_VERSION).setString('ProductName', 'Windows Server 2016 Datacenter');
		const mismatch = readWindowsFacts(root).warnings.find(
			(w) => w.code === 'PRODUCT_NAME_MISMATCH'
		);
		expect(mismatch?.message).toMatch(
			/^ProductName says Windows Server 2016 Datacenter; build 20348 is Windows Server 2022/
		);
	});

	it('does not warn when ProductName agrees, or for semi-annual servers named generically', () => {
		const root = softwareRoot('20348');
		root.path(CURRENT_VERSION).setString('ProductName', 'Windows Server 2022 Datacenter');
		expect(readWindowsFacts(root).warnings.map((w) => w.code)).not.toContain(
			'PRODUCT_NAME_MISMATCH'
		);
		const sac = softwareRoot('18363');
		sac.path(CURRENT_VERSION).setString('ProductName', 'Windows Server Datacenter');
		expect(readWindowsFacts(sac).warnings.map((w) => w.code)).not.toContain(
			'PRODUCT_NAME_MISMATCH'
		);
	});

	it('warns once, naming the values, for CurrentState values outside the table', () => {
		const root = softwareRoot();
		const packages = root.path(CBS_PACKAGES_PATH);
		packages.path('A~31bf3856ad364e35~amd64~~1.0.0.0').setDword('CurrentState', 0x33);
		packages.path('B~31bf3856ad364e35~amd64~~1.0.0.0').setDword('CurrentState', 0x33);
		packages.path('C~31bf3856ad364e35~amd64~~1.0.0.0').setDword('CurrentState', 0x70);
		const { facts, warnings } = readWindowsFacts(root);
		expect(facts.packages.map((item) => item.stateName)).toEqual([
			'Unknown',
			'Unknown',
			'Installed'
		]);
		const unknown = warnings.filter((warning) => warning.code === 'CBS_STATE_UNKNOWN');
		expect(unknown).toHaveLength(1);
		expect(unknown[0]?.message).toMatch(/^2 servicing package\(s\).*\(0x33\)/);
	});

	it('warns when the CBS Packages key is missing and still returns the version', () => {
		const { facts, warnings } = readWindowsFacts(softwareRoot());
		expect(facts.packages).toEqual([]);
		expect(warnings.map((warning) => warning.code)).toContain('CBS_PACKAGES_MISSING');
	});

	it('leaves msrcProduct out for a build MSRC has no Server product for', () => {
		const root = softwareRoot('19045');
		root.path(CURRENT_VERSION).setString('InstallationType', 'Client');
		const { facts } = readWindowsFacts(root);
		expect(facts.family).toBe('Windows 10 version 22H2');
		expect(facts).not.toHaveProperty('msrcProduct');
	});
});

describe('readServicingPackages', () => {
	it('reads a package without CurrentState as Unknown with no state, and install times as ISO', () => {
		const root = softwareRoot();
		const packages = root.path(CBS_PACKAGES_PATH);
		packages.path('Package_for_KB1234567~31bf3856ad364e35~amd64~~1.2.3.4');
		packages
			.path('Package_for_KB7654321~31bf3856ad364e35~amd64~~1.2.3.4')
			.setDword('CurrentState', 0x70)
			.setDword('InstallTimeHigh', 0x01d90c13)
			.setDword('InstallTimeLow', 0x3d824600);
		const warnings: Warning[] = [];
		expect(readServicingPackages(root, warnings)).toEqual([
			{
				name: 'Package_for_KB1234567~31bf3856ad364e35~amd64~~1.2.3.4',
				kb: 'KB1234567',
				kind: 'kb',
				version: '1.2.3.4',
				stateName: 'Unknown'
			},
			{
				name: 'Package_for_KB7654321~31bf3856ad364e35~amd64~~1.2.3.4',
				kb: 'KB7654321',
				kind: 'kb',
				version: '1.2.3.4',
				state: 0x70,
				stateName: 'Installed',
				installTime: '2022-12-09T21:14:36.000Z'
			}
		]);
		expect(warnings).toEqual([]);
	});
});

describe('summarizeUpdates', () => {
	const item = (
		name: string,
		state: number,
		extra: Partial<ServicingPackage> = {}
	): ServicingPackage => {
		const kb = /KB\d+/.exec(name)?.[0];
		const kind = name.startsWith('Package_for_RollupFix') ? 'rollup' : kb ? 'kb' : 'other';
		return {
			name,
			kind,
			kb,
			version: name.split('~').at(-1),
			state,
			stateName: 'Unknown',
			...extra
		};
	};

	it('collapses Package_<n>_for_KB parts into one row keeping the best state', () => {
		const rows = summarizeUpdates([
			item('Package_2_for_KB5000001~t~amd64~~1.0.0.1', 0x40, { stateName: 'Staged' }),
			item('Package_1_for_KB5000001~t~amd64~~1.0.0.1', 0x65, { stateName: 'PartiallyInstalled' }),
			item('Package_3_for_KB5000001~t~amd64~~1.0.0.1', 0x70, {
				stateName: 'Installed',
				installTime: '2022-01-02T00:00:00.000Z'
			}),
			item('Package_4_for_KB5000001~t~amd64~~1.0.0.1', 0xffffff90, {
				stateName: 'InstalledInvalid',
				installTime: '2022-01-03T00:00:00.000Z'
			})
		]);
		expect(rows).toEqual([
			{
				kind: 'kb',
				kb: 'KB5000001',
				version: '1.0.0.1',
				state: 0x70,
				stateName: 'Installed',
				packages: [
					'Package_2_for_KB5000001~t~amd64~~1.0.0.1',
					'Package_1_for_KB5000001~t~amd64~~1.0.0.1',
					'Package_3_for_KB5000001~t~amd64~~1.0.0.1',
					'Package_4_for_KB5000001~t~amd64~~1.0.0.1'
				],
				installTime: '2022-01-03T00:00:00.000Z'
			}
		]);
	});

	it('puts the rollup first, infers its KB from parts of the same version and folds them in, drops features', () => {
		const rows = summarizeUpdates([
			item('Microsoft-Windows-Feature-Package~t~amd64~~10.0.1.1', 0x70, { stateName: 'Installed' }),
			item('Package_for_KB4000000~t~amd64~~9.9.9.9', 0x50, { stateName: 'Superseded' }),
			item('Package_1_for_KB5000002~t~amd64~~20348.1366.1.9', 0x70, { stateName: 'Installed' }),
			item('Package_for_RollupFix~t~amd64~~20348.1366.1.9', 0x70, { stateName: 'Installed' })
		]);
		expect(rows.map((row) => [row.kind, row.kb, row.kbInferred, row.stateName])).toEqual([
			['rollup', 'KB5000002', true, 'Installed'],
			['kb', 'KB4000000', undefined, 'Superseded']
		]);
		expect(rows[0]?.packages).toEqual([
			'Package_for_RollupFix~t~amd64~~20348.1366.1.9',
			'Package_1_for_KB5000002~t~amd64~~20348.1366.1.9'
		]);
	});

	it('keeps a KB carried in the rollup name and does not mark it inferred', () => {
		const rows = summarizeUpdates([
			item('Package_for_RollupFix_KB5000009~t~amd64~~1.2.3.4', 0x70, {
				kind: 'rollup',
				stateName: 'Installed'
			})
		]);
		expect(rows[0]).toMatchObject({ kind: 'rollup', kb: 'KB5000009' });
		expect(rows[0]).not.toHaveProperty('kbInferred');
	});
});

describe('dotnet, programs, IIS and PowerShell on edge cases', () => {
	it('reports .NET 4.0 for a v4 Full key with Install=1 and a pre-4.5 or missing Release', () => {
		const root = new MemoryKey('ROOT');
		root
			.path('Microsoft\\NET Framework Setup\\NDP\\v4\\Full')
			.setDword('Install', 1)
			.setString('Version', '4.0.30319');
		root
			.path('Microsoft\\NET Framework Setup\\NDP\\v2.0.50727')
			.setDword('Install', 1)
			.setString('Version', '2.0.50727.4927');
		root.path('Microsoft\\NET Framework Setup\\NDP\\v3.5').setDword('Install', 0);
		expect(readDotNetFrameworks(root)).toEqual([
			{ version: '4.0', rawVersion: '4.0.30319' },
			{ version: '2.0', rawVersion: '2.0.50727.4927' }
		]);
	});

	it('skips Uninstall entries without a DisplayName or with a blank one', () => {
		const root = new MemoryKey('ROOT');
		const uninstall = root.path('Microsoft\\Windows\\CurrentVersion\\Uninstall');
		uninstall.path('A').setString('DisplayName', '  ');
		uninstall.path('B').setString('DisplayVersion', '1.0');
		uninstall.path('C').setString('DisplayName', 'Tool');
		expect(readInstalledPrograms(root, [])).toEqual([{ name: 'Tool', view: '64-bit', key: 'C' }]);
	});

	it('reads IIS from VersionString when the number DWORDs are missing', () => {
		const root = new MemoryKey('ROOT');
		root.path('Microsoft\\InetStp').setString('VersionString', 'Version 8.5');
		expect(readIisVersion(root)).toBe('8.5');
		expect(readIisVersion(new MemoryKey('ROOT'))).toBeUndefined();
	});

	it('falls back to PowerShell\\1 and skips an engine whose Install is not 1', () => {
		const root = new MemoryKey('ROOT');
		root.path('Microsoft\\PowerShell\\3').setDword('Install', 0);
		root.path('Microsoft\\PowerShell\\3\\PowerShellEngine').setString('PowerShellVersion', '5.1');
		root.path('Microsoft\\PowerShell\\1\\PowerShellEngine').setString('PowerShellVersion', '2.0');
		expect(readPowerShellVersion(root)).toBe('2.0');
	});
});
