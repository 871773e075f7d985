/**
 * What Mullion learns about the Windows inside an image, as plain data (structured-cloneable,
 * JSON-serialisable: it travels from the worker, into permalinks and into exports).
 */

/** CBS CurrentState, decoded (layers-and-hives.md §4.1). */
export type CbsStateName =
	| 'Absent'
	| 'UninstallPending'
	| 'Resolving'
	| 'Resolved'
	| 'Staging'
	| 'Staged'
	| 'Superseded'
	| 'InstallPending'
	| 'PartiallyInstalled'
	| 'Installed'
	| 'Permanent'
	| 'ResolvedInvalid'
	| 'StagedInvalid'
	| 'InstalledInvalid'
	| 'PermanentInvalid'
	| 'Unknown';

export type PackageKind = 'rollup' | 'servicing-stack' | 'kb' | 'other';

export interface ServicingPackage {
	/** Full CBS identity, the key name under `Component Based Servicing\Packages`. */
	name: string;
	/** `KB5021249` when the name carries a KB number. */
	kb?: string;
	kind: PackageKind;
	/** Version after the last `~`, e.g. `20348.1366.1.9`. */
	version?: string;
	/** Raw CurrentState DWORD (as an unsigned number), when present. */
	state?: number;
	stateName: CbsStateName;
	/** InstallTimeHigh/Low as an ISO date, when present. */
	installTime?: string;
}

export interface DotNetFramework {
	/** e.g. `4.8`, from the NDP v4 Full `Release` value. */
	version: string;
	/** The `Release` DWORD (v4) or undefined for 3.5. */
	release?: number;
	/** The `Version` string as stored, e.g. `4.8.04161`. */
	rawVersion?: string;
}

export interface InstalledProgram {
	name: string;
	version?: string;
	publisher?: string;
	/** `64-bit` (Uninstall) or `32-bit` (WOW6432Node\...\Uninstall). */
	view: '64-bit' | '32-bit';
	/** The Uninstall subkey name (a product code for MSI installs). */
	key: string;
}

export interface WindowsFacts {
	/** `10.0.<build>.<UBR>` */
	version: string;
	major: number;
	minor: number;
	build: number;
	ubr: number;
	editionId?: string;
	/** `Nano Server`, `Server Core`, `Server`, `Client`, … as stored. */
	installationType?: string;
	/** As stored; shown, never used for identity (Nano Server says "Windows Server 2016"). */
	productName?: string;
	displayVersion?: string;
	releaseId?: string;
	buildLabEx?: string;
	/** Product family from build + installation type, e.g. `Windows Server 2022`. */
	family: string;
	/** MSRC product for matching, when one fits. */
	msrcProduct?: { id: string; name: string; approximate: boolean; reason?: string };
	packages: ServicingPackage[];
	dotnet: DotNetFramework[];
	programs: InstalledProgram[];
	iisVersion?: string;
	powershellVersion?: string;
	/** Last-written time of the CurrentVersion key, ISO 8601. */
	lastWritten?: string;
}
