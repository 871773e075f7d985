/** In-memory RegKeys for overlay tests (not a test file). */
import type { LayerSemanticsValue, RegKey, RegValue } from '../../../src/lib/hive/types';

export interface FakeKeySpec {
	semantics?: LayerSemanticsValue;
	/** Value name → text (REG_SZ), or null for a tombstone value. */
	values?: Record<string, string | null>;
	subkeys?: Record<string, FakeKeySpec>;
}

const encoder = new TextEncoder();

/** Builds a RegKey tree from a spec. Lookups are case-insensitive like the real ones. */
export function fakeKey(name: string, spec: FakeKeySpec = {}): RegKey {
	const subkeys = Object.entries(spec.subkeys ?? {}).map(([child, childSpec]) =>
		fakeKey(child, childSpec)
	);
	const values: RegValue[] = Object.entries(spec.values ?? {}).map(([valueName, text]) => ({
		name: valueName,
		type: text === null ? 0 : 1,
		data: text === null ? new Uint8Array(0) : encoder.encode(text),
		isTombstone: text === null
	}));
	return {
		name,
		lastWritten: 0n,
		layerSemantics: spec.semantics ?? 0,
		subkeys: () => subkeys,
		subkey: (wanted) => subkeys.find((key) => key.name.toLowerCase() === wanted.toLowerCase()),
		values: () => values,
		value: (wanted) => values.find((value) => value.name.toLowerCase() === wanted.toLowerCase())
	};
}

/** The text of a value made by fakeKey (or of any UTF-8 value). */
export function text(value: RegValue | undefined): string | undefined {
	return value === undefined ? undefined : new TextDecoder().decode(value.data);
}
