/**
 * The compact form of a `ScanResult` that a permalink carries (format `r1`), its valibot schema,
 * and the conversions both ways. What can be recomputed is left out and recomputed on the way
 * back with the same functions the Windows facts reader uses: `facts.version` (from the version
 * numbers), `facts.family` (`productFamily`), `facts.msrcProduct` (`productForImage`), and each
 * package's `kb`, `kind`, `version` (`parsePackageName`) and `stateName` (`cbsStateName`).
 * Repeated records are fixed-length tuples with `null` for a missing value.
 */
import * as v from 'valibot';
import { productForImage } from '../msrc/products';
import { productFamily } from '../windows/family';
import { withoutUndefined } from '../windows/plain';
import { MAX_UNINSTALL_ENTRIES_PER_VIEW } from '../windows/programs';
import { cbsStateName, MAX_SERVICING_PACKAGES, parsePackageName } from '../windows/servicing';
import type {
	DotNetFramework,
	InstalledProgram,
	ServicingPackage,
	WindowsFacts
} from '../windows/types';
import type { Warning } from '../warnings';
import { SCAN_RESULT_FORMAT, type ScanResult } from './types';

/** Most warnings a permalink may carry. */
export const MAX_PERMALINK_WARNINGS = 10_000;
/** Most .NET Framework entries a permalink may carry. */
export const MAX_PERMALINK_DOTNET_ENTRIES = 100;

const Text = v.string();
const OptionalText = v.optional(v.string());
const NullableText = v.nullable(v.string());
const Count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const Dword = v.pipe(v.number(), v.integer(), v.minValue(-0x80000000), v.maxValue(0xffffffff));
const VersionPart = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff));

/** `[name, CurrentState or null, install time or null]` */
const CompactPackageSchema = v.strictTuple([Text, v.nullable(Dword), NullableText]);
/** `[name, Uninstall key, 64 or 32, version or null, publisher or null]` */
const CompactProgramSchema = v.strictTuple([
	Text,
	Text,
	v.picklist([64, 32]),
	NullableText,
	NullableText
]);
/** `[version, Release or null, raw Version or null]` */
const CompactDotNetSchema = v.strictTuple([Text, v.nullable(Dword), NullableText]);
/** `[code, message, offset or null]` */
const CompactWarningSchema = v.strictTuple([Text, Text, v.nullable(Count)]);

/** Most image layers and history lines a permalink may carry. */
export const MAX_PERMALINK_LAYERS = 1_000;

const OptionalCount = v.optional(Count);
const DeltaCountsSchema = v.strictObject({
	keysAdded: Count,
	keysChanged: Count,
	keysTombstoned: Count,
	valuesSet: Count,
	valuesTombstoned: Count,
	truncated: v.boolean()
});
const LayerInfoSchema = v.strictObject({
	index: Count,
	digest: OptionalText,
	diffId: OptionalText,
	path: Text,
	size: Count,
	mediaType: OptionalText,
	compression: v.optional(v.picklist(['none', 'gzip', 'zstd'])),
	entries: OptionalCount,
	foreign: v.optional(v.boolean()),
	status: v.picklist(['read', 'missing', 'skipped', 'unreadable']),
	registry: v.picklist(['full-hive', 'delta', 'full-hive+delta', 'whiteout', 'none', 'not-read']),
	deltaBytes: OptionalCount,
	delta: v.optional(DeltaCountsSchema),
	note: OptionalText
});
/** The saved image around the registry (ScanResult.image), carried as it is. */
const ImageSummarySchema = v.strictObject({
	format: v.picklist(['layer', 'docker-save', 'oci-archive', 'oci-layout', 'skopeo-dir']),
	platform: OptionalText,
	platformNote: OptionalText,
	osVersion: OptionalText,
	history: v.optional(v.pipe(v.array(Text), v.maxLength(MAX_PERMALINK_LAYERS))),
	layers: v.pipe(v.array(LayerInfoSchema), v.maxLength(MAX_PERMALINK_LAYERS)),
	buildSource: v.picklist(['registry', 'config']),
	configVersion: OptionalText,
	crossCheck: v.picklist(['match', 'mismatch', 'unavailable'])
});

const CompactFactsSchema = v.strictObject({
	major: VersionPart,
	minor: VersionPart,
	build: VersionPart,
	ubr: VersionPart,
	editionId: OptionalText,
	installationType: OptionalText,
	productName: OptionalText,
	displayVersion: OptionalText,
	releaseId: OptionalText,
	buildLabEx: OptionalText,
	iisVersion: OptionalText,
	powershellVersion: OptionalText,
	lastWritten: OptionalText,
	packages: v.pipe(v.array(CompactPackageSchema), v.maxLength(MAX_SERVICING_PACKAGES)),
	dotnet: v.pipe(v.array(CompactDotNetSchema), v.maxLength(MAX_PERMALINK_DOTNET_ENTRIES)),
	programs: v.pipe(v.array(CompactProgramSchema), v.maxLength(2 * MAX_UNINSTALL_ENTRIES_PER_VIEW))
});

/** Schema of the JSON a `r1` permalink inflates to. */
export const CompactScanResultSchema = v.strictObject({
	scannedAt: v.pipe(v.string(), v.isoTimestamp()),
	input: v.strictObject({
		name: Text,
		size: Count,
		compression: v.picklist(['none', 'gzip', 'zstd'])
	}),
	entries: Count,
	stoppedEarly: v.boolean(),
	hive: v.strictObject({
		path: Text,
		size: Count,
		version: Text,
		lastWritten: OptionalText,
		dirty: v.boolean()
	}),
	facts: CompactFactsSchema,
	warnings: v.pipe(v.array(CompactWarningSchema), v.maxLength(MAX_PERMALINK_WARNINGS)),
	image: v.optional(ImageSummarySchema)
});

export type CompactScanResult = v.InferOutput<typeof CompactScanResultSchema>;
type CompactFacts = CompactScanResult['facts'];
type CompactPackage = v.InferOutput<typeof CompactPackageSchema>;
type CompactProgram = v.InferOutput<typeof CompactProgramSchema>;
type CompactDotNet = v.InferOutput<typeof CompactDotNetSchema>;
type CompactWarning = v.InferOutput<typeof CompactWarningSchema>;

// ---------------------------------------------------------------------------------------------
// ScanResult → compact

/** The compact form of a scan result (plain JSON data; undefined keys are dropped by JSON). */
export function toCompact(result: ScanResult): CompactScanResult {
	return {
		scannedAt: result.scannedAt,
		input: { ...result.input },
		entries: result.entries,
		stoppedEarly: result.stoppedEarly,
		hive: { ...result.hive },
		facts: compactFacts(result.facts),
		warnings: result.warnings.map(compactWarning),
		image: result.image
	};
}

function compactFacts(facts: WindowsFacts): CompactFacts {
	return {
		major: facts.major,
		minor: facts.minor,
		build: facts.build,
		ubr: facts.ubr,
		editionId: facts.editionId,
		installationType: facts.installationType,
		productName: facts.productName,
		displayVersion: facts.displayVersion,
		releaseId: facts.releaseId,
		buildLabEx: facts.buildLabEx,
		iisVersion: facts.iisVersion,
		powershellVersion: facts.powershellVersion,
		lastWritten: facts.lastWritten,
		packages: facts.packages.map(compactPackage),
		dotnet: facts.dotnet.map(compactDotNet),
		programs: facts.programs.map(compactProgram)
	};
}

function compactPackage(item: ServicingPackage): CompactPackage {
	return [item.name, item.state ?? null, item.installTime ?? null];
}

function compactProgram(program: InstalledProgram): CompactProgram {
	const bitness = program.view === '32-bit' ? 32 : 64;
	return [program.name, program.key, bitness, program.version ?? null, program.publisher ?? null];
}

function compactDotNet(framework: DotNetFramework): CompactDotNet {
	return [framework.version, framework.release ?? null, framework.rawVersion ?? null];
}

function compactWarning(warning: Warning): CompactWarning {
	return [warning.code, warning.message, warning.offset ?? null];
}

// ---------------------------------------------------------------------------------------------
// compact → ScanResult

/** The scan result a validated compact form stands for, recomputing what was left out. */
export function fromCompact(compact: CompactScanResult): ScanResult {
	return {
		format: SCAN_RESULT_FORMAT,
		scannedAt: compact.scannedAt,
		input: { ...compact.input },
		entries: compact.entries,
		stoppedEarly: compact.stoppedEarly,
		hive: withoutUndefined({ ...compact.hive }),
		facts: expandFacts(compact.facts),
		warnings: compact.warnings.map(expandWarning),
		...(compact.image ? { image: compact.image } : {})
	};
}

function expandFacts(compact: CompactFacts): WindowsFacts {
	const { packages, dotnet, programs, ...scalars } = compact;
	const facts: WindowsFacts = {
		...scalars,
		version: `${compact.major}.${compact.minor}.${compact.build}.${compact.ubr}`,
		family: productFamily(compact.build, compact.installationType),
		msrcProduct: productForImage(compact.build, compact.installationType),
		packages: packages.map(expandPackage),
		dotnet: dotnet.map(expandDotNet),
		programs: programs.map(expandProgram)
	};
	return withoutUndefined(facts);
}

function expandPackage([name, state, installTime]: CompactPackage): ServicingPackage {
	return withoutUndefined({
		name,
		...parsePackageName(name),
		state: state ?? undefined,
		stateName: state === null ? 'Unknown' : cbsStateName(state),
		installTime: installTime ?? undefined
	});
}

function expandProgram([name, key, bitness, version, publisher]: CompactProgram): InstalledProgram {
	return withoutUndefined({
		name,
		version: version ?? undefined,
		publisher: publisher ?? undefined,
		view: bitness === 32 ? '32-bit' : '64-bit',
		key
	});
}

function expandDotNet([version, release, rawVersion]: CompactDotNet): DotNetFramework {
	return withoutUndefined({
		version,
		release: release ?? undefined,
		rawVersion: rawVersion ?? undefined
	});
}

function expandWarning([code, message, offset]: CompactWarning): Warning {
	return withoutUndefined({ code, message, offset: offset ?? undefined });
}
