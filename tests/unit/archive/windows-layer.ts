/**
 * Builds the synthetic Windows layers the archive tests share (not a test file itself).
 * `tests/fixtures/archive/generate-zstd-fixture.ts` compresses `windowsLayerTar()` with the zstd
 * CLI, so any change here needs that fixture regenerated (a test checks they still match).
 */

import { writeTar, type TarWriterEntry } from '../../helpers/tar-writer';

/** go-containerregistry's fixed security descriptor (O:BUG:BU), layers-and-hives.md §1.3. */
export const RAW_SD = 'AQAAgBQAAAAkAAAAAAAAAAAAAAABAgAAAAAABSAAAAAhAgAAAQIAAAAAAAUgAAAAIQIAAA==';

/** Stand-in hive bytes: `regf`, a label that tells the copies apart, then a pattern. */
export function fakeHive(label: string, size = 8192): Uint8Array {
	const bytes = new Uint8Array(size);
	bytes.set(new TextEncoder().encode(`regf ${label}`));
	for (let index = 64; index < size; index++) bytes[index] = (index * 31 + label.length) & 0xff;
	return bytes;
}

export const FILES_SOFTWARE = fakeHive('Files SOFTWARE');
export const UTILITY_VM_SOFTWARE = fakeHive('UtilityVM SOFTWARE', 12_288);

const WINSXS = 'Files/Windows/WinSxS';
const LONG_COMPONENT =
	'amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.20348.1300_none_0123456789abcdef';

/** `count` WinSxS files with paths over 100 bytes, alternating PAX `path` and GNU 'L' names. */
export function winsxsEntries(count: number): TarWriterEntry[] {
	return Array.from({ length: count }, (_, index) => ({
		path: `${WINSXS}/${LONG_COMPONENT}/file-${index}.dll`,
		data: `dll ${index}`,
		longNames: index % 2 === 0 ? 'pax' : 'gnu',
		pax: { 'MSWINDOWS.fileattr': '32', 'LIBARCHIVE.creationtime': `1670547600.${index + 1}` }
	}));
}

/**
 * A base layer in the order a hostile-but-valid writer might use: UtilityVM's SOFTWARE first,
 * thousands of long-named files, then Files' SOFTWARE before any of its parent directories.
 */
export function windowsLayerEntries(fileCount = 3000): TarWriterEntry[] {
	const directory = (path: string): TarWriterEntry => ({
		path,
		type: 'directory',
		pax: { 'MSWINDOWS.fileattr': '16', 'LIBARCHIVE.creationtime': '1670547600.1234567' }
	});
	return [
		{ path: 'UtilityVM/Files/Windows/System32/config/SOFTWARE', data: UTILITY_VM_SOFTWARE },
		...winsxsEntries(fileCount),
		{
			path: 'Files/Windows/System32/config/SOFTWARE',
			data: FILES_SOFTWARE,
			pax: { 'MSWINDOWS.fileattr': '32', 'MSWINDOWS.rawsd': RAW_SD }
		},
		directory('Files'),
		directory('Files/Windows'),
		directory('Files/Windows/System32'),
		directory('Files/Windows/System32/config'),
		directory('UtilityVM'),
		directory('UtilityVM/Files'),
		{
			path: 'Files/Documents and Settings',
			type: 'symlink',
			linkPath: 'C:\\Users',
			pax: { 'MSWINDOWS.mountpoint': '1' }
		}
	];
}

/** The base layer above as a plain tar. */
export function windowsLayerTar(fileCount = 3000): Uint8Array {
	return writeTar(windowsLayerEntries(fileCount));
}
