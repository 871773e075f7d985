// Writes the app icons (static/icon-192.png, static/icon-512.png): the favicon's four-pane
// window, drawn as plain pixels so that no image tool is needed. Run: npx tsx scripts/make-icons.ts
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const FRAME = [0x1f, 0x4e, 0x79];
const PANE = [0x9c, 0xd3, 0xff];
const MULLION = [0xf4, 0xf7, 0xfb];

/** Colour of pixel (x, y) on a 64-unit design grid scaled to `size`. */
function pixel(x: number, y: number, size: number): number[] {
	const u = (x * 64) / size;
	const v = (y * 64) / size;
	if ((u >= 30 && u < 34 && v >= 8 && v < 56) || (v >= 30 && v < 34 && u >= 8 && u < 56)) {
		return MULLION;
	}
	const inPane = (a: number) => (a >= 10 && a < 30) || (a >= 34 && a < 54);
	return inPane(u) && inPane(v) ? PANE : FRAME;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
	let c = 0xffffffff;
	for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const out = Buffer.alloc(body.length + 8);
	out.writeUInt32BE(data.length, 0);
	body.copy(out, 4);
	out.writeUInt32BE(crc32(body), body.length + 4);
	return out;
}

function png(size: number): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
	const rows = Buffer.alloc(size * (size * 3 + 1));
	for (let y = 0; y < size; y += 1) {
		for (let x = 0; x < size; x += 1) rows.set(pixel(x, y, size), y * (size * 3 + 1) + 1 + x * 3);
	}
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	const image = deflateSync(rows, { level: 9 });
	return Buffer.concat([
		signature,
		chunk('IHDR', header),
		chunk('IDAT', image),
		chunk('IEND', Buffer.alloc(0))
	]);
}

for (const size of [192, 512]) {
	writeFileSync(new URL(`../static/icon-${size}.png`, import.meta.url), png(size));
}
console.log('wrote static/icon-192.png and static/icon-512.png');
