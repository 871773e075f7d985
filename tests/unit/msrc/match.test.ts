import { describe, expect, it } from 'vitest';
import { matchImage, type MatchFacts, type MatchResult } from '../../../src/lib/msrc/match';
import { productForImage } from '../../../src/lib/msrc/products';
import type { ServicingPackage } from '../../../src/lib/windows/types';
import {
	DOTNET_481_ON_2022_CORE,
	DOTNET_48_ON_2022_CORE,
	SERVER_2016_CORE,
	SERVER_2022_CORE,
	kbPackage,
	testIndex
} from './match-index';

/** A reference time just after the test index's newest month, so no "stale index" note. */
const NOW = new Date('2023-01-20T00:00:00Z');

function serverCore(
	build: number,
	ubr: number,
	packages: ServicingPackage[] = [],
	dotnet: MatchFacts['dotnet'] = [{ version: '4.8' }]
): MatchFacts {
	return { build, ubr, packages, dotnet, msrcProduct: productForImage(build, 'Server Core') };
}

function match(facts: MatchFacts): MatchResult {
	return matchImage(facts, testIndex(), { now: NOW });
}

function findingFor(result: MatchResult, cve: string, product = result.product?.id) {
	return result.findings.find((finding) => finding.cve === cve && finding.product === product);
}

function openCves(result: MatchResult, product = result.product?.id): string[] {
	return result.findings
		.filter((finding) => finding.product === product)
		.map((finding) => finding.cve)
		.sort();
}

describe('OS products are judged by FixedBuild', () => {
	it('opens a CVE one UBR before its FixedBuild and closes it at and after it', () => {
		expect(findingFor(match(serverCore(20348, 1365)), 'CVE-2022-44698')).toMatchObject({
			confidence: 'build',
			fix: { kb: '5021249', fixedBuild: '10.0.20348.1366' },
			month: '2022-Dec',
			product: SERVER_2022_CORE
		});
		expect(findingFor(match(serverCore(20348, 1366)), 'CVE-2022-44698')).toBeUndefined();
		expect(findingFor(match(serverCore(20348, 1367)), 'CVE-2022-44698')).toBeUndefined();
	});

	it('ignores hotpatch remediations: .1250 is fixed by the .1249 update despite the .1251 hotpatch', () => {
		const before = match(serverCore(20348, 1248));
		expect(findingFor(before, 'CVE-2022-41073')?.fix?.kb).toBe('5019081');
		expect(findingFor(match(serverCore(20348, 1249)), 'CVE-2022-41073')).toBeUndefined();
		expect(findingFor(match(serverCore(20348, 1250)), 'CVE-2022-41073')).toBeUndefined();
	});

	it('accepts the image’s own update KB when MSRC mistyped its build (KB5014678 as .770)', () => {
		const withKb = match(serverCore(20348, 768, [kbPackage('5014678')]));
		expect(findingFor(withKb, 'CVE-2022-30136')).toBeUndefined();
		expect(withKb.patchLevel).toMatchObject({ kb: '5014678', month: '2022-Jun' });
		// Without the package there is no evidence, so the typo makes the CVE look open.
		expect(findingFor(match(serverCore(20348, 768)), 'CVE-2022-30136')?.confidence).toBe('build');
	});

	it('ignores a remediation carrying another product’s build prefix (10.0.22621 on Server 2022)', () => {
		const result = match(serverCore(20348, 1366));
		expect(findingFor(result, 'CVE-2023-21674')?.fix).toMatchObject({
			kb: '5022291',
			fixedBuild: '10.0.20348.1487'
		});
		// Only a wrong-prefix fix: a naive compare (1366 ≥ 1105) would call it fixed.
		expect(findingFor(result, 'CVE-2023-21549')).toMatchObject({
			confidence: 'kb',
			fix: { kb: '5022303' }
		});
	});

	it('reports a CVE with no vendor fix as open, "no fix available"', () => {
		const finding = findingFor(match(serverCore(20348, 1487)), 'ADV220005');
		expect(finding?.confidence).toBe('no-fix');
		expect(finding?.reason).toMatch(/no fix available/i);
		expect(finding?.fix).toBeUndefined();
	});

	it('judges a CVE listed in two months once, from the newest month', () => {
		const result = match(serverCore(20348, 1249));
		const kerberos = result.findings.filter((finding) => finding.cve === 'CVE-2022-37967');
		expect(kerberos).toHaveLength(1);
		expect(kerberos[0]).toMatchObject({ month: '2022-Dec', fix: { kb: '5021249' } });
		expect(findingFor(match(serverCore(20348, 1366)), 'CVE-2022-37967')).toBeUndefined();
	});
});

describe('Windows Server 2016 before FixedBuild data is judged by KB (confidence "kb")', () => {
	it('closes a CVE whose fix KB is installed', () => {
		const result = match(serverCore(14393, 3986, [kbPackage('4580346')]));
		expect(findingFor(result, 'CVE-2020-16891')).toBeUndefined();
		expect(findingFor(result, 'CVE-2020-17087')?.confidence).toBe('kb');
	});

	it('closes a CVE whose fix is superseded by an installed KB, also in state Superseded', () => {
		const result = match(serverCore(14393, 4104, [kbPackage('4586830', 'Superseded')]));
		expect(openCves(result)).toEqual(['CVE-2021-31186']);
	});

	it('ignores staged (not installed) packages', () => {
		const result = match(serverCore(14393, 3986, [kbPackage('4580346', 'Staged')]));
		expect(findingFor(result, 'CVE-2020-16891')?.confidence).toBe('kb');
	});

	it('closes older CVEs once the build reaches a later cumulative update (May 2021)', () => {
		const result = match(serverCore(14393, 4402));
		expect(result.product?.id).toBe(SERVER_2016_CORE);
		expect(result.patchLevel).toMatchObject({ kb: '5003197', month: '2021-May' });
		expect(openCves(result)).toEqual([]);
		expect(result.fixedCount).toBe(3);
	});

	it('leaves them open on an old image with no KB evidence, closed by the first update with a build', () => {
		const result = match(serverCore(14393, 3900));
		expect(result.findings.map((finding) => finding.confidence).sort()).toEqual([
			'build',
			'kb',
			'kb'
		]);
		expect(result.patchLevel).toBeUndefined();
		expect(result.closeAll).toEqual({ kb: '5003197', build: '10.0.14393.4401', month: '2021-May' });
		expect(result.notes.join(' ')).toMatch(/2021-May/);
	});
});

describe('.NET Framework products are judged only by installed .NET KBs', () => {
	it('closes a .NET CVE when its fix KB is installed', () => {
		const result = match(serverCore(20348, 1366, [kbPackage('5021095')]));
		expect(findingFor(result, 'CVE-2022-41089', DOTNET_48_ON_2022_CORE)).toBeUndefined();
		// The January .NET CVE stays open: its fix is newer than the installed one.
		expect(findingFor(result, 'CVE-2023-21538', DOTNET_48_ON_2022_CORE)?.reason).toMatch(
			/not installed/
		);
	});

	it('closes a .NET CVE when a KB that supersedes its fix is installed', () => {
		const result = match(serverCore(20348, 1487, [kbPackage('5022507')]));
		expect(result.findings.filter((finding) => finding.product !== SERVER_2022_CORE)).toEqual([]);
	});

	it('keeps .NET CVEs open on an up-to-date OS build when no .NET KB is installed', () => {
		const finding = findingFor(
			match(serverCore(20348, 9999)),
			'CVE-2022-41089',
			DOTNET_48_ON_2022_CORE
		);
		expect(finding).toMatchObject({
			confidence: 'kb',
			fix: { kb: '5021095', fixedBuild: '04590.02' }
		});
		expect(finding?.reason).toMatch(/could not be determined from packages/i);
		expect(finding?.productName).toMatch(/\.NET Framework 3\.5 AND 4\.8 on/);
	});

	it('judges only the .NET products that fit the image’s .NET version', () => {
		const judged = (dotnet: MatchFacts['dotnet']) =>
			match(serverCore(20348, 1366, [], dotnet)).judgedProducts.map((product) => product.id);
		expect(judged([{ version: '4.8' }])).toEqual([SERVER_2022_CORE, DOTNET_48_ON_2022_CORE]);
		expect(judged([{ version: '4.8.1' }, { version: '3.5' }])).toEqual([
			SERVER_2022_CORE,
			DOTNET_481_ON_2022_CORE
		]);
	});

	it('judges every .NET product on the OS when the version is unknown, and says so', () => {
		const result = match(serverCore(20348, 1366, [], []));
		expect(result.judgedProducts.map((product) => product.id)).toEqual([
			SERVER_2022_CORE,
			DOTNET_48_ON_2022_CORE,
			DOTNET_481_ON_2022_CORE
		]);
		expect(result.notes.join(' ')).toMatch(/No \.NET Framework version is known/);
	});
});

describe('patch level, latest update, months behind and the update that closes everything', () => {
	it('places a November image two months behind January, closed by the January update', () => {
		const result = match(serverCore(20348, 1249));
		expect(result.patchLevel).toEqual({
			month: '2022-Nov',
			kb: '5019081',
			build: '10.0.20348.1249',
			ubr: 1249,
			releaseDate: '2022-11-08T08:00:00Z'
		});
		expect(result.latest).toMatchObject({ kb: '5022291', build: '10.0.20348.1487' });
		expect(result.monthsBehind).toBe(2);
		expect(result.closeAll).toEqual({ kb: '5022291', build: '10.0.20348.1487', month: '2023-Jan' });
		// CVE-2023-21549 (wrong-prefix fix only) and ADV220005 (no fix): no listed update closes them.
		expect(result.notes).toContain(
			'Open OS findings not closed by any update MSRC lists (no vendor fix, or no build data for the fix): 2.'
		);
	});

	it('reports 0 months behind at the latest update; a preview build between updates is noted', () => {
		const current = match(serverCore(20348, 1487));
		expect(current.monthsBehind).toBe(0);
		expect(current.closeAll).toBeUndefined();
		const preview = match(serverCore(20348, 1300));
		expect(preview.patchLevel?.kb).toBe('5019081');
		expect(preview.notes.join(' ')).toMatch(/not listed in MSRC data/);
	});

	it('counts open CVEs once each by severity and sorts exploited first, then severity, then CVSS', () => {
		const result = match(serverCore(20348, 1248));
		expect(result.counts).toEqual({
			Critical: 0,
			Important: 6,
			Moderate: 1,
			Low: 0,
			unrated: 1,
			exploited: 3
		});
		expect(result.openCount).toBe(8);
		expect(result.findings.map((finding) => finding.cve)).toEqual([
			'CVE-2023-21674',
			'CVE-2022-41073',
			'CVE-2022-44698',
			'CVE-2023-21549',
			'CVE-2022-41089',
			'CVE-2023-21538',
			'CVE-2022-37967',
			'ADV220005'
		]);
	});
});

describe('product choice', () => {
	it('maps builds and installation types to MSRC products', () => {
		const cases: Array<[number, string | undefined, string, boolean]> = [
			[14393, 'Server', '10816', false],
			[14393, 'Server Core', '10855', false],
			[16299, 'Server Core', '11466', false],
			[17134, 'Server Core', '11499', false],
			[17763, 'Server', '11571', false],
			[17763, 'Server  core', '11572', false],
			[18362, 'Server Core', '11647', false],
			[18363, 'Server Core', '11715', false],
			[19041, 'Server Core', '11769', false],
			[19042, 'Server Core', '11803', false],
			[20348, 'Server', '11923', false],
			[20348, 'Server Core', '11924', false],
			[25398, 'Server Core', '12244', false],
			[26100, 'Server', '12436', false],
			[26100, 'Server Core', '12437', false],
			[20348, 'Nano Server', '11924', true],
			[20348, 'Client', '11924', true],
			[17763, undefined, '11572', true],
			[25398, 'Server', '12244', true]
		];
		for (const [build, type, id, approximate] of cases) {
			expect(productForImage(build, type), `${build} ${type}`).toMatchObject({ id, approximate });
		}
		expect(productForImage(22621, 'Client')).toBeUndefined();
	});

	it('judges Nano Server as Server Core, marked approximate with a reason in the notes', () => {
		const nano = productForImage(20348, 'Nano Server');
		expect(nano?.reason).toBe('MSRC has no Nano Server product; judged as Server Core');
		const result = match({ build: 20348, ubr: 1366, packages: [], dotnet: [], msrcProduct: nano });
		expect(result.product).toMatchObject({ id: SERVER_2022_CORE, approximate: true });
		expect(result.notes).toContain('MSRC has no Nano Server product; judged as Server Core');
	});

	it('derives an approximate Server Core product when the facts carry none', () => {
		const result = match({ build: 20348, ubr: 1366, packages: [], dotnet: [] });
		expect(result.product).toMatchObject({ id: SERVER_2022_CORE, approximate: true });
	});

	it('returns an empty result with a note for a build MSRC has no Server product for', () => {
		const result = match({ build: 22621, ubr: 1105, packages: [], dotnet: [] });
		expect(result.findings).toEqual([]);
		expect(result.product).toBeUndefined();
		expect(result.notes.join(' ')).toMatch(/no MSRC Windows Server product/);
	});
});

describe('result shape', () => {
	it('survives a JSON round trip unchanged (no undefined values, no class instances)', () => {
		for (const facts of [
			serverCore(20348, 1248, [kbPackage('5021095')]),
			serverCore(14393, 3900),
			{
				build: 20348,
				ubr: 1,
				packages: [],
				dotnet: [],
				msrcProduct: productForImage(20348, 'Nano Server')
			}
		]) {
			const result = match(facts);
			expect(JSON.parse(JSON.stringify(result))).toStrictEqual(result);
		}
	});

	it('notes a stale index when the newest month is long before "now"', () => {
		const result = matchImage(serverCore(20348, 1366), testIndex(), {
			now: new Date('2024-01-01T00:00:00Z')
		});
		expect(result.notes.join(' ')).toMatch(/index ends at 2023-01-10/);
		expect(result.staleSince?.slice(0, 10)).toBe('2023-01-10');
		const fresh = matchImage(serverCore(20348, 1366), testIndex(), {
			now: new Date('2023-01-20T00:00:00Z')
		});
		expect(fresh.staleSince).toBeUndefined();
	});

	it('gives the same answer for a repeated match on the same index object (memoised lookups)', () => {
		const index = testIndex();
		const first = matchImage(serverCore(20348, 1249), index, { now: NOW });
		first.findings.length = 0;
		if (first.patchLevel) first.patchLevel.kb = 'mutated';
		const second = matchImage(serverCore(20348, 1249), index, { now: NOW });
		expect(second).toStrictEqual(match(serverCore(20348, 1249)));
	});
});
