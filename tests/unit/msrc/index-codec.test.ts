/**
 * encodeIndex/decodeIndex: the stored index round-trips, and damaged or foreign bytes are refused
 * with MSRC_BAD_DOCUMENT (or LIMIT_EXCEEDED for an absurd claimed size), never another error.
 */
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isMullionError } from '../../../src/lib/errors';
import { condenseCvrf } from '../../../src/lib/msrc/cvrf';
import { decodeIndex, encodeIndex } from '../../../src/lib/msrc/index-codec';
import { MSRC_INDEX_FORMAT, type MsrcIndex } from '../../../src/lib/msrc/types';
import { fixtureText } from './cvrf-fixtures';

const index: MsrcIndex = {
	format: MSRC_INDEX_FORMAT,
	generatedAt: '2026-07-06T00:00:00Z',
	months: [
		condenseCvrf(fixtureText('cvrf-2022-Nov.raw-20260706.xml.gz')),
		condenseCvrf(fixtureText('cvrf-2022-Dec.raw-20260706.xml.gz'))
	]
};
const encoded = encodeIndex(index);

function outcome(bytes: Uint8Array): string {
	try {
		decodeIndex(bytes);
		return 'ok';
	} catch (error) {
		if (isMullionError(error)) return error.code;
		throw error;
	}
}

const gzipJson = (value: unknown) => gzipSync(new TextEncoder().encode(JSON.stringify(value)));

describe('index codec', () => {
	it('round-trips an index of real months, deterministically', () => {
		expect(decodeIndex(encoded)).toEqual(index);
		expect(encodeIndex(index)).toEqual(encoded);
	});

	it('refuses bytes that are not gzip, or are cut short', () => {
		expect(outcome(new Uint8Array())).toBe('MSRC_BAD_DOCUMENT');
		expect(outcome(new TextEncoder().encode('not an index'))).toBe('MSRC_BAD_DOCUMENT');
		expect(outcome(encoded.subarray(0, 12))).toBe('MSRC_BAD_DOCUMENT');
	});

	it('accepts the JSON itself, as a browser hands it over after Content-Encoding: gzip', () => {
		expect(decodeIndex(new TextEncoder().encode(JSON.stringify(index)))).toEqual(index);
		expect(outcome(new TextEncoder().encode('{"format": 2}'))).toBe('MSRC_BAD_DOCUMENT');
	});

	it('refuses damaged compressed data', () => {
		for (const position of [0.1, 0.3, 0.5, 0.7]) {
			const damaged = encoded.slice();
			const at = Math.floor(damaged.length * position);
			for (let offset = at; offset < at + 16; offset += 1)
				damaged[offset] = 0xff - damaged[offset]!;
			expect(outcome(damaged), `damage at ${at}`).toBe('MSRC_BAD_DOCUMENT');
		}
	});

	it('refuses an absurd claimed size with LIMIT_EXCEEDED before inflating', () => {
		const damaged = encoded.slice();
		damaged.set([0xff, 0xff, 0xff, 0x7f], damaged.length - 4);
		expect(outcome(damaged)).toBe('LIMIT_EXCEEDED');
	});

	it('refuses well-formed gzip whose JSON does not have the MsrcIndex shape', () => {
		expect(outcome(gzipJson({ format: 2, generatedAt: '', months: [] }))).toBe('MSRC_BAD_DOCUMENT');
		expect(outcome(gzipJson([]))).toBe('MSRC_BAD_DOCUMENT');
		const badFix = structuredClone(index);
		(badFix.months[0]!.vulnerabilities[0]!.fixes as unknown[]).push({ kb: 5 });
		expect(outcome(gzipJson(badFix))).toBe('MSRC_BAD_DOCUMENT');
		expect(outcome(gzipSync(new Uint8Array([0xc3, 0x28])))).toBe('MSRC_BAD_DOCUMENT');
	});
});
