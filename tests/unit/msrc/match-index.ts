/**
 * A small hand-written MsrcIndex for the matcher tests. Values are copied from real CVRF documents
 * (msrc-cvrf.md §2.3, §5.2) where the docs give them; scenarios the docs only describe (a Windows
 * 11 build attached to Server 2022, a re-listed CVE) are shaped after those descriptions.
 */

import type { ServicingPackage } from '../../../src/lib/windows/types';
import type { MsrcFix, MsrcIndex, MsrcMonth, MsrcVulnerability } from '../../../src/lib/msrc/types';

export const SERVER_2022 = '11923';
export const SERVER_2022_CORE = '11924';
export const SERVER_2016_CORE = '10855';
export const DOTNET_48_ON_2022_CORE = '11676-11924';
export const DOTNET_481_ON_2022_CORE = '12079-11924';

const PRODUCT_NAMES: Record<string, string> = {
	[SERVER_2022]: 'Windows Server 2022',
	[SERVER_2022_CORE]: 'Windows Server 2022 (Server Core installation)',
	[SERVER_2016_CORE]: 'Windows Server 2016  (Server Core installation)',
	'11676-11923': 'Microsoft .NET Framework 3.5 AND 4.8 on Windows Server 2022',
	[DOTNET_48_ON_2022_CORE]:
		'Microsoft .NET Framework 3.5 AND 4.8 on Windows Server 2022 (Server Core installation)',
	'12079-11923': 'Microsoft .NET Framework 3.5 AND 4.8.1 on Windows Server 2022',
	[DOTNET_481_ON_2022_CORE]:
		'Microsoft .NET Framework 3.5 AND 4.8.1 on Windows Server 2022 (Server Core installation)'
};

const SERVER_2022_BOTH = [SERVER_2022, SERVER_2022_CORE];
const DOTNET_ON_2022 = [
	'11676-11923',
	DOTNET_48_ON_2022_CORE,
	'12079-11923',
	DOTNET_481_ON_2022_CORE
];

function fix(kb: string, products: string[], extra: Partial<MsrcFix> = {}): MsrcFix {
	return {
		kb,
		subType: 'Security Update',
		supersedes: [],
		url: `https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB${kb}`,
		products,
		...extra
	};
}

function vulnerability(
	cve: string,
	title: string,
	affected: string[],
	fixes: MsrcFix[],
	extra: Partial<MsrcVulnerability> = {}
): MsrcVulnerability {
	return {
		cve,
		title,
		severity: 'Important',
		impact: 'Elevation of Privilege',
		exploited: false,
		publiclyDisclosed: false,
		cvss: { score: 7.8, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C' },
		affected,
		fixes,
		...extra
	};
}

function month(
	id: string,
	title: string,
	date: string,
	vulnerabilities: MsrcVulnerability[]
): MsrcMonth {
	const products: Record<string, string> = {};
	for (const entry of vulnerabilities) {
		for (const productId of entry.affected)
			products[productId] = PRODUCT_NAMES[productId] ?? productId;
	}
	return {
		id,
		title,
		initialReleaseDate: `${date}T08:00:00Z`,
		currentReleaseDate: `${date}T08:00:00Z`,
		products,
		vulnerabilities
	};
}

// --- Windows Server 2016 before FixedBuild data (2020), then with it (2021-May) ---------------

const october2020 = month('2020-Oct', 'October 2020 Security Updates', '2020-10-13', [
	vulnerability(
		'CVE-2020-16891',
		'Windows Hyper-V Remote Code Execution Vulnerability',
		[SERVER_2016_CORE],
		[fix('4580346', [SERVER_2016_CORE], { supersedes: ['4577015'] })],
		{ severity: 'Critical', impact: 'Remote Code Execution', cvss: { score: 8.8 } }
	)
]);

const november2020 = month('2020-Nov', 'November 2020 Security Updates', '2020-11-10', [
	vulnerability(
		'CVE-2020-17087',
		'Windows Kernel Local Elevation of Privilege Vulnerability',
		[SERVER_2016_CORE],
		[fix('4586830', [SERVER_2016_CORE], { supersedes: ['4580346'] })],
		{ exploited: true, publiclyDisclosed: true }
	)
]);

const may2021 = month('2021-May', 'May 2021 Security Updates', '2021-05-11', [
	vulnerability(
		'CVE-2021-31186',
		'Windows Remote Desktop Protocol (RDP) Information Disclosure Vulnerability',
		[SERVER_2016_CORE],
		// MSRC lists KB5003197 as .4401; the real build is .4402 (msrc-cvrf.md §5.2).
		[
			fix('5003197', [SERVER_2016_CORE], { fixedBuild: '10.0.14393.4401', supersedes: ['5001347'] })
		],
		{ impact: 'Information Disclosure', cvss: { score: 7.4 } }
	)
]);

// --- Windows Server 2022 ----------------------------------------------------------------------

const june2022 = month('2022-Jun', 'June 2022 Security Updates', '2022-06-14', [
	vulnerability(
		'CVE-2022-30136',
		'Windows Network File System Remote Code Execution Vulnerability',
		SERVER_2022_BOTH,
		[
			// Real build of KB5014678 is .768; MSRC lists .770, the hotpatch's number (§5.2).
			fix('5014678', SERVER_2022_BOTH, { fixedBuild: '10.0.20348.770', supersedes: ['5013944'] }),
			fix('5014677', SERVER_2022_BOTH, {
				fixedBuild: '10.0.20348.770',
				subType: 'Security Hotpatch Update'
			})
		],
		{ severity: 'Critical', impact: 'Remote Code Execution', cvss: { score: 9.8 } }
	)
]);

const november2022 = month('2022-Nov', 'November 2022 Security Updates', '2022-11-08', [
	vulnerability(
		'CVE-2022-41073',
		'Windows Print Spooler Elevation of Privilege Vulnerability',
		SERVER_2022_BOTH,
		[
			fix('5019081', SERVER_2022_BOTH, { fixedBuild: '10.0.20348.1249', supersedes: ['5018421'] }),
			fix('5019080', SERVER_2022_BOTH, {
				fixedBuild: '10.0.20348.1251',
				subType: 'Security Hotpatch Update'
			})
		],
		{ exploited: true }
	),
	vulnerability(
		'CVE-2022-37967',
		'Windows Kerberos Elevation of Privilege Vulnerability',
		SERVER_2022_BOTH,
		[fix('5019081', SERVER_2022_BOTH, { fixedBuild: '10.0.20348.1249', supersedes: ['5018421'] })],
		{ cvss: { score: 7.2 } }
	)
]);

const december2022 = month('2022-Dec', 'December 2022 Security Updates', '2022-12-13', [
	vulnerability(
		'CVE-2022-44698',
		'Windows SmartScreen Security Feature Bypass Vulnerability',
		SERVER_2022_BOTH,
		[fix('5021249', SERVER_2022_BOTH, { fixedBuild: '10.0.20348.1366', supersedes: ['5019081'] })],
		{
			severity: 'Moderate',
			impact: 'Security Feature Bypass',
			exploited: true,
			cvss: { score: 5.4 }
		}
	),
	// Re-listed in December with the December update (a later revision of the same CVE).
	vulnerability(
		'CVE-2022-37967',
		'Windows Kerberos Elevation of Privilege Vulnerability',
		SERVER_2022_BOTH,
		[fix('5021249', SERVER_2022_BOTH, { fixedBuild: '10.0.20348.1366', supersedes: ['5019081'] })],
		{ cvss: { score: 7.2 } }
	),
	vulnerability(
		'CVE-2022-41089',
		'.NET Framework Remote Code Execution Vulnerability',
		DOTNET_ON_2022,
		[
			fix('5021095', DOTNET_ON_2022, {
				fixedBuild: '04590.02',
				supersedes: ['5020692', '5018860', '5018551']
			})
		],
		{ impact: 'Remote Code Execution', cvss: { score: 8.8 } }
	),
	vulnerability(
		'ADV220005',
		'Guidance on Microsoft Signed Drivers Being Used Maliciously',
		SERVER_2022_BOTH,
		[],
		{ severity: undefined, impact: undefined, cvss: undefined }
	)
]);

const january2023 = month('2023-Jan', 'January 2023 Security Updates', '2023-01-10', [
	vulnerability(
		'CVE-2023-21674',
		'Windows Advanced Local Procedure Call (ALPC) Elevation of Privilege Vulnerability',
		SERVER_2022_BOTH,
		[
			fix('5022291', SERVER_2022_BOTH, { fixedBuild: '10.0.20348.1487', supersedes: ['5021249'] }),
			// A Windows 11 22H2 update wrongly attached to Server 2022 (issue #120, §2.3).
			fix('5022303', SERVER_2022_BOTH, { fixedBuild: '10.0.22621.1105', supersedes: ['5021255'] })
		],
		{ exploited: true, cvss: { score: 8.8 } }
	),
	// Only the wrong-prefix remediation: there is no Server 2022 build to compare with.
	vulnerability(
		'CVE-2023-21549',
		'Windows SMB Witness Service Elevation of Privilege Vulnerability',
		SERVER_2022_BOTH,
		[fix('5022303', SERVER_2022_BOTH, { fixedBuild: '10.0.22621.1105', supersedes: ['5021255'] })],
		{ cvss: { score: 8.8 } }
	),
	vulnerability(
		'CVE-2023-21538',
		'.NET Denial of Service Vulnerability',
		DOTNET_ON_2022,
		[fix('5022507', DOTNET_ON_2022, { fixedBuild: '04590.03', supersedes: ['5021095'] })],
		{ impact: 'Denial of Service', cvss: { score: 7.5 } }
	)
]);

/** Builds a fresh test index (a new object each call, so memoisation is exercised per test). */
export function testIndex(): MsrcIndex {
	return {
		format: 1,
		generatedAt: '2023-01-20T00:00:00Z',
		months: structuredClone([
			october2020,
			november2020,
			may2021,
			june2022,
			november2022,
			december2022,
			january2023
		])
	};
}

/** A CBS package record for a KB in the given state. */
export function kbPackage(kb: string, stateName: ServicingPackage['stateName'] = 'Installed') {
	const name = `Package_for_KB${kb}~31bf3856ad364e35~amd64~~10.0.1.0`;
	return { name, kb: `KB${kb}`, kind: 'kb', stateName } satisfies ServicingPackage;
}
