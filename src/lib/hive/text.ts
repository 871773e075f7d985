/**
 * Name and string decoding shared by key nodes and values. Compressed ("ASCII") names in a hive
 * are one byte per character, which Windows maps to U+0000..U+00FF (Latin-1, not Windows-1252).
 * Other names are UTF-16LE; unpaired surrogates become U+FFFD.
 */

const utf16Decoder = new TextDecoder('utf-16le');

const utf8Decoder = new TextDecoder('utf-8');

/** Largest chunk handed to `String.fromCharCode` at once, in bytes (keeps argument lists small). */
const LATIN1_CHUNK_BYTES = 8192;

/** Decodes one byte per character (Latin-1). Embedded NULs are kept. */
export function decodeLatin1(bytes: Uint8Array): string {
	for (let index = 0; index < bytes.length; index++) {
		if ((bytes[index] as number) >= 0x80) return decodeHighLatin1(bytes);
	}
	return utf8Decoder.decode(bytes); // pure ASCII: the UTF-8 decoder is the fastest path
}

function decodeHighLatin1(bytes: Uint8Array): string {
	let text = '';
	for (let start = 0; start < bytes.length; start += LATIN1_CHUNK_BYTES) {
		const chunk = bytes.subarray(start, start + LATIN1_CHUNK_BYTES);
		text += String.fromCharCode.apply(null, chunk as unknown as number[]);
	}
	return text;
}

/** Decodes UTF-16LE; an odd trailing byte is ignored. Embedded NULs are kept. */
export function decodeUtf16(bytes: Uint8Array): string {
	const evenLength = bytes.length - (bytes.length % 2);
	return utf16Decoder.decode(bytes.subarray(0, evenLength));
}

/** Decodes a name stored compressed (Latin-1) or as UTF-16LE. */
export function decodeName(bytes: Uint8Array, compressed: boolean): string {
	return compressed ? decodeLatin1(bytes) : decodeUtf16(bytes);
}

/**
 * Uppercases a name the way the registry compares names (case-insensitive, per UTF-16 unit as
 * far as `toUpperCase` allows). Used for lookups only; stored names keep their case.
 */
export function foldName(name: string): string {
	return name.toUpperCase();
}
