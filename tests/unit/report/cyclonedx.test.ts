/**
 * The CycloneDX SBOM: valid against the official CycloneDX 1.6 JSON schema (strict, offline: the
 * schemas ship inside @cyclonedx/cyclonedx-library), deterministic, and carrying the image, the
 * OS (version, CPE, purl, MSRC product), packages, .NET, programs and one vulnerability per open
 * CVE affecting the right component.
 */
import { describe, expect, it } from 'vitest';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { buildCycloneDx, windowsCpeProduct } from '$lib/report/cyclonedx';
import type { ScanResult } from '$lib/report/types';
import { sampleMatchResult, sampleScanResult } from './sample';

const OPTIONS = {
	toolVersion: '0.1.0',
	now: new Date('2024-03-05T13:00:00Z'),
	serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79'
};

interface JsonComponent {
	type: string;
	name: string;
	version?: string;
	'bom-ref': string;
	cpe?: string;
	purl?: string;
	properties?: Array<{ name: string; value: string }>;
	components?: JsonComponent[];
}

interface JsonVulnerability {
	id: string;
	source: { name: string; url: string };
	ratings: Array<{ score?: number; severity: string; method: string; vector?: string }>;
	affects: Array<{ ref: string }>;
	recommendation: string;
	analysis: { state: string; response: string[]; detail: string };
	properties: Array<{ name: string; value: string }>;
}

interface JsonBom {
	bomFormat: string;
	specVersion: string;
	serialNumber?: string;
	metadata: { timestamp: string; component: JsonComponent; tools: { components: JsonComponent[] } };
	components: JsonComponent[];
	dependencies: Array<{ ref: string; dependsOn?: string[] }>;
	vulnerabilities?: JsonVulnerability[];
}

async function expectValid(json: string): Promise<void> {
	const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
	expect(await validator.validate(json)).toBeNull();
}

function property(
	component: { properties?: Array<{ name: string; value: string }> },
	name: string
) {
	return component.properties?.find((each) => each.name === name)?.value;
}

describe('buildCycloneDx', () => {
	const json = buildCycloneDx(sampleScanResult(), sampleMatchResult(), OPTIONS);
	const bom = JSON.parse(json) as JsonBom;
	const os = bom.components.find((component) => component.type === 'operating-system');

	it('validates against the CycloneDX 1.6 strict JSON schema, with and without a match', async () => {
		expect(bom.specVersion).toBe('1.6');
		await expectValid(json);
		await expectValid(buildCycloneDx(sampleScanResult(), undefined, { toolVersion: '0.1.0' }));
		// the validator is not vacuous: a wrong component type fails
		const broken = JSON.parse(json) as JsonBom;
		if (broken.components[0] !== undefined) broken.components[0].type = 'banana';
		const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
		expect(await validator.validate(JSON.stringify(broken))).not.toBeNull();
	});

	it('is deterministic, and uses the injected serial number and timestamp', () => {
		expect(buildCycloneDx(sampleScanResult(), sampleMatchResult(), OPTIONS)).toBe(json);
		expect(bom.serialNumber).toBe(OPTIONS.serialNumber);
		expect(bom.metadata.timestamp).toBe('2024-03-05T13:00:00.000Z');
		const defaults = JSON.parse(
			buildCycloneDx(sampleScanResult(), undefined, { toolVersion: 'x' })
		);
		expect(defaults.metadata.timestamp).toBe('2024-03-05T12:34:56.789Z');
		expect(defaults.serialNumber).toBeUndefined();
	});

	it('describes the image as a container named after the input file, with size and compression', () => {
		const image = bom.metadata.component;
		expect(image).toMatchObject({ type: 'container', name: 'servercore-ltsc2022-1366.tar.gz' });
		expect(property(image, 'mullion:inputSize')).toBe('1487311872');
		expect(property(image, 'mullion:compression')).toBe('gzip');
		expect(bom.metadata.tools.components[0]).toMatchObject({ name: 'mullion', version: '0.1.0' });
	});

	it('gives the OS its full version, CPE, purl and MSRC product properties', () => {
		expect(os).toMatchObject({
			name: 'windows-server',
			version: '10.0.20348.1366',
			cpe: 'cpe:2.3:o:microsoft:windows_server_2022:-:*:*:*:*:*:*:*',
			purl: 'pkg:generic/microsoft/windows_server_2022@10.0.20348.1366'
		});
		expect(property(os ?? {}, 'mullion:installationType')).toBe('Server Core');
		expect(property(os ?? {}, 'mullion:editionId')).toBe('ServerDatacenter');
		expect(property(os ?? {}, 'mullion:msrcProductId')).toBe('11924');
		expect(property(os ?? {}, 'mullion:msrcProductApproximate')).toBe('false');
		expect(property(os ?? {}, 'mullion:productName')).toBe('Windows Server 2022 Datacenter');
	});

	it('nests every servicing package under the OS as a library with KB and CBS state', () => {
		expect(os?.components).toHaveLength(240);
		const rollupPart = os?.components?.find((component) =>
			component.name.startsWith('Package_7_for_KB5021249')
		);
		expect(rollupPart).toMatchObject({ type: 'library', version: '20348.1366.1.9' });
		expect(property(rollupPart ?? {}, 'mullion:kb')).toBe('KB5021249');
		expect(property(rollupPart ?? {}, 'mullion:cbsState')).toBe('Staged');
		const osDependencies = bom.dependencies.find((dependency) => dependency.ref === 'os');
		expect(osDependencies?.dependsOn).toHaveLength(240);
	});

	it('lists .NET as a framework and programs as applications, all depending on the OS', () => {
		const types = bom.components.map((component) => component.type);
		expect(types).toEqual(['operating-system', 'framework', 'application', 'application']);
		expect(bom.components[1]).toMatchObject({ name: '.NET Framework', version: '4.8' });
		const image = bom.dependencies.find((dependency) => dependency.ref === 'image');
		expect(image?.dependsOn).toHaveLength(4);
		for (const component of bom.components.slice(1)) {
			const dependency = bom.dependencies.find((each) => each.ref === component['bom-ref']);
			expect(dependency?.dependsOn).toEqual(['os']);
		}
	});

	it('has one vulnerability per open CVE, with MSRC source, ratings, analysis and properties', () => {
		const match = sampleMatchResult();
		expect(bom.vulnerabilities).toHaveLength(match.openCount);
		const alpc = bom.vulnerabilities?.find((entry) => entry.id === 'CVE-2023-21674');
		expect(alpc?.source).toEqual({
			name: 'MSRC',
			url: 'https://msrc.microsoft.com/update-guide/vulnerability/CVE-2023-21674'
		});
		expect(alpc?.ratings[0]).toMatchObject({ score: 8.8, severity: 'high', method: 'CVSSv31' });
		expect(alpc?.ratings[1]).toMatchObject({ severity: 'high', method: 'other' });
		expect(alpc?.affects).toEqual([{ ref: 'os' }]);
		expect(alpc?.recommendation).toContain('KB5022291 (fixed build 10.0.20348.1487)');
		expect(alpc?.analysis).toMatchObject({ state: 'exploitable', response: ['update'] });
		expect(property(alpc ?? {}, 'mullion:exploited')).toBe('true');
		expect(property(alpc ?? {}, 'mullion:publiclyDisclosed')).toBe('true');
	});

	it('takes the CVSS method from the vector prefix (3.0 → CVSSv3)', () => {
		const sstp = bom.vulnerabilities?.find((entry) => entry.id === 'CVE-2023-21548');
		expect(sstp?.ratings[0]).toMatchObject({ method: 'CVSSv3', severity: 'high' });
		expect(sstp?.ratings[1]).toMatchObject({ severity: 'critical', method: 'other' });
	});

	it('points a .NET finding at the .NET component; KB-judged is in triage, no-fix cannot be fixed', () => {
		const dotNet = bom.vulnerabilities?.find((entry) => entry.id === 'CVE-2023-21538');
		expect(dotNet?.affects).toEqual([{ ref: 'dotnet:4.8' }]);
		expect(dotNet?.analysis.state).toBe('in_triage');
		const noFix = bom.vulnerabilities?.find((entry) => entry.id === 'ADV990001');
		expect(noFix?.analysis.response).toEqual(['can_not_fix']);
		expect(noFix?.ratings ?? []).toHaveLength(0);
	});

	it('merges one CVE open for the OS and for .NET into one vulnerability affecting both', async () => {
		const match = sampleMatchResult();
		const osFinding = match.findings[0];
		if (osFinding === undefined) throw new Error('sample has findings');
		match.findings.push({
			...osFinding,
			product: '12079-11924',
			productName: 'Microsoft .NET Framework 4.8 on Windows Server 2022 (Server Core installation)'
		});
		const merged = JSON.parse(buildCycloneDx(sampleScanResult(), match, OPTIONS)) as JsonBom;
		const entry = merged.vulnerabilities?.find((each) => each.id === osFinding.cve);
		expect(entry?.affects).toEqual([{ ref: 'os' }, { ref: 'dotnet:4.8' }]);
		expect(merged.vulnerabilities).toHaveLength(match.openCount);
	});

	it('stays valid with duplicate identities, no packages, no CPE and hostile text', async () => {
		const result: ScanResult = sampleScanResult();
		result.facts.build = 99999;
		result.facts.family = 'Windows (build 99999)';
		result.facts.packages = [];
		result.facts.dotnet = [{ version: '4.8' }, { version: '4.8' }, { version: 'not a version' }];
		result.facts.programs.push({ name: '', view: '64-bit', key: 'Hostile' });
		result.input.name = '';
		result.scannedAt = 'not a time';
		const match = sampleMatchResult();
		for (const finding of match.findings) if (finding.fix) finding.fix.url = 'javascript:alert(1)';
		const output = buildCycloneDx(result, match, { toolVersion: '0.1.0' });
		await expectValid(output);
		const parsed = JSON.parse(output) as JsonBom;
		const refs = parsed.components.map((component) => component['bom-ref']);
		expect(new Set(refs).size).toBe(refs.length);
		expect(parsed.components[0]?.cpe).toBeUndefined();
	});
});

describe('windowsCpeProduct', () => {
	it('names the NVD product of each Server release and of Windows 10/11 clients', () => {
		const server = (build: number) =>
			windowsCpeProduct({ build, installationType: 'Server Core', family: '' });
		expect(server(14393)).toBe('windows_server_2016');
		expect(server(17763)).toBe('windows_server_2019');
		expect(server(18363)).toBe('windows_server_1909');
		expect(server(25398)).toBe('windows_server_2022_23h2');
		expect(server(26100)).toBe('windows_server_2025');
		expect(server(12345)).toBeUndefined();
		const client = windowsCpeProduct({
			build: 19045,
			installationType: 'Client',
			family: 'Windows 10 version 22H2'
		});
		expect(client).toBe('windows_10_22h2');
	});
});
