/**
 * Base64url without padding (RFC 4648 §5) and CRC-32 (ISO 3309, the zlib/PNG polynomial), for
 * the permalink fragment. Strict: decoding rejects characters outside the alphabet, an impossible
 * length and non-zero unused bits, so that one text maps to one byte string.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SEXTET_OF_CHAR: ReadonlyMap<string, number> = new Map(
	[...ALPHABET].map((character, index) => [character, index])
);

/** Bytes → base64url text without `=` padding. Never fails. */
export function encodeBase64Url(bytes: Uint8Array): string {
	const characters: string[] = [];
	for (let index = 0; index < bytes.length; index += 3) {
		const group =
			((bytes[index] ?? 0) << 16) | ((bytes[index + 1] ?? 0) << 8) | (bytes[index + 2] ?? 0);
		const groupCharacters = Math.min(4, Math.ceil(((bytes.length - index) * 8) / 6));
		for (let position = 0; position < groupCharacters; position++) {
			characters.push(ALPHABET.charAt((group >>> (18 - 6 * position)) & 0x3f));
		}
	}
	return characters.join('');
}

/**
 * Base64url text without padding → bytes. Returns undefined when the text has a character
 * outside the alphabet, a length of 4n+1, or non-zero bits after the last whole byte.
 */
export function decodeBase64Url(text: string): Uint8Array | undefined {
	if (text.length % 4 === 1) return undefined;
	const bytes = new Uint8Array(Math.floor((text.length * 6) / 8));
	let accumulator = 0;
	let bitCount = 0;
	let byteIndex = 0;
	for (const character of text) {
		const sextet = SEXTET_OF_CHAR.get(character);
		if (sextet === undefined) return undefined;
		accumulator = ((accumulator << 6) | sextet) & 0xfff;
		bitCount += 6;
		if (bitCount >= 8) {
			bitCount -= 8;
			bytes[byteIndex++] = (accumulator >>> bitCount) & 0xff;
		}
	}
	const unusedBits = accumulator & ((1 << bitCount) - 1);
	return unusedBits === 0 ? bytes : undefined;
}

const CRC32_TABLE: Uint32Array = buildCrc32Table();

function buildCrc32Table(): Uint32Array {
	const table = new Uint32Array(256);
	for (let index = 0; index < 256; index++) {
		let value = index;
		for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
		table[index] = value >>> 0;
	}
	return table;
}

/** CRC-32 of `bytes` (reflected polynomial 0xEDB88320, as zlib's `crc32`), unsigned. */
export function crc32(bytes: Uint8Array): number {
	let crc = 0xffffffff;
	for (const byte of bytes) crc = (CRC32_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}
