/**
 * CycloneDX 1.6 JSON SBOM of one scanned image, built with @cyclonedx/cyclonedx-library (its
 * browser bundle in the app, its Node build in tests; only models and the JSON serializer are
 * used, which need no optional dependency).
 *
 * Shape (layers-and-hives.md §6, after Trivy's and Syft's conventions):
 *
 *     metadata.component  container         the input file
 *     components[]        operating-system  Windows (CPE, purl, mullion:* properties)
 *                           └ components[]  library           one per CBS servicing package
 *                         framework         one per .NET Framework
 *                         application       one per Uninstall entry
 *     dependencies        image → OS, .NET, programs; OS → packages; .NET, programs → OS
 *     vulnerabilities[]   one per open CVE: MSRC source, ratings, affects, recommendation, analysis
 *
 * CBS packages are `library` components: CycloneDX recommends `library` for a reusable part that
 * is neither a framework nor a standalone application, and Trivy and Syft type OS packages (dpkg,
 * rpm) the same way, so consumers treat them alike.
 */
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Finding, MatchResult } from '../msrc/match';
import {
	dotNetVersionsInName,
	isDotNetFrameworkName,
	normaliseDotNetVersion
} from '../msrc/products';
import type { Severity } from '../msrc/types';
import { isServerInstallation } from '../windows/family';
import type {
	DotNetFramework,
	InstalledProgram,
	ServicingPackage,
	WindowsFacts
} from '../windows/types';
import type { ScanInput, ScanResult } from './types';

export interface CycloneDxOptions {
	/** Mullion's version, recorded as the tool. */
	toolVersion: string;
	/** metadata.timestamp; defaults to the scan time, so that equal inputs give equal output. */
	now?: Date;
	/** `urn:uuid:…`; omitted when not given (pass one from `crypto.randomUUID()`). */
	serialNumber?: string;
}

const MICROSOFT = 'Microsoft Corporation';
const PROPERTY_PREFIX = 'mullion:';
const MSRC_VULNERABILITY_URL = 'https://msrc.microsoft.com/update-guide/vulnerability/';

/** Server build → NVD CPE product (layers-and-hives.md §6); semi-annual releases by version. */
const SERVER_CPE_PRODUCTS: ReadonlyMap<number, string> = new Map([
	[14393, 'windows_server_2016'],
	[16299, 'windows_server_1709'],
	[17134, 'windows_server_1803'],
	[17763, 'windows_server_2019'],
	[18362, 'windows_server_1903'],
	[18363, 'windows_server_1909'],
	[19041, 'windows_server_2004'],
	[19042, 'windows_server_20h2'],
	[20348, 'windows_server_2022'],
	[25398, 'windows_server_2022_23h2'],
	[26100, 'windows_server_2025']
]);

/**
 * The CycloneDX 1.6 JSON document (two-space indented) for a scan result and, when given, its
 * MSRC match. Deterministic for equal inputs and options. Never fails on well-typed input.
 */
export function buildCycloneDx(
	result: ScanResult,
	match: MatchResult | undefined,
	options: CycloneDxOptions
): string {
	const bom = new Models.Bom();
	if (options.serialNumber !== undefined) bom.serialNumber = options.serialNumber;
	bom.metadata = buildMetadata(result, match, options);
	const refs = new BomRefAllocator();
	const tree = buildComponentTree(result.facts, refs);
	const image = imageComponent(result, refs);
	bom.metadata.component = image;
	bom.components.add(tree.os);
	for (const component of [...tree.dotnet, ...tree.programs]) bom.components.add(component);
	for (const component of [tree.os, ...tree.dotnet, ...tree.programs]) {
		image.dependencies.add(component.bomRef);
	}
	if (match !== undefined) addVulnerabilities(bom, match, tree, refs);
	const serializer = new Serialize.JsonSerializer(
		new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6)
	);
	return serializer.serialize(bom, { sortLists: false, space: 2 });
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Hands out unique bom-ref values (the library would replace duplicates with random ones). */
class BomRefAllocator {
	readonly #used = new Set<string>();
	/** Per wanted value, the next suffix to try: repeats of one name cost no rescan from #2. */
	readonly #nextSuffix = new Map<string, number>();

	unique(wanted: string): string {
		let value = wanted;
		let suffix = this.#nextSuffix.get(wanted) ?? 2;
		while (this.#used.has(value)) value = `${wanted}#${suffix++}`;
		this.#nextSuffix.set(wanted, suffix);
		this.#used.add(value);
		return value;
	}
}

/** Adds `mullion:<name>` properties for the defined values, in the order given. */
function addProperties(
	properties: Models.PropertyRepository,
	values: ReadonlyArray<[string, string | number | boolean | undefined]>
): void {
	for (const [name, value] of values) {
		if (value !== undefined)
			properties.add(new Models.Property(PROPERTY_PREFIX + name, String(value)));
	}
}

// ---------------------------------------------------------------------------------------------
// Metadata and the image

function buildMetadata(
	result: ScanResult,
	match: MatchResult | undefined,
	options: CycloneDxOptions
): Models.Metadata {
	const timestamp = options.now ?? new Date(result.scannedAt);
	const metadata = new Models.Metadata();
	if (!Number.isNaN(timestamp.getTime())) metadata.timestamp = timestamp;
	const tool = new Models.Component(Enums.ComponentType.Application, 'mullion', {
		version: options.toolVersion,
		description: 'Windows container image scanner (in the browser)'
	});
	metadata.tools.components.add(tool);
	for (const note of match?.notes ?? []) addProperties(metadata.properties, [['note', note]]);
	return metadata;
}

function imageComponent(result: ScanResult, refs: BomRefAllocator): Models.Component {
	const input: ScanInput = result.input;
	const image = new Models.Component(Enums.ComponentType.Container, input.name || 'image', {
		bomRef: refs.unique('image')
	});
	addProperties(image.properties, [
		['inputSize', input.size],
		['compression', input.compression],
		['scannedAt', result.scannedAt],
		['hivePath', result.hive.path],
		['hiveDirty', result.hive.dirty]
	]);
	return image;
}

// ---------------------------------------------------------------------------------------------
// Windows, its packages, .NET and programs

interface ComponentTree {
	os: Models.Component;
	packages: Models.Component[];
	/** One per `dotnetFrameworks` entry, same order. */
	dotnet: Models.Component[];
	dotnetFrameworks: DotNetFramework[];
	programs: Models.Component[];
}

function buildComponentTree(facts: WindowsFacts, refs: BomRefAllocator): ComponentTree {
	const os = osComponent(facts, refs);
	const packages = facts.packages.map((item) => packageComponent(item, refs));
	for (const component of packages) {
		os.components.add(component);
		os.dependencies.add(component.bomRef);
	}
	const dotnet = facts.dotnet.map((framework) => dotNetComponent(framework, refs));
	const programs = facts.programs.map((program) => programComponent(program, refs));
	for (const component of [...dotnet, ...programs]) component.dependencies.add(os.bomRef);
	return { os, packages, dotnet, dotnetFrameworks: facts.dotnet, programs };
}

/** The NVD CPE product of the image's Windows, e.g. `windows_server_2022`, when known. */
export function windowsCpeProduct(
	facts: Pick<WindowsFacts, 'build' | 'installationType' | 'family'>
) {
	if (isServerInstallation(facts.installationType)) return SERVER_CPE_PRODUCTS.get(facts.build);
	const client = /^Windows (10|11) version (\w+)$/.exec(facts.family);
	return client === null ? undefined : `windows_${client[1]}_${client[2]?.toLowerCase()}`;
}

function osComponent(facts: WindowsFacts, refs: BomRefAllocator): Models.Component {
	const cpeProduct = windowsCpeProduct(facts);
	const name = isServerInstallation(facts.installationType) ? 'windows-server' : 'windows';
	const os = new Models.Component(Enums.ComponentType.OperatingSystem, name, {
		bomRef: refs.unique('os'),
		version: facts.version,
		publisher: MICROSOFT,
		description: facts.family,
		purl: `pkg:generic/microsoft/${cpeProduct ?? name}@${facts.version}`
	});
	if (cpeProduct !== undefined) os.cpe = `cpe:2.3:o:microsoft:${cpeProduct}:-:*:*:*:*:*:*:*`;
	addProperties(os.properties, osProperties(facts));
	return os;
}

function osProperties(facts: WindowsFacts): Array<[string, string | boolean | undefined]> {
	return [
		['family', facts.family],
		['installationType', facts.installationType],
		['editionId', facts.editionId],
		['productName', facts.productName],
		['displayVersion', facts.displayVersion],
		['releaseId', facts.releaseId],
		['buildLabEx', facts.buildLabEx],
		['msrcProductId', facts.msrcProduct?.id],
		['msrcProductName', facts.msrcProduct?.name],
		['msrcProductApproximate', facts.msrcProduct?.approximate],
		['msrcProductReason', facts.msrcProduct?.reason],
		['iisVersion', facts.iisVersion],
		['powershellVersion', facts.powershellVersion]
	];
}

function packageComponent(item: ServicingPackage, refs: BomRefAllocator): Models.Component {
	const component = new Models.Component(Enums.ComponentType.Library, item.name, {
		bomRef: refs.unique(`package:${item.name}`),
		version: item.version
	});
	addProperties(component.properties, [
		['kb', item.kb],
		['packageKind', item.kind],
		['cbsState', item.stateName],
		[
			'cbsCurrentState',
			item.state === undefined ? undefined : `0x${(item.state >>> 0).toString(16)}`
		],
		['installTime', item.installTime]
	]);
	return component;
}

function dotNetComponent(framework: DotNetFramework, refs: BomRefAllocator): Models.Component {
	const component = new Models.Component(Enums.ComponentType.Framework, '.NET Framework', {
		bomRef: refs.unique(`dotnet:${framework.version}`),
		version: framework.version,
		publisher: MICROSOFT
	});
	if (/^\d{1,4}(?:\.\d{1,6}){0,3}$/.test(framework.version)) {
		component.cpe = `cpe:2.3:a:microsoft:.net_framework:${framework.version}:*:*:*:*:*:*:*`;
	}
	addProperties(component.properties, [
		['dotnetRelease', framework.release],
		['dotnetRawVersion', framework.rawVersion]
	]);
	return component;
}

function programComponent(program: InstalledProgram, refs: BomRefAllocator): Models.Component {
	const component = new Models.Component(Enums.ComponentType.Application, program.name, {
		bomRef: refs.unique(`program:${program.view}:${program.key}`),
		version: program.version,
		publisher: program.publisher
	});
	addProperties(component.properties, [
		['uninstallKey', program.key],
		['registryView', program.view]
	]);
	return component;
}

// ---------------------------------------------------------------------------------------------
// Vulnerabilities

const MSRC_SEVERITIES: Readonly<Record<Severity, Enums.Vulnerability.Severity>> = {
	Critical: Enums.Vulnerability.Severity.Critical,
	Important: Enums.Vulnerability.Severity.High,
	Moderate: Enums.Vulnerability.Severity.Medium,
	Low: Enums.Vulnerability.Severity.Low
};

function addVulnerabilities(
	bom: Models.Bom,
	match: MatchResult,
	tree: ComponentTree,
	refs: BomRefAllocator
): void {
	const dotNetProductIds = new Set(
		match.judgedProducts.filter((product) => product.kind === 'dotnet').map((product) => product.id)
	);
	for (const findings of groupByCve(match.findings)) {
		const affected = findings.flatMap((finding) =>
			affectedComponents(finding, dotNetProductIds, tree)
		);
		bom.vulnerabilities.add(vulnerability(findings, [...new Set(affected)], refs));
	}
}

/** Findings grouped by CVE, groups in order of first appearance (the matcher's order). */
function groupByCve(findings: readonly Finding[]): Finding[][] {
	const groups = new Map<string, Finding[]>();
	for (const finding of findings) {
		const group = groups.get(finding.cve);
		if (group === undefined) groups.set(finding.cve, [finding]);
		else group.push(finding);
	}
	return [...groups.values()];
}

/** .NET findings affect the .NET component(s) their product names; others affect the OS. */
function affectedComponents(
	finding: Finding,
	dotNetProductIds: ReadonlySet<string>,
	tree: ComponentTree
): Models.Component[] {
	const isDotNet =
		dotNetProductIds.has(finding.product) || isDotNetFrameworkName(finding.productName);
	if (!isDotNet || tree.dotnet.length === 0) return [tree.os];
	const versions = new Set(dotNetVersionsInName(finding.productName));
	const named = tree.dotnet.filter((_, index) => {
		const framework = tree.dotnetFrameworks[index];
		return framework !== undefined && versions.has(normaliseDotNetVersion(framework.version));
	});
	return named.length > 0 ? named : tree.dotnet;
}

function vulnerability(
	findings: readonly Finding[],
	affected: readonly Models.Component[],
	refs: BomRefAllocator
): Models.Vulnerability.Vulnerability {
	const first = findings[0] as Finding;
	const rated = findings.reduce((best, each) =>
		(each.cvss ?? -1) > (best.cvss ?? -1) ? each : best
	);
	const entry = new Models.Vulnerability.Vulnerability({
		bomRef: refs.unique(`vulnerability:${first.cve}`),
		id: first.cve,
		source: msrcSource(first.cve),
		description: first.title,
		recommendation: findings.map(recommendation).join(' '),
		analysis: analysis(findings)
	});
	for (const rating of ratings(rated)) entry.ratings.add(rating);
	for (const component of affected)
		entry.affects.add(new Models.Vulnerability.Affect(component.bomRef));
	for (const advisory of advisories(findings)) entry.advisories.add(advisory);
	addProperties(entry.properties, vulnerabilityProperties(first, findings));
	return entry;
}

function msrcSource(cve: string): Models.Vulnerability.Source {
	return new Models.Vulnerability.Source({
		name: 'MSRC',
		url: MSRC_VULNERABILITY_URL + encodeURIComponent(cve)
	});
}

/** A CVSS rating (method from the vector prefix) and MSRC's own severity rating. */
function ratings(finding: Finding): Models.Vulnerability.Rating[] {
	const list: Models.Vulnerability.Rating[] = [];
	if (finding.cvss !== undefined) {
		list.push(
			new Models.Vulnerability.Rating({
				source: msrcSource(finding.cve),
				score: finding.cvss,
				severity: cvssSeverity(finding.cvss),
				method: cvssMethod(finding.cvssVector),
				vector: finding.cvssVector
			})
		);
	}
	if (finding.severity !== undefined) {
		list.push(
			new Models.Vulnerability.Rating({
				source: msrcSource(finding.cve),
				severity: MSRC_SEVERITIES[finding.severity],
				method: Enums.Vulnerability.RatingMethod.Other,
				justification: `MSRC severity: ${finding.severity}`
			})
		);
	}
	return list;
}

/** CVSS v3 qualitative rating scale (FIRST CVSS v3.1 specification §5). */
function cvssSeverity(score: number): Enums.Vulnerability.Severity {
	if (score >= 9) return Enums.Vulnerability.Severity.Critical;
	if (score >= 7) return Enums.Vulnerability.Severity.High;
	if (score >= 4) return Enums.Vulnerability.Severity.Medium;
	if (score > 0) return Enums.Vulnerability.Severity.Low;
	return Enums.Vulnerability.Severity.None;
}

/** `CVSS:3.1/…` → CVSSv31, `CVSS:4.0/…` → CVSSv4, `CVSS:3.0/…` or none (MSRC scores v3) → CVSSv3. */
function cvssMethod(vector: string | undefined): Enums.Vulnerability.RatingMethod {
	if (vector?.startsWith('CVSS:3.1/')) return Enums.Vulnerability.RatingMethod.CVSSv31;
	if (vector?.startsWith('CVSS:4.0/')) return Enums.Vulnerability.RatingMethod.CVSSv4;
	return Enums.Vulnerability.RatingMethod.CVSSv3;
}

function recommendation(finding: Finding): string {
	const fix = finding.fix;
	if (fix === undefined) return `${finding.productName}: no fix available from Microsoft.`;
	const build = fix.fixedBuild === undefined ? '' : ` (fixed build ${fix.fixedBuild})`;
	return `${finding.productName}: install KB${fix.kb}${build} or a later update that supersedes it.`;
}

/** `kb`-judged findings are `in_triage` (lower confidence); build and no-fix ones `exploitable`. */
function analysis(findings: readonly Finding[]): Models.Vulnerability.Analysis {
	const inTriage = findings.every((finding) => finding.confidence === 'kb');
	const noFix = findings.every((finding) => finding.confidence === 'no-fix');
	const result = new Models.Vulnerability.Analysis({
		state: inTriage
			? Enums.Vulnerability.AnalysisState.InTriage
			: Enums.Vulnerability.AnalysisState.Exploitable,
		detail: findings.map((finding) => `${finding.productName}: ${finding.reason}`).join(' ')
	});
	result.response.add(
		noFix
			? Enums.Vulnerability.AnalysisResponse.CanNotFix
			: Enums.Vulnerability.AnalysisResponse.Update
	);
	return result;
}

/** The fix KB pages, when MSRC gives a plain http(s) URL. */
function advisories(findings: readonly Finding[]): Models.Vulnerability.Advisory[] {
	const urls = new Map<string, string>();
	for (const finding of findings) {
		const url = finding.fix?.url;
		if (url !== undefined && /^https?:\/\/[^\s"<>\\^`{|}]+$/.test(url))
			urls.set(url, `KB${finding.fix?.kb}`);
	}
	return [...urls].map(([url, title]) => new Models.Vulnerability.Advisory(url, { title }));
}

function vulnerabilityProperties(
	first: Finding,
	findings: readonly Finding[]
): Array<[string, string | boolean | undefined]> {
	return [
		['exploited', findings.some((finding) => finding.exploited)],
		['publiclyDisclosed', findings.some((finding) => finding.publiclyDisclosed)],
		['impact', first.impact],
		['msrcMonth', first.month],
		...findings.map((finding): [string, string] => ['msrcProductId', finding.product]),
		...findings.map((finding): [string, string] => ['confidence', finding.confidence])
	];
}
