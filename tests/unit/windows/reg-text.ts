/**
 * Test-only: a small regedit (.reg) text parser and an in-memory `RegKey` tree built from it.
 * It is independent of the hive reader and of hivex, so tests can derive their expectations
 * from the same text the fixture hives were generated from.
 */
import { RegType, type LayerSemanticsValue, type RegKey, type RegValue } from '$lib/hive/types';

/** An in-memory key; children and values keep insertion order. */
export class MemoryKey implements RegKey {
	readonly layerSemantics: LayerSemanticsValue = 0;
	readonly children: MemoryKey[] = [];
	readonly valueList: RegValue[] = [];
	private readonly childrenByName = new Map<string, MemoryKey>();

	constructor(
		readonly name: string,
		readonly lastWritten: bigint = 0n
	) {}

	subkeys(): RegKey[] {
		return this.children;
	}
	subkey(name: string): MemoryKey | undefined {
		return this.childrenByName.get(name.toLowerCase());
	}
	values(): RegValue[] {
		return this.valueList;
	}
	value(name: string): RegValue | undefined {
		return this.valueList.find((value) => value.name.toLowerCase() === name.toLowerCase());
	}

	/** Returns the child `name`, creating it when missing. */
	child(name: string): MemoryKey {
		const existing = this.subkey(name);
		if (existing) return existing;
		const created = new MemoryKey(name, this.lastWritten);
		this.children.push(created);
		this.childrenByName.set(name.toLowerCase(), created);
		return created;
	}

	/** Creates every key along a backslash path and returns the last one. */
	path(keyPath: string): MemoryKey {
		return keyPath
			.split('\\')
			.filter(Boolean)
			.reduce<MemoryKey>((key, part) => key.child(part), this);
	}

	/** Sets (replaces) a value. */
	set(name: string, type: number, data: Uint8Array, isTombstone = false): this {
		const index = this.valueList.findIndex(
			(value) => value.name.toLowerCase() === name.toLowerCase()
		);
		const value: RegValue = { name, type, data, isTombstone };
		if (index === -1) this.valueList.push(value);
		else this.valueList[index] = value;
		return this;
	}
	setString(name: string, text: string): this {
		return this.set(name, RegType.SZ, utf16(text + '\0'));
	}
	setDword(name: string, dword: number): this {
		return this.set(name, RegType.DWORD, dwordBytes(dword));
	}
}

export function dwordBytes(dword: number): Uint8Array {
	const data = new Uint8Array(4);
	new DataView(data.buffer).setUint32(0, dword >>> 0, true);
	return data;
}

export function utf16(text: string): Uint8Array {
	const data = new Uint8Array(text.length * 2);
	for (let index = 0; index < text.length; index++) {
		new DataView(data.buffer).setUint16(index * 2, text.charCodeAt(index), true);
	}
	return data;
}

function unquote(text: string): { value: string; rest: string } {
	let value = '';
	let index = 1;
	for (; index < text.length && text[index] !== '"'; index++) {
		if (text[index] === '\\') index++;
		value += text[index];
	}
	return { value, rest: text.slice(index + 1) };
}

function hexBytes(text: string): Uint8Array {
	const digits = text.replace(/[\s,\\]/g, '');
	return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function parseData(text: string): { type: number; data: Uint8Array } {
	if (text.startsWith('"')) return { type: RegType.SZ, data: utf16(unquote(text).value + '\0') };
	const dword = /^dword:([0-9a-f]{8})$/i.exec(text);
	if (dword) return { type: RegType.DWORD, data: dwordBytes(parseInt(dword[1] ?? '', 16)) };
	const typed = /^hex(?:\(([0-9a-f]+)\))?:(.*)$/i.exec(text);
	if (typed)
		return {
			type: typed[1] === undefined ? RegType.BINARY : parseInt(typed[1], 16),
			data: hexBytes(typed[2] ?? '')
		};
	throw new Error(`unsupported .reg value: ${text}`);
}

/**
 * Parses .reg text into a MemoryKey tree rooted at `prefix` (e.g. `HKEY_LOCAL_MACHINE\SOFTWARE`).
 * Keys outside the prefix are an error; `;` comments and continuation lines are handled.
 */
export function parseRegText(text: string, prefix = 'HKEY_LOCAL_MACHINE\\SOFTWARE'): MemoryKey {
	const root = new MemoryKey('ROOT');
	let current: MemoryKey | undefined;
	const lines = text.replace(/\\\r?\n\s*/g, '').split(/\r?\n/);
	for (const line of lines) {
		if (line === '' || line.startsWith(';') || line.startsWith('Windows Registry Editor')) continue;
		const header = /^\[(.*)\]$/.exec(line);
		if (header) {
			const keyPath = header[1] ?? '';
			if (!keyPath.toLowerCase().startsWith(prefix.toLowerCase() + '\\'))
				throw new Error(`key outside prefix: ${keyPath}`);
			current = root.path(keyPath.slice(prefix.length + 1));
			continue;
		}
		if (current === undefined) throw new Error(`value before any key: ${line}`);
		const { value: name, rest } = line.startsWith('@=')
			? { value: '', rest: line.slice(1) }
			: unquote(line);
		const { type, data } = parseData(rest.slice(1));
		current.set(name, type, data);
	}
	return root;
}

/** Reads a DWORD value of a MemoryKey (test convenience). */
export function dwordOf(key: RegKey, name: string): number | undefined {
	const value = key.value(name);
	return value === undefined
		? undefined
		: new DataView(value.data.buffer, value.data.byteOffset).getUint32(0, true);
}

/** Reads a string value of a MemoryKey (test convenience). */
export function stringOf(key: RegKey, name: string): string | undefined {
	const value = key.value(name);
	if (value === undefined) return undefined;
	return new TextDecoder('utf-16le').decode(value.data).replace(/\0.*$/s, '');
}
