/**
 * Turns a hive written by an ordinary writer (hivexregedit) into a differencing-style one, at the
 * offsets our own reader reports (layers-and-hives.md §1.4). Used by the fixture generators
 * tests/fixtures/hives/patch-layered.ts and tests/fixtures/image/patch-delta.ts.
 */

import type { HiveKey, HiveValue } from '../../src/lib/hive/hive';
import { writeChecksum } from '../unit/hive/hive-writer';

/** Sets a key node's layered-key byte (offset 13): 1 tombstone, 2 supersede local, 3 supersede tree. */
export function setLayerSemantics(bytes: Uint8Array, key: HiveKey, semantics: number): void {
	bytes[key.node.fileOffset + 13] = semantics;
}

/** Makes a value a tombstone value: flag 0x0002, REG_NONE, size 0, data offset 0xFFFFFFFF. */
export function makeTombstoneValue(bytes: Uint8Array, value: HiveValue): void {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const vk = value.record.fileOffset;
	view.setUint32(vk + 4, 0, true); // data size
	view.setUint32(vk + 8, 0xffffffff, true); // data offset
	view.setUint32(vk + 12, 0, true); // REG_NONE
	view.setUint16(vk + 16, view.getUint16(vk + 16, true) | 0x0002, true); // tombstone flag
}

/** Marks the base block regf 1.6 with layered keys supported, and rewrites its checksum. */
export function markDifferencing(bytes: Uint8Array): void {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	view.setUint32(24, 6, true); // minor version 6
	view.setUint32(144, view.getUint32(144, true) | 0x2, true); // layered keys supported
	writeChecksum(bytes);
}
