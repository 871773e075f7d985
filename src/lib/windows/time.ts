/** FILETIME conversion for registry timestamps and CBS install times. */

/** 100 ns ticks between 1601-01-01 and 1970-01-01 (UTC). */
const FILETIME_UNIX_EPOCH_TICKS = 116444736000000000n;
/** Largest millisecond count a JavaScript Date accepts (±8.64e15). */
const MAX_DATE_MILLISECONDS = 8.64e15;

/**
 * FILETIME (100 ns ticks since 1601-01-01 UTC) → ISO 8601 string. Returns undefined for zero
 * and for values outside the range a Date can hold.
 */
export function filetimeToIsoString(filetime: bigint): string | undefined {
	if (filetime <= 0n) return undefined;
	const milliseconds = Number((filetime - FILETIME_UNIX_EPOCH_TICKS) / 10000n);
	if (Math.abs(milliseconds) > MAX_DATE_MILLISECONDS) return undefined;
	return new Date(milliseconds).toISOString();
}

/** Joins two 32-bit halves (e.g. CBS `InstallTimeHigh`/`InstallTimeLow`) into a FILETIME. */
export function filetimeFromHalves(high: number, low: number): bigint {
	return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}
