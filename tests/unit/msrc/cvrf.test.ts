/**
 * condenseCvrf on real MSRC documents (tests/fixtures/msrc, see NOTICE.md): the hand-checked
 * facts of msrc-cvrf.md §0, §4, §5.2 come out of the XML and JSON forms alike.
 */
import { describe, expect, it } from 'vitest';
import { condenseCvrf, parseExploitStatus, splitSupersedence } from '../../../src/lib/msrc/cvrf';
import { CONTAINER_SERVER_PRODUCT_IDS } from '../../../src/lib/msrc/cvrf-products';
import type { MsrcFix, MsrcMonth, MsrcVulnerability } from '../../../src/lib/msrc/types';
import { blockListsAffected, cveOfBlock, fixtureText, vulnerabilityBlocks } from './cvrf-fixtures';

const december2022Xml = fixtureText('cvrf-2022-Dec.raw-20260706.xml.gz');
const december2022 = condenseCvrf(december2022Xml);

function vulnerability(month: MsrcMonth, cve: string): MsrcVulnerability {
	const found = month.vulnerabilities.find((entry) => entry.cve === cve);
	if (!found) throw new Error(`${cve} not in ${month.id}`);
	return found;
}

function fixesFor(month: MsrcMonth, productId: string, kb: string): MsrcFix[] {
	return month.vulnerabilities.flatMap((entry) =>
		entry.fixes.filter((fix) => fix.kb === kb && fix.products.includes(productId))
	);
}

describe('condenseCvrf: 2022-Dec as served on 2026-07-06 (XML)', () => {
	it('reads the header, with dates as ISO UTC although the XML has no Z', () => {
		expect(december2022).toMatchObject({
			id: '2022-Dec',
			title: 'December 2022 Security Updates',
			initialReleaseDate: '2022-12-13T08:00:00Z',
			currentReleaseDate: '2026-02-21T01:44:02Z'
		});
	});

	it('finds the Server 2022, 2019 and 2016 cumulative updates of §0 with build and supersedence', () => {
		const expected = [
			{ products: ['11923', '11924'], kb: '5021249', build: '10.0.20348.1366', old: '5019081' },
			{ products: ['11571', '11572'], kb: '5021237', build: '10.0.17763.3770', old: '5019966' },
			{ products: ['10816', '10855'], kb: '5021235', build: '10.0.14393.5582', old: '5019964' }
		];
		for (const { products, kb, build, old } of expected) {
			for (const productId of products) {
				const fixes = fixesFor(december2022, productId, kb);
				expect(fixes.length, `${kb} on ${productId}`).toBeGreaterThan(0);
				for (const fix of fixes) {
					expect(fix).toMatchObject({ fixedBuild: build, subType: 'Security Update' });
					expect(fix.supersedes).toEqual([old]);
				}
			}
		}
	});

	it('counts 25 CVEs affecting Server 2022 Core (11924), the same as a plain text scan', () => {
		const scanned = vulnerabilityBlocks(december2022Xml).filter((block) =>
			blockListsAffected(block, '11924')
		);
		const condensed = december2022.vulnerabilities.filter((entry) =>
			entry.affected.includes('11924')
		);
		expect(condensed.map((entry) => entry.cve).sort()).toEqual(scanned.map(cveOfBlock).sort());
		expect(condensed).toHaveLength(25);
	});

	it('drops the 86 later-added Mariner CVEs and everything else without a kept product', () => {
		const blocks = vulnerabilityBlocks(december2022Xml);
		const mariner = blocks
			.filter((block) => /Type="Tag"[^>]*>Mariner</.test(block))
			.map(cveOfBlock);
		expect(blocks).toHaveLength(165);
		expect(mariner).toHaveLength(86);
		const kept = new Set(december2022.vulnerabilities.map((entry) => entry.cve));
		for (const cve of mariner) expect(kept.has(cve), cve).toBe(false);
		expect(december2022.vulnerabilities).toHaveLength(27);
	});

	it('keeps only container Server products and .NET Framework on them, by ProductID', () => {
		for (const [productId, name] of Object.entries(december2022.products)) {
			const osId = productId.split('-').at(-1) ?? '';
			expect(CONTAINER_SERVER_PRODUCT_IDS.has(osId), productId).toBe(true);
			if (productId.includes('-')) expect(name).toContain('.NET Framework');
		}
		expect(december2022.products['12079-11924']).toBe(
			'Microsoft .NET Framework 3.5 AND 4.8.1 on Windows Server 2022 (Server Core installation)'
		);
		for (const entry of december2022.vulnerabilities) {
			const named = [...entry.affected, ...entry.fixes.flatMap((fix) => fix.products)];
			expect(named.length, entry.cve).toBeGreaterThan(0);
			for (const productId of named) expect(december2022.products).toHaveProperty([productId]);
		}
	});

	it('keeps the .NET composite product with its own KB and non-OS FixedBuild (§5.2)', () => {
		expect(fixesFor(december2022, '12079-11924', '5021095')).toEqual([
			{
				kb: '5021095',
				fixedBuild: '09115.01',
				subType: 'Security Update',
				supersedes: ['5020692', '5018860', '5018551'],
				url: 'https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB5020883',
				products: ['12079-11923', '12079-11924']
			}
		]);
		expect(vulnerability(december2022, 'CVE-2022-41089').affected).toContain('12079-11924');
	});

	it('reads severity, impact, exploit flags and the highest CVSS over kept products', () => {
		expect(vulnerability(december2022, 'CVE-2022-44698')).toMatchObject({
			title: 'Windows SmartScreen Security Feature Bypass Vulnerability',
			severity: 'Moderate',
			impact: 'Security Feature Bypass',
			exploited: true,
			publiclyDisclosed: false,
			cvss: {
				score: 5.4,
				vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:L/E:F/RL:O/RC:C'
			},
			affected: ['11571', '11923', '10816']
		});
	});

	it('keeps no HTML (descriptions, FAQs, notes are not in the index)', () => {
		expect(JSON.stringify(december2022)).not.toMatch(/<p>|&lt;|<\/?strong>/);
	});

	it('gives the same result with and without skipping unrelated parts unparsed', () => {
		expect(condenseCvrf(december2022Xml, { fullParse: true })).toEqual(december2022);
	});
});

describe('condenseCvrf: the 3-CVE excerpt of 2022-Dec', () => {
	const excerpt = condenseCvrf(fixtureText('cvrf-2022-Dec.excerpt-3cves.raw-20260706.xml.gz'));

	it('condenses the critical SSTP CVE exactly as hand-checked against the XML', () => {
		const url = (kb: string) =>
			`https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB${kb}`;
		const fix = (kb: string, fixedBuild: string, old: string, products: string[]) => ({
			kb,
			fixedBuild,
			subType: 'Security Update',
			supersedes: [old],
			url: url(kb),
			products
		});
		expect(vulnerability(excerpt, 'CVE-2022-44676')).toEqual({
			cve: 'CVE-2022-44676',
			title: 'Windows Secure Socket Tunneling Protocol (SSTP) Remote Code Execution Vulnerability',
			severity: 'Critical',
			impact: 'Remote Code Execution',
			exploited: false,
			publiclyDisclosed: false,
			cvss: { score: 8.1, vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C' },
			affected: ['11571', '11572', '11923', '11924', '10816', '10855'],
			fixes: [
				fix('5021237', '10.0.17763.3770', '5019966', ['11571', '11572']),
				fix('5021249', '10.0.20348.1366', '5019081', ['11923', '11924']),
				fix('5021235', '10.0.14393.5582', '5019964', ['10816', '10855'])
			]
		});
	});

	it('agrees with the full document on the CVEs both contain', () => {
		for (const entry of excerpt.vulnerabilities) {
			expect(entry).toEqual(vulnerability(december2022, entry.cve));
		}
	});
});

describe('condenseCvrf: hotpatch, Server 2025 and first FixedBuild month', () => {
	it('keeps 2022-Nov hotpatch fixes with their subType next to the normal CU', () => {
		const november = condenseCvrf(fixtureText('cvrf-2022-Nov.raw-20260706.xml.gz'));
		const hotpatch = fixesFor(november, '11924', '5019080');
		expect(hotpatch.length).toBeGreaterThan(0);
		expect(hotpatch[0]).toMatchObject({
			subType: 'Security Hotpatch Update',
			fixedBuild: '10.0.20348.1251'
		});
		expect(fixesFor(november, '11924', '5019081')[0]).toMatchObject({
			subType: 'Security Update',
			fixedBuild: '10.0.20348.1249'
		});
	});

	it('reads 2025-Dec: Server 2025 CU, an out-of-band Security Only fix, a fix with empty URL', () => {
		const month = condenseCvrf(fixtureText('cvrf-2025-Dec.raw-20260706.xml.gz'));
		expect(fixesFor(month, '12437', '5072033')[0]).toMatchObject({
			fixedBuild: '10.0.26100.7462'
		});
		expect(fixesFor(month, '11924', '5071547')[0]).toMatchObject({
			fixedBuild: '10.0.20348.4529'
		});
		const powershell = vulnerability(month, 'CVE-2025-54100');
		const securityOnly = powershell.fixes.find((fix) => fix.kb === '5074353');
		expect(securityOnly).toMatchObject({ subType: 'Security Only', fixedBuild: '10.0.20348.4467' });
		const noUrl = powershell.fixes.find((fix) => fix.kb === '5074204');
		expect(noUrl).toBeDefined();
		expect(noUrl).not.toHaveProperty('url');
	});

	it('reads 2021-May, where Server 2019 fixes first carry a FixedBuild', () => {
		const may = condenseCvrf(fixtureText('cvrf-2021-May.raw-20260706.xml.gz'));
		const server2019 = may.vulnerabilities.flatMap((entry) =>
			entry.fixes.filter((fix) => fix.products.includes('11572'))
		);
		expect(server2019.length).toBeGreaterThan(0);
		for (const fix of server2019) expect(fix.fixedBuild).toMatch(/^10\.0\.17763\.\d+$/);
	});
});

describe('condenseCvrf: the JSON form', () => {
	const jsonText = fixtureText('cvrf-2021-Jul-oob.json-sample.json');
	const july = condenseCvrf(jsonText);

	it('reads the real JSON sample with integer enums', () => {
		expect(july).toMatchObject({
			id: '2021-Jul',
			title: 'July 1, 2021 CVE Release',
			initialReleaseDate: '2021-07-01T07:00:00Z',
			currentReleaseDate: '2021-07-08T07:00:00Z'
		});
		expect(july.vulnerabilities).toHaveLength(1);
		expect(vulnerability(july, 'CVE-2021-34527')).toMatchObject({
			title: 'Windows Print Spooler Remote Code Execution Vulnerability',
			severity: 'Critical',
			impact: 'Remote Code Execution',
			exploited: true,
			publiclyDisclosed: true,
			cvss: { score: 8.8 },
			affected: ['11571', '11572', '11769', '11803', '10816', '10855']
		});
		expect(fixesFor(july, '11572', '5004947')).toEqual([
			{
				kb: '5004947',
				fixedBuild: '10.0.17763.2029',
				subType: 'Security Update',
				supersedes: ['5003646'],
				url: 'https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB5004947',
				products: ['11571', '11572']
			}
		]);
	});

	it('gives the same result when the enums are strings and dates lack Z (v3 drift, §1.5)', () => {
		for (const vendorFix of ['VendorFix', 'Vendor Fix']) {
			expect(condenseCvrf(withStringEnums(jsonText, vendorFix))).toEqual(july);
		}
	});

	it('accepts a byte-order mark and leading white space', () => {
		expect(condenseCvrf(`\uFEFF \n${jsonText}`)).toEqual(july);
	});
});

const THREAT_NAMES: Record<number, string> = { 0: 'Impact', 1: 'Exploit Status', 3: 'Severity' };

/** The JSON sample rewritten with v3-style string enums and zone-less dates. */
function withStringEnums(jsonText: string, vendorFix: string): string {
	const document = JSON.parse(jsonText);
	const tracking = document.DocumentTracking;
	tracking.InitialReleaseDate = tracking.InitialReleaseDate.replace('Z', '');
	tracking.CurrentReleaseDate = tracking.CurrentReleaseDate.replace('Z', '');
	for (const entry of document.Vulnerability) {
		for (const status of entry.ProductStatuses) status.Type = 'Known Affected';
		for (const threat of entry.Threats) threat.Type = THREAT_NAMES[threat.Type] ?? threat.Type;
		for (const remediation of entry.Remediations) {
			remediation.Type =
				remediation.Type === 2
					? vendorFix
					: remediation.Type === 5
						? 'KnownIssue'
						: remediation.Type;
		}
	}
	return JSON.stringify(document);
}

describe('condenseCvrf: small readers', () => {
	it('parses the Exploit Status string, missing keys meaning No', () => {
		expect(parseExploitStatus('Publicly Disclosed:Yes;Exploited:Yes;DOS:N/A')).toEqual({
			exploited: true,
			publiclyDisclosed: true
		});
		expect(parseExploitStatus('DOS:N/A')).toEqual({ exploited: false, publiclyDisclosed: false });
		expect(parseExploitStatus('Publicly Disclosed:No;Exploited:Yes')).toEqual({
			exploited: true,
			publiclyDisclosed: false
		});
	});

	it('splits Supercedence on commas, semicolons and spaces, keeping only KB numbers', () => {
		expect(splitSupersedence('5020692, 5018860, 5018551')).toEqual([
			'5020692',
			'5018860',
			'5018551'
		]);
		expect(splitSupersedence('MS16-087;KB3163912 3163912  4019472')).toEqual([
			'3163912',
			'4019472'
		]);
		expect(splitSupersedence('')).toEqual([]);
	});
});
