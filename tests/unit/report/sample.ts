/**
 * A realistic scan result and match result for the report tests: a Windows Server 2022 Server
 * Core image at 10.0.20348.1366 (2022-Dec) with 200 update packages (rollups, servicing stacks
 * and `Package_<n>_for_KB…` parts of eight monthly updates) plus 40 feature packages, .NET
 * Framework 4.8, two programs, and open findings that exercise every export path (a .NET finding,
 * a KB-judged one, one with no fix, hostile text in titles).
 */
import type { Finding, MatchResult } from '$lib/msrc/match';
import { productForImage } from '$lib/msrc/products';
import type { ScanResult } from '$lib/report/types';
import { productFamily } from '$lib/windows/family';
import { cbsStateName, parsePackageName } from '$lib/windows/servicing';
import type { ServicingPackage, WindowsFacts } from '$lib/windows/types';

const TOKEN = '31bf3856ad364e35';
const INSTALLED = 0x70;
const SUPERSEDED = 0x50;
const STAGED = 0x40;

/** Monthly updates of 20348, newest first: KB, package version, install time of its parts. */
const MONTHLY_UPDATES: ReadonlyArray<[string, string, string]> = [
	['5021249', '20348.1366.1.9', '2022-12-13T09:41:17.000Z'],
	['5020373', '20348.1300.1.0', '2022-11-08T09:40:02.000Z'],
	['5018421', '20348.1129.1.6', '2022-10-11T09:39:55.000Z'],
	['5017316', '20348.1006.1.5', '2022-09-13T09:43:10.000Z'],
	['5016627', '20348.887.1.8', '2022-08-09T09:38:41.000Z'],
	['5015827', '20348.825.1.9', '2022-07-12T09:42:29.000Z'],
	['5014678', '20348.768.1.4', '2022-06-14T09:40:51.000Z'],
	['5014021', '20348.707.1.12', '2022-05-10T09:37:33.000Z']
];

const PARTS_PER_UPDATE = 24;

const FEATURE_NAMES = [
	'Foundation',
	'Server-Features',
	'ServerCore-Drivers-Package',
	'NetFx4-ServerCore',
	'NetFx3-OnDemand',
	'PowerShell-V2-Core',
	'Containers-Server',
	'Hyper-V-Guest-Integration-Drivers',
	'Client-Drivers-Package',
	'IIS-WebServer-Core'
];

function servicingPackage(name: string, state: number | undefined, installTime?: string) {
	const parts = parsePackageName(name);
	const item: ServicingPackage = { name, ...parts, stateName: 'Unknown' };
	if (state !== undefined) {
		item.state = state;
		item.stateName = cbsStateName(state);
	}
	if (installTime !== undefined) item.installTime = installTime;
	return item;
}

/** 200 update packages: 8 updates × (24 parts + 1 rollup) = 200. */
function updatePackages(): ServicingPackage[] {
	const packages: ServicingPackage[] = [];
	for (const [monthIndex, [kb, version, time]] of MONTHLY_UPDATES.entries()) {
		const state = monthIndex === 0 ? INSTALLED : SUPERSEDED;
		const rollup = monthIndex % 2 === 0 ? 'RollupFix' : `ServicingStack_${version.split('.')[1]}`;
		packages.push(
			servicingPackage(`Package_for_${rollup}~${TOKEN}~amd64~~${version}`, state, time)
		);
		packages.push(servicingPackage(`Package_for_KB${kb}~${TOKEN}~amd64~~${version}`, state, time));
		for (let part = 1; part < PARTS_PER_UPDATE; part++) {
			const name = `Package_${part}_for_KB${kb}~${TOKEN}~amd64~~${version}`;
			packages.push(servicingPackage(name, part === 7 && monthIndex === 0 ? STAGED : state, time));
		}
	}
	return packages;
}

/** 40 feature packages of the base image, some language-specific, one with no state. */
function featurePackages(): ServicingPackage[] {
	const packages: ServicingPackage[] = [];
	for (let index = 0; index < 40; index++) {
		const feature = FEATURE_NAMES[index % FEATURE_NAMES.length];
		const suffix = index < FEATURE_NAMES.length ? '' : `-WOW64-${Math.floor(index / 10)}`;
		const language = index % 4 === 3 ? 'en-US' : '';
		const name = `Microsoft-Windows-${feature}${suffix}-Package~${TOKEN}~amd64~${language}~10.0.20348.1`;
		const state = index === 39 ? undefined : index % 9 === 0 ? 0x80 : INSTALLED;
		packages.push(
			servicingPackage(name, state, index === 39 ? undefined : '2021-05-08T08:21:44.000Z')
		);
	}
	return packages;
}

/** The packages of the sample image: 200 update packages, then 40 feature packages. */
export function samplePackages(): ServicingPackage[] {
	return [...updatePackages(), ...featurePackages()];
}

/** Windows facts as `readWindowsFacts` would return them for the sample image. */
export function sampleFacts(): WindowsFacts {
	const build = 20348;
	const installationType = 'Server Core';
	return {
		version: `10.0.${build}.1366`,
		major: 10,
		minor: 0,
		build,
		ubr: 1366,
		editionId: 'ServerDatacenter',
		installationType,
		productName: 'Windows Server 2022 Datacenter',
		displayVersion: '21H2',
		buildLabEx: '20348.1.amd64fre.fe_release.210507-1500',
		family: productFamily(build, installationType),
		msrcProduct: productForImage(build, installationType),
		packages: samplePackages(),
		dotnet: [{ version: '4.8', release: 528449, rawVersion: '4.8.04161' }],
		programs: [
			{
				name: 'Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.36.32532',
				version: '14.36.32532.0',
				publisher: 'Microsoft Corporation',
				view: '32-bit',
				key: '{a9fb6a6b-6a2f-4e28-a6f3-5bfb5b9a1f6d}'
			},
			{ name: '=HYPERLINK("http://evil.example","click")', view: '64-bit', key: 'Hostile' }
		],
		powershellVersion: '5.1.20348.1',
		lastWritten: '2022-12-13T09:45:02.000Z'
	} as WindowsFacts;
}

/** The scan result of the sample image. */
export function sampleScanResult(): ScanResult {
	return {
		format: 1,
		scannedAt: '2024-03-05T12:34:56.789Z',
		input: { name: 'servercore-ltsc2022-1366.tar.gz', size: 1_487_311_872, compression: 'gzip' },
		entries: 31_702,
		stoppedEarly: true,
		hive: {
			path: 'Files/Windows/System32/config/SOFTWARE',
			size: 67_108_864,
			version: '1.5',
			lastWritten: '2022-12-13T09:45:02.000Z',
			dirty: false
		},
		facts: sampleFacts(),
		warnings: [
			{ code: 'HIVE_DIRTY', message: 'Sequence numbers differ (41 ≠ 40)', offset: 4 },
			{ code: 'CBS_STATE_UNKNOWN', message: 'one package has no known "state", e.g. x,y' }
		]
	};
}

function finding(overrides: Partial<Finding> & Pick<Finding, 'cve' | 'title'>): Finding {
	return {
		severity: 'Important',
		cvss: 7.8,
		cvssVector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C',
		exploited: false,
		publiclyDisclosed: false,
		impact: 'Elevation of Privilege',
		month: '2023-Jan',
		fix: {
			kb: '5022291',
			fixedBuild: '10.0.20348.1487',
			url: 'https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB5022291',
			subType: 'Security Update'
		},
		confidence: 'build',
		product: '11924',
		productName: 'Windows Server 2022 (Server Core installation)',
		reason: 'Image build 10.0.20348.1366 is below the fixed build 10.0.20348.1487.',
		...overrides
	};
}

/** Open findings: OS by build, an exploited critical one, a .NET one, KB-judged, no fix. */
export function sampleFindings(): Finding[] {
	return [
		finding({
			cve: 'CVE-2023-21674',
			title: 'Windows Advanced Local Procedure Call (ALPC) Elevation of Privilege Vulnerability',
			cvss: 8.8,
			cvssVector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/E:F/RL:O/RC:C',
			exploited: true,
			publiclyDisclosed: true
		}),
		finding({
			cve: 'CVE-2023-21548',
			title: 'Windows Secure Socket Tunneling Protocol (SSTP) Remote Code Execution, "critical"',
			severity: 'Critical',
			cvss: 8.1,
			cvssVector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H',
			impact: 'Remote Code Execution'
		}),
		finding({
			cve: 'CVE-2023-21538',
			title: '.NET Denial of Service Vulnerability',
			cvss: 7.5,
			cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
			impact: 'Denial of Service',
			fix: { kb: '5022507', url: 'https://support.microsoft.com/help/5022507' },
			confidence: 'kb',
			product: '12079-11924',
			productName: 'Microsoft .NET Framework 4.8 on Windows Server 2022 (Server Core installation)',
			reason: 'No installed KB covers KB5022507.'
		}),
		finding({
			cve: 'CVE-2021-34527',
			title: '-2+3 Windows Print Spooler\nRemote Code Execution',
			severity: 'Critical',
			cvss: 8.8,
			cvssVector: undefined,
			month: '2021-Jul',
			fix: { kb: '5004947' },
			confidence: 'kb',
			reason: '@SUM(A1) KB5004947 is not installed, and no installed KB supersedes it.'
		}),
		finding({
			cve: 'ADV990001',
			title: 'Latest Servicing Stack Updates',
			severity: undefined,
			cvss: undefined,
			cvssVector: undefined,
			impact: undefined,
			month: '2022-Dec',
			fix: undefined,
			confidence: 'no-fix',
			reason: 'No fix available: MSRC lists no vendor fix for Windows Server 2022.'
		})
	].map(withoutUndefinedKeys);
}

function withoutUndefinedKeys<T extends object>(record: T): T {
	return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/** The match result of the sample image against a (notional) 2023-Jan index. */
export function sampleMatchResult(): MatchResult {
	const findings = sampleFindings();
	return {
		product: {
			id: '11924',
			name: 'Windows Server 2022 (Server Core installation)',
			approximate: false
		},
		imageBuild: '10.0.20348.1366',
		judgedProducts: [
			{ id: '11924', name: 'Windows Server 2022 (Server Core installation)', kind: 'os' },
			{
				id: '12079-11924',
				name: 'Microsoft .NET Framework 4.8 on Windows Server 2022 (Server Core installation)',
				kind: 'dotnet'
			}
		],
		findings,
		openCount: findings.length,
		fixedCount: 412,
		counts: { Critical: 2, Important: 2, Moderate: 0, Low: 0, unrated: 1, exploited: 1 },
		patchLevel: {
			month: '2022-Dec',
			kb: '5021249',
			build: '10.0.20348.1366',
			ubr: 1366,
			releaseDate: '2022-12-13T08:00:00Z'
		},
		latest: {
			month: '2023-Jan',
			kb: '5022291',
			build: '10.0.20348.1487',
			ubr: 1487,
			releaseDate: '2023-01-10T08:00:00Z'
		},
		monthsBehind: 1,
		closeAll: { kb: '5022291', build: '10.0.20348.1487', month: '2023-Jan' },
		notes: ['MSRC FixedBuild data starts in 2021-May; older CVEs were judged by KB.']
	};
}
