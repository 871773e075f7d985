/**
 * The lookup tables behind the Windows facts: .NET Release minimums, CBS CurrentState codes,
 * CBS package identities and product family names (layers-and-hives.md §3.1, §4.1, §4.2).
 */
import { describe, expect, it } from 'vitest';
import { DOTNET_RELEASE_MINIMUMS, dotnetVersionForRelease } from '$lib/windows/dotnet';
import { cbsStateName, compareVersions, parsePackageName } from '$lib/windows/servicing';
import { familyProductNameStem, productFamily } from '$lib/windows/family';

describe('dotnetVersionForRelease', () => {
	it('maps each documented minimum to its version and one below it to the previous version', () => {
		const versions = DOTNET_RELEASE_MINIMUMS.map((row) => row.version);
		for (const [index, row] of DOTNET_RELEASE_MINIMUMS.entries()) {
			expect(dotnetVersionForRelease(row.minimum)).toBe(row.version);
			// the table is newest first, so the next row is the previous version
			expect(dotnetVersionForRelease(row.minimum - 1)).toBe(versions[index + 1]);
		}
	});

	it('knows the releases named in the docs, incl. the Server 2016/2022 ones', () => {
		expect(dotnetVersionForRelease(394802)).toBe('4.6.2');
		expect(dotnetVersionForRelease(461814)).toBe('4.7.2');
		expect(dotnetVersionForRelease(528449)).toBe('4.8');
		expect(dotnetVersionForRelease(528049)).toBe('4.8');
		expect(dotnetVersionForRelease(533325)).toBe('4.8.1');
		expect(dotnetVersionForRelease(533509)).toBe('4.8.1');
	});

	it('returns undefined below 4.5 (378389) and the newest version far above the table', () => {
		expect(dotnetVersionForRelease(378388)).toBeUndefined();
		expect(dotnetVersionForRelease(0)).toBeUndefined();
		expect(dotnetVersionForRelease(0xffffffff)).toBe('4.8.1');
	});

	it('has its minimums strictly descending (the "first row reached" rule depends on it)', () => {
		const minimums = DOTNET_RELEASE_MINIMUMS.map((row) => row.minimum);
		expect([...minimums].sort((a, b) => b - a)).toEqual(minimums);
		expect(new Set(minimums).size).toBe(minimums.length);
	});
});

describe('cbsStateName', () => {
	it('decodes every CurrentState of the CbsState table, negative ones as signed or unsigned', () => {
		const table: [number, string][] = [
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
			[0xffffffe0, 'ResolvedInvalid'],
			[0xffffffc0, 'StagedInvalid'],
			[0xffffff90, 'InstalledInvalid'],
			[0xffffff80, 'PermanentInvalid'],
			[-32, 'ResolvedInvalid'],
			[-112, 'InstalledInvalid']
		];
		for (const [state, name] of table)
			expect(cbsStateName(state), `0x${state.toString(16)}`).toBe(name);
	});

	it('calls values outside the table Unknown (0x20 is Resolved, not Superseded)', () => {
		expect(cbsStateName(0x21)).toBe('Unknown');
		expect(cbsStateName(0x71)).toBe('Unknown');
		expect(cbsStateName(0xffffffff)).toBe('Unknown');
		expect(cbsStateName(0x20)).toBe('Resolved');
	});
});

describe('parsePackageName', () => {
	const token = '31bf3856ad364e35~amd64';
	it('reads the rollup, whose version names the UBR', () => {
		expect(parsePackageName(`Package_for_RollupFix~${token}~~20348.1366.1.9`)).toEqual({
			kind: 'rollup',
			version: '20348.1366.1.9'
		});
	});
	it('reads a servicing stack package', () => {
		expect(parsePackageName(`Package_for_ServicingStack_1360~${token}~~20348.1360.1.2`)).toEqual({
			kind: 'servicing-stack',
			version: '20348.1360.1.2'
		});
	});
	it('reads the un-numbered and the numbered KB forms', () => {
		expect(parsePackageName(`Package_for_KB5021095~${token}~~10.0.4614.2`)).toEqual({
			kb: 'KB5021095',
			kind: 'kb',
			version: '10.0.4614.2'
		});
		expect(parsePackageName(`Package_12_for_KB5021249~${token}~~20348.1366.1.9`)).toEqual({
			kb: 'KB5021249',
			kind: 'kb',
			version: '20348.1366.1.9'
		});
	});
	it('finds other _KB<digits> forms and normalises the case of "KB"', () => {
		expect(parsePackageName(`Microsoft-Windows-Foo-Package_kb4589210~${token}~~1.0.0.0`).kb).toBe(
			'KB4589210'
		);
		expect(parsePackageName(`Package_for_KB5012170_RTM~${token}~~1.2.3.4`).kb).toBe('KB5012170');
	});
	it('keeps a KB in a rollup name, and treats features and language packs as other', () => {
		expect(parsePackageName(`Package_for_RollupFix_KB5021249~${token}~~1.2.3.4`)).toMatchObject({
			kind: 'rollup',
			kb: 'KB5021249'
		});
		expect(
			parsePackageName(`Microsoft-Windows-ServerCore-Package~${token}~en-US~10.0.20348.1`)
		).toEqual({
			kind: 'other',
			version: '10.0.20348.1'
		});
	});
	it('leaves the version out when the name has no ~ or no dotted version at its end', () => {
		expect(parsePackageName('Package_for_KB5021095')).toEqual({ kb: 'KB5021095', kind: 'kb' });
		expect(parsePackageName('Odd~name~')).toEqual({ kind: 'other' });
		expect(parsePackageName('Package_for_KBX~a~b')).toEqual({ kind: 'other' });
	});
});

describe('compareVersions', () => {
	it('compares dotted versions numerically, not as text', () => {
		expect(compareVersions('20348.1366.1.9', '20348.999.1.9')).toBeGreaterThan(0);
		expect(compareVersions('1.2', '1.2.0')).toBe(0);
	});
});

describe('productFamily', () => {
	it('names every Windows Server container release by build (layers-and-hives.md §3.1)', () => {
		const servers: [number, string][] = [
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
		];
		for (const [build, name] of servers) {
			for (const type of ['Nano Server', 'Server Core', 'Server', undefined]) {
				expect(productFamily(build, type)).toBe(name);
			}
		}
	});
	it('names client builds as Windows 10/11 releases', () => {
		expect(productFamily(19045, 'Client')).toBe('Windows 10 version 22H2');
		expect(productFamily(22631, 'Client')).toBe('Windows 11 version 23H2');
		expect(productFamily(26100, 'Client')).toBe('Windows 11 version 24H2');
	});
	it('falls back to "Windows (build N)" for builds it does not know', () => {
		expect(productFamily(12345, 'Server Core')).toBe('Windows (build 12345)');
		expect(productFamily(20349, 'Client')).toBe('Windows (build 20349)');
	});
	it('derives the part of the family a ProductName should contain', () => {
		expect(familyProductNameStem('Windows Server 2022 23H2 (Annual Channel)')).toBe(
			'Windows Server 2022'
		);
		expect(familyProductNameStem('Windows Server, version 1909')).toBe('Windows Server');
		expect(familyProductNameStem('Windows Server 2012 R2')).toBe('Windows Server 2012 R2');
		expect(familyProductNameStem('Windows 11 version 23H2')).toBe('Windows 11');
		expect(familyProductNameStem('Windows (build 1)')).toBeUndefined();
	});
});
