/**
 * readWindowsFacts on the generated SOFTWARE hives (tests/fixtures/software/, built by
 * generate.sh with hivexregedit from .reg text). Each hive is read with Mullion's own hive
 * reader; the expectations are partly written out (what a user sees) and partly derived from
 * the .reg text by an independent parser, so the facts read must equal the text the hive was
 * made from.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isMullionError } from '$lib/errors';
import { openHive } from '$lib/hive/hive';
import { keyAt, type RegKey } from '$lib/hive/types';
import { readWindowsFacts } from '$lib/windows/facts';
import { summarizeUpdates } from '$lib/windows/servicing';
import type { ServicingPackage, WindowsFacts } from '$lib/windows/types';
import { largeRegText, serverCore2022RegText } from '../../fixtures/software/make-reg';
import { dwordOf, parseRegText } from './reg-text';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const fixtureFolder = path.join(repoRoot, 'tests/fixtures/software');
const PACKAGES = 'Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages';

function fixtureBytes(name: string): Uint8Array {
	return new Uint8Array(readFileSync(path.join(fixtureFolder, name)));
}

function fixtureText(name: string): string {
	return readFileSync(path.join(fixtureFolder, name), 'utf8');
}

/** Packages as the .reg text states them, derived without Mullion's package-name parser. */
function packagesFromRegText(tree: RegKey): ServicingPackage[] {
	const packagesKey = keyAt(tree, PACKAGES);
	return (packagesKey?.subkeys() ?? []).map((key) => {
		const kb = /_KB(\d+)/.exec(key.name);
		const kind = key.name.startsWith('Package_for_RollupFix')
			? 'rollup'
			: key.name.startsWith('Package_for_ServicingStack')
				? 'servicing-stack'
				: kb
					? 'kb'
					: 'other';
		const state = dwordOf(key, 'CurrentState');
		const high = dwordOf(key, 'InstallTimeHigh') ?? 0;
		const low = dwordOf(key, 'InstallTimeLow') ?? 0;
		const ticks = high * 2 ** 32 + low; // exact enough: FILETIMEs fit 2^57, we compare to the ms
		const installTime = new Date(Math.round((ticks - 116444736e9) / 1e4)).toISOString();
		return {
			name: key.name,
			...(kb ? { kb: `KB${kb[1]}` } : {}),
			kind,
			version: key.name.split('~').at(-1),
			state,
			stateName: STATE_NAMES[state ?? -1] ?? 'Unknown',
			installTime
		} as ServicingPackage;
	});
}

/** CurrentState values used by the fixtures, written out independently of servicing.ts. */
const STATE_NAMES: Record<number, ServicingPackage['stateName']> = {
	0x40: 'Staged',
	0x50: 'Superseded',
	0x65: 'PartiallyInstalled',
	0x70: 'Installed',
	0x80: 'Permanent',
	0xffffff90: 'InstalledInvalid'
};

function byName<T extends { name: string }>(items: readonly T[]): T[] {
	return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The facts with lists sorted, for comparing a hive (on-disk order) with the .reg tree. */
function comparable(facts: WindowsFacts): WindowsFacts {
	const { lastWritten: _ignored, ...rest } = facts;
	const programs = [...facts.programs].sort((a, b) =>
		`${a.view}${a.key}`.localeCompare(`${b.view}${b.key}`)
	);
	return { ...rest, packages: byName(facts.packages), programs };
}

interface FixtureCase {
	name: string;
	regText: () => string;
	head: Partial<WindowsFacts>;
	/** Summary rows as [kind, kb, stateName, number of packages, version]. */
	summary: [string, string | undefined, string, number, string | undefined][];
	warnings: string[];
}

const HIVEX_MINIMAL_ROOT_TIME = '2010-02-02T13:42:44.626Z';

const CASES: FixtureCase[] = [
	{
		name: 'nanoserver-ltsc2022',
		regText: () => fixtureText('nanoserver-ltsc2022.reg'),
		head: {
			version: '10.0.20348.1366',
			major: 10,
			minor: 0,
			build: 20348,
			ubr: 1366,
			editionId: 'ServerDatacenterNano',
			installationType: 'Nano Server',
			productName: 'Windows Server 2016 Datacenter',
			displayVersion: '21H2',
			releaseId: '2009',
			buildLabEx: '20348.1.amd64fre.fe_release.210507-1500',
			family: 'Windows Server 2022',
			msrcProduct: {
				id: '11924',
				name: 'Windows Server 2022 (Server Core installation)',
				approximate: true,
				reason: 'MSRC has no Nano Server product; judged as Server Core'
			},
			dotnet: [],
			programs: []
		},
		summary: [
			['rollup', undefined, 'Installed', 1, '20348.1366.1.9'],
			['servicing-stack', undefined, 'Installed', 1, '20348.1360.1.2']
		],
		warnings: ['PRODUCT_NAME_MISMATCH']
	},
	{
		name: 'servercore-ltsc2019',
		regText: () => fixtureText('servercore-ltsc2019.reg'),
		head: {
			version: '10.0.17763.3770',
			build: 17763,
			ubr: 3770,
			editionId: 'ServerDatacenter',
			installationType: 'Server Core',
			productName: 'Windows Server 2019 Datacenter',
			releaseId: '1809',
			family: 'Windows Server 2019',
			msrcProduct: {
				id: '11572',
				name: 'Windows Server 2019 (Server Core installation)',
				approximate: false
			},
			dotnet: [
				{ version: '4.7.2', release: 461814, rawVersion: '4.7.03190' },
				{ version: '3.5', rawVersion: '3.5.30729.4926' }
			],
			iisVersion: '10.0',
			powershellVersion: '5.1.17763.1'
		},
		summary: [
			['rollup', 'KB5021237', 'Installed', 4, '17763.3770.1.7'],
			['rollup', 'KB5020438', 'Superseded', 3, '17763.3650.1.8'],
			['kb', 'KB5021657', 'Permanent', 1, '17763.3765.1.0'],
			['kb', 'KB5020874', 'Installed', 1, '10.0.4586.1'],
			['kb', 'KB5012170', 'InstalledInvalid', 1, '17763.2740.1.0'],
			['kb', 'KB4589208', 'Superseded', 1, '17763.1577.1.0'],
			['kb', 'KB4470788', 'Staged', 1, '17763.163.1.0']
		],
		warnings: []
	},
	{
		name: 'servercore-ltsc2022',
		regText: serverCore2022RegText,
		head: {
			version: '10.0.20348.1366',
			build: 20348,
			ubr: 1366,
			installationType: 'Server Core',
			family: 'Windows Server 2022',
			msrcProduct: {
				id: '11924',
				name: 'Windows Server 2022 (Server Core installation)',
				approximate: false
			},
			dotnet: [{ version: '4.8', release: 528449, rawVersion: '4.8.04161' }],
			programs: [],
			powershellVersion: '5.1.20348.1'
		},
		summary: [
			['rollup', 'KB5021249', 'Installed', 7, '20348.1366.1.9'],
			['rollup', undefined, 'Superseded', 1, '20348.1249.1.7'],
			['servicing-stack', undefined, 'Installed', 1, '20348.1360.1.2'],
			['kb', 'KB5021095', 'Installed', 1, '10.0.4614.2'],
			['kb', 'KB5012170', 'Installed', 1, '20348.880.1.0']
		],
		warnings: []
	},
	{
		name: 'server-ltsc2025',
		regText: () => fixtureText('server-ltsc2025.reg'),
		head: {
			version: '10.0.26100.2314',
			build: 26100,
			ubr: 2314,
			editionId: 'ServerDatacenter',
			installationType: 'Server',
			productName: 'Windows Server 2025 Datacenter',
			displayVersion: '24H2',
			family: 'Windows Server 2025',
			msrcProduct: { id: '12436', name: 'Windows Server 2025', approximate: false },
			dotnet: [{ version: '4.8.1', release: 533325, rawVersion: '4.8.09032' }],
			programs: [],
			powershellVersion: '5.1.26100.1'
		},
		summary: [
			['rollup', undefined, 'Installed', 1, '26100.2314.1.7'],
			['servicing-stack', undefined, 'Installed', 1, '26100.2302.1.4']
		],
		warnings: []
	}
];

describe.each(CASES)('SOFTWARE fixture $name', (fixture) => {
	const hive = openHive(fixtureBytes(`${fixture.name}.hive`));
	const { facts, warnings } = readWindowsFacts(hive.root());
	const tree = parseRegText(fixture.regText());

	it('reads the version, edition, family, MSRC product, .NET, IIS and PowerShell', () => {
		expect(facts).toMatchObject(fixture.head);
		for (const absent of ['iisVersion', 'powershellVersion'] as const) {
			if (!(absent in fixture.head)) expect(facts).not.toHaveProperty(absent);
		}
	});

	it('takes lastWritten from the CurrentVersion key (hivex copies the minimal hive root time)', () => {
		expect(facts.lastWritten).toBe(HIVEX_MINIMAL_ROOT_TIME);
	});

	it('reads every servicing package with the KB, kind, version, state and time of the .reg text', () => {
		expect(byName(facts.packages)).toEqual(byName(packagesFromRegText(tree)));
	});

	it('reads the same facts from the hive as from the .reg text it was generated from', () => {
		expect(comparable(facts)).toEqual(comparable(readWindowsFacts(tree).facts));
	});

	it('summarises the updates: rollup first, KB parts collapsed to their best state', () => {
		const rows = summarizeUpdates(facts.packages).map((row) => [
			row.kind,
			row.kb,
			row.stateName,
			row.packages.length,
			row.version
		]);
		expect(rows).toEqual(fixture.summary);
	});

	it('gives exactly the expected warnings, and the hive reader none', () => {
		expect(warnings.map((warning) => warning.code)).toEqual(fixture.warnings);
		expect(hive.warnings).toEqual([]);
	});
});

describe('fixture sources', () => {
	it('the committed servercore-ltsc2022.reg is what make-reg.ts writes (regenerate if not)', () => {
		expect(fixtureText('servercore-ltsc2022.reg')).toBe(serverCore2022RegText());
	});

	it('the Nano Server fixture carries the ProductName quirk as an informational warning', () => {
		const { warnings } = readWindowsFacts(
			openHive(fixtureBytes('nanoserver-ltsc2022.hive')).root()
		);
		expect(warnings[0]?.message).toMatch(
			/^ProductName says Windows Server 2016 Datacenter; build 20348 is Windows Server 2022\b/
		);
	});
});

describe('large synthetic SOFTWARE hive (benchmark fixture)', () => {
	const hive = openHive(gunzipSync(fixtureBytes('large-synthetic.hive.gz')));

	it('reads all ~3 300 packages equal to the generator text', () => {
		const { facts, warnings } = readWindowsFacts(hive.root());
		const expected = packagesFromRegText(parseRegText(largeRegText()));
		expect(expected.length).toBeGreaterThan(3000);
		expect(byName(facts.packages)).toEqual(byName(expected));
		expect(facts.version).toBe('10.0.20348.1366');
		expect(warnings).toEqual([]);
	});

	it('summarises 24 months of updates into 24 rows (rollup and KB parts folded), one Installed', () => {
		const rows = summarizeUpdates(readWindowsFacts(hive.root()).facts.packages);
		expect(rows).toHaveLength(24);
		expect(rows.filter((row) => row.stateName === 'Installed').map((row) => row.kind)).toEqual([
			'rollup'
		]);
		expect(rows.every((row) => row.kind !== 'rollup' || row.kbInferred === true)).toBe(true);
	});
});

describe('hives that are not SOFTWARE hives', () => {
	function expectUnsupported(bytes: Uint8Array): void {
		let caught: unknown;
		try {
			readWindowsFacts(openHive(bytes).root());
		} catch (error) {
			caught = error;
		}
		expect(isMullionError(caught, 'UNSUPPORTED'), String(caught)).toBe(true);
	}

	it('an empty hive (hivex minimal) → UNSUPPORTED', () => {
		expectUnsupported(fixtureBytes('minimal.hive'));
	});

	const others = [
		'dfwinreg/SECURITY',
		'notatin/NTUSER.DAT',
		'eztools-registry/SAM_hasBigEndianDWord'
	];
	for (const other of others) {
		const file = path.join(repoRoot, 'tests/fixtures/hives', other);
		it.skipIf(!existsSync(file))(`${other} → UNSUPPORTED`, () => {
			expectUnsupported(new Uint8Array(readFileSync(file)));
		});
	}

	const corpus = path.resolve(repoRoot, '../shared/corpus/hives');
	const partial = path.join(corpus, 'regipy/ntuser_software_partial');
	it.skipIf(!existsSync(partial))(
		"a user hive's Software subtree with an empty CurrentVersion key → UNSUPPORTED (corpus)",
		() => {
			expectUnsupported(new Uint8Array(readFileSync(partial)));
		}
	);
});
