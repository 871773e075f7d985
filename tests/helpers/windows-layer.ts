/**
 * Builds Windows-shaped layer tars the way hcsshim writes them (layers-and-hives.md §1): a
 * `Files/` root (the container's C:\), a `UtilityVM/` root with another OS's registry, PAX records
 * with MSWINDOWS.* and LIBARCHIVE.* keys, long names, and filler files. Used by the sample layer,
 * the browser tests and the benchmark.
 */
import type { TarWriterEntry } from './tar-writer';

export interface WindowsLayerOptions {
	/** Bytes of Files/Windows/System32/config/SOFTWARE. */
	software: Uint8Array;
	/** Bytes of UtilityVM/Files/Windows/System32/config/SOFTWARE (another OS; must be ignored). */
	utilityVmSoftware?: Uint8Array;
	/** Number of filler files under Files/Windows/WinSxS. */
	fillerFiles?: number;
	/** Size of each filler file body (kept virtual: zero bytes unless `fillerData` is given). */
	fillerFileBytes?: number;
	/** Body used for every filler file instead of zeros (e.g. random bytes, so gzip has work). */
	fillerData?: Uint8Array;
	/** Put the SOFTWARE hive after the filler files (the scanner must then read the whole tar). */
	hiveLast?: boolean;
}

const WINDOWS_PAX = {
	'MSWINDOWS.fileattr': '32',
	'MSWINDOWS.rawsd': 'AQAAgBQAAAAkAAAAAAAAAAAAAAABAgAAAAAABSAAAAAhAgAAAQIAAAAAAAUgAAAAIQIAAA==',
	'LIBARCHIVE.creationtime': '1670918400'
};
const DIRECTORY_PAX = { ...WINDOWS_PAX, 'MSWINDOWS.fileattr': '16' };

function directory(path: string): TarWriterEntry {
	return { path, type: 'directory', pax: DIRECTORY_PAX };
}

function file(path: string, data: Uint8Array | string): TarWriterEntry {
	return { path, data, pax: WINDOWS_PAX };
}

function directories(root: string): TarWriterEntry[] {
	return ['', 'Windows/', 'Windows/System32/', 'Windows/System32/config/'].map((part) =>
		directory(`${root}${part}`)
	);
}

function fillerEntries(options: WindowsLayerOptions): TarWriterEntry[] {
	const count = options.fillerFiles ?? 0;
	const entries: TarWriterEntry[] = [directory('Files/Windows/WinSxS/')];
	for (let index = 0; index < count; index += 1) {
		const component =
			`amd64_microsoft-windows-component-${String(index).padStart(6, '0')}` +
			'_31bf3856ad364e35_10.0.20348.1366_none_0123456789abcdef';
		const path = `Files/Windows/WinSxS/${component}/payload-${index}.dll`;
		const data = options.fillerData;
		entries.push(
			data
				? { path, data, pax: WINDOWS_PAX }
				: { path, zeroBodyBytes: options.fillerFileBytes ?? 0, pax: WINDOWS_PAX }
		);
	}
	return entries;
}

/** The entries of a Windows base layer, in hcsshim's order (Files/ first, then UtilityVM/). */
export function windowsLayerEntries(options: WindowsLayerOptions): TarWriterEntry[] {
	const hive = file('Files/Windows/System32/config/SOFTWARE', options.software);
	const files = [
		...directories('Files/'),
		file('Files/License.txt', 'Sample license text of a Windows-shaped test layer.\r\n'),
		file('Files/Windows/System32/config/SYSTEM', new Uint8Array(4096)),
		...(options.hiveLast ? [] : [hive]),
		...fillerEntries(options),
		...(options.hiveLast ? [hive] : [])
	];
	const utilityVm = options.utilityVmSoftware
		? [
				...directories('UtilityVM/Files/'),
				file('UtilityVM/Files/Windows/System32/config/SOFTWARE', options.utilityVmSoftware)
			]
		: [];
	return options.hiveLast ? [...utilityVm, ...files] : [...files, ...utilityVm];
}

/** A Linux layer: what an ubuntu or alpine layer looks like to the scanner. */
export function linuxLayerEntries(): TarWriterEntry[] {
	return [
		{ path: 'bin/', type: 'directory' },
		{ path: 'etc/', type: 'directory' },
		{ path: 'etc/os-release', data: 'NAME="Ubuntu"\nVERSION_ID="24.04"\n' },
		{ path: 'usr/', type: 'directory' },
		{ path: 'usr/bin/', type: 'directory' },
		{ path: 'usr/bin/env', data: new Uint8Array(1024) }
	];
}
