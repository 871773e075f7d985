/** Small display formatters shared by components. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < UNITS.length - 1) {
		value /= 1024;
		unit += 1;
	}
	return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

/** Seconds → "1 min 05 s" / "12 s". */
export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return '–';
	if (seconds < 60) return `${Math.ceil(seconds)} s`;
	const minutes = Math.floor(seconds / 60);
	return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
}

/** ISO date → "2022-12-13". */
export function formatDate(iso: string | undefined): string {
	return iso ? iso.slice(0, 10) : '–';
}
