/**
 * Permalinks: a scan result survives the fragment round trip (after the documented
 * normalisation: recomputed fields equal what the facts reader computes), a realistic image fits
 * in well under 8 KB, and every kind of damaged or hostile fragment fails fast with the right
 * MullionError code.
 */
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'fflate';
import { isMullionError, MullionError } from '$lib/errors';
import {
	decodePermalink,
	encodePermalink,
	MAX_PERMALINK_CHARS,
	MAX_PERMALINK_INFLATED_BYTES,
	packPermalinkBytes
} from '$lib/report/permalink';
import type { ScanResult } from '$lib/report/types';
import { sampleScanResult } from './sample';

/** The error `decodePermalink` throws for a fragment (fails the test when it does not throw). */
function decodeError(fragment: string): MullionError {
	try {
		decodePermalink(fragment);
	} catch (error) {
		if (error instanceof MullionError) return error;
		throw new Error(`non-MullionError thrown: ${String(error)}`);
	}
	throw new Error('decodePermalink accepted a damaged fragment');
}

function fragmentOfJson(value: unknown): string {
	return packPermalinkBytes(
		deflateSync(new TextEncoder().encode(JSON.stringify(value)), { level: 9 })
	);
}

/** Replaces the character at `index` with a different base64url character. */
function flipCharacter(text: string, index: number): string {
	const replacement = text[index] === 'A' ? 'B' : 'A';
	return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('encodePermalink / decodePermalink round trip', () => {
	it('gives back the sample scan result (240 packages, programs, .NET, warnings) deep-equal', () => {
		const result = sampleScanResult();
		expect(decodePermalink(encodePermalink(result))).toEqual(result);
	});

	it('keeps a realistic image with 200 update packages + 40 feature packages under 8 KB', () => {
		const result = sampleScanResult();
		const link = encodePermalink(result);
		const updates = result.facts.packages.filter((item) => item.kind !== 'other').length;
		console.info(
			`permalink for ${updates} update + ${result.facts.packages.length - updates} feature packages: ${link.length} characters`
		);
		expect(updates).toBe(200);
		expect(link.length).toBeLessThan(8192);
		expect(link).toMatch(/^r1\.[A-Za-z0-9_-]+$/);
	});

	it('carries the saved image around the registry: layers, platform and cross-check', () => {
		const result: ScanResult = {
			...sampleScanResult(),
			image: {
				format: 'docker-save',
				platform: 'windows/amd64 10.0.20348.2700',
				osVersion: '10.0.20348.2700',
				history: ['Apply image 10.0.20348.1366', 'Install update 10.0.20348.2700'],
				layers: [
					{ index: 0, path: 'a/layer.tar', size: 1024, status: 'read', registry: 'full-hive' },
					{
						index: 1,
						digest: 'sha256:' + 'b'.repeat(64),
						path: 'b/layer.tar',
						size: 512,
						compression: 'gzip',
						entries: 12,
						status: 'read',
						registry: 'delta',
						deltaBytes: 8192,
						delta: {
							keysAdded: 3,
							keysChanged: 1,
							keysTombstoned: 1,
							valuesSet: 5,
							valuesTombstoned: 1,
							truncated: false
						}
					}
				],
				buildSource: 'registry',
				configVersion: '10.0.20348.2700',
				crossCheck: 'match'
			}
		};
		expect(decodePermalink(encodePermalink(result))).toEqual(result);
	});

	it('is deterministic: the same result always gives the same link', () => {
		expect(encodePermalink(sampleScanResult())).toBe(encodePermalink(sampleScanResult()));
	});

	it('accepts the fragment with its leading #', () => {
		expect(decodePermalink(`#${encodePermalink(sampleScanResult())}`)).toEqual(sampleScanResult());
	});

	it('recomputes version, family, MSRC product and package kb/kind/version/state name', () => {
		const decoded = decodePermalink(encodePermalink(sampleScanResult()));
		expect(decoded.facts.version).toBe('10.0.20348.1366');
		expect(decoded.facts.family).toBe('Windows Server 2022');
		expect(decoded.facts.msrcProduct?.id).toBe('11924');
		expect(decoded.facts.packages[1]).toMatchObject({
			kb: 'KB5021249',
			kind: 'kb',
			version: '20348.1366.1.9',
			state: 0x70,
			stateName: 'Installed'
		});
	});

	it('round-trips a minimal result: no optional fields, no packages, a nano server, odd text', () => {
		const result: ScanResult = {
			format: 1,
			scannedAt: '2025-01-01T00:00:00.000Z',
			input: { name: 'layer 日本 "ä".tar', size: 0, compression: 'none' },
			entries: 0,
			stoppedEarly: false,
			hive: { path: 'Hives/Software_Delta', size: 8192, version: '1.6', dirty: true },
			facts: {
				version: '10.0.26100.0',
				major: 10,
				minor: 0,
				build: 26100,
				ubr: 0,
				installationType: 'Nano Server',
				family: 'Windows Server 2025',
				msrcProduct: {
					id: '12437',
					name: 'Windows Server 2025 (Server Core installation)',
					approximate: true,
					reason: 'MSRC has no Nano Server product; judged as Server Core'
				},
				packages: [
					{ name: 'Odd~package', kind: 'other', state: 0x1234, stateName: 'Unknown' },
					{ name: 'NoState', kind: 'other', stateName: 'Unknown' }
				],
				dotnet: [{ version: '3.5' }],
				programs: [{ name: 'x', view: '64-bit', key: '' }]
			},
			warnings: []
		};
		expect(decodePermalink(encodePermalink(result))).toEqual(result);
	});

	it('drops an unknown build`s MSRC product on the way back (it is recomputed, not carried)', () => {
		const result = sampleScanResult();
		result.facts.build = 99999;
		result.facts.version = '10.0.99999.1366';
		result.facts.family = 'Windows (build 99999)';
		delete result.facts.msrcProduct;
		expect(decodePermalink(encodePermalink(result))).toEqual(result);
	});
});

describe('decodePermalink on damaged or hostile fragments', () => {
	const good = encodePermalink(sampleScanResult());

	it('rejects a flipped character anywhere in the payload as PERMALINK_DAMAGED', () => {
		for (const index of [3, 4, 50, Math.floor(good.length / 2), good.length - 5, good.length - 1]) {
			expect(decodeError(flipCharacter(good, index)).code).toBe('PERMALINK_DAMAGED');
		}
	});

	it('rejects truncated links (cut anywhere) as PERMALINK_DAMAGED', () => {
		for (const length of [3, 4, 10, 100, good.length - 1, good.length - 2, good.length - 3]) {
			expect(decodeError(good.slice(0, length)).code).toBe('PERMALINK_DAMAGED');
		}
	});

	it('rejects another format version as PERMALINK_VERSION, naming newer or older', () => {
		const newer = decodeError(`r2.${good.slice(3)}`);
		expect(newer.code).toBe('PERMALINK_VERSION');
		expect(newer.message).toContain('newer Mullion');
		const older = decodeError(`r0.${good.slice(3)}`);
		expect(older.code).toBe('PERMALINK_VERSION');
		expect(older.message).toContain('older Mullion');
	});

	it('rejects a missing prefix, characters outside base64url and non-zero padding bits', () => {
		expect(decodeError(good.slice(3)).message).toContain('format version');
		expect(decodeError('').code).toBe('PERMALINK_DAMAGED');
		expect(decodeError(`${good.slice(0, 20)}+/${good.slice(22)}`).message).toContain('base64url');
		expect(decodeError(`${good}=`).message).toContain('base64url');
		expect(decodeError('r1.AB').message).toContain('base64url'); // 'B' leaves a stray 1 bit
	});

	it('rejects valid deflate of JSON with the wrong shape, naming the schema path', () => {
		const error = decodeError(fragmentOfJson({ hello: 'world' }));
		expect(error.code).toBe('PERMALINK_DAMAGED');
		expect(error.message).toContain('schema mismatch');
		const result = JSON.parse(JSON.stringify(sampleScanResult())) as { input: { size: number } };
		result.input.size = -1;
		expect(decodeError(fragmentOfJson(result)).message).toContain('schema mismatch');
		const badTime = { ...(withPackages([]) as object), scannedAt: 'yesterday' };
		expect(decodeError(fragmentOfJson(badTime)).message).toContain('at scannedAt');
		const packageWithExtra = decodeError(
			fragmentOfJson(withPackages([['Package_for_KB1~x~amd64~~1.0', 112, null, 'extra']]))
		);
		expect(packageWithExtra.message).toMatch(/schema mismatch at facts\.packages\.0/);
	});

	it('rejects deflate of text that is not JSON, and bytes that are not deflate', () => {
		const notJson = packPermalinkBytes(deflateSync(new TextEncoder().encode('{"scannedAt":')));
		expect(decodeError(notJson).message).toContain('bad JSON');
		const notDeflate = packPermalinkBytes(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00, 0x12]));
		expect(decodeError(notDeflate).message).toContain('bad deflate');
		const notUtf8 = packPermalinkBytes(deflateSync(new Uint8Array([0x22, 0xc3, 0x28, 0x22])));
		expect(decodeError(notUtf8).message).toContain('UTF-8');
	});

	it('stops a deflate bomb at MAX_PERMALINK_INFLATED_BYTES, quickly', () => {
		const bomb = packPermalinkBytes(
			deflateSync(new Uint8Array(MAX_PERMALINK_INFLATED_BYTES + 1024))
		);
		expect(bomb.length).toBeLessThan(64 * 1024);
		const started = performance.now();
		const error = decodeError(bomb);
		expect(error.code).toBe('PERMALINK_DAMAGED');
		expect(error.message).toContain('MAX_PERMALINK_INFLATED_BYTES');
		expect(performance.now() - started).toBeLessThan(2000);
	});

	it('rejects a fragment longer than MAX_PERMALINK_CHARS before decoding it', () => {
		const started = performance.now();
		const error = decodeError(`r1.${'A'.repeat(MAX_PERMALINK_CHARS)}`);
		expect(error.code).toBe('PERMALINK_DAMAGED');
		expect(error.message).toContain('MAX_PERMALINK_CHARS');
		expect(performance.now() - started).toBeLessThan(100);
	});

	it('throws only MullionErrors on 300 random mutations and on random framed bytes', () => {
		let seed = 12345;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.#r';
		for (let round = 0; round < 300; round++) {
			const index = Math.floor(random() * good.length);
			const character = alphabet[Math.floor(random() * alphabet.length)] ?? 'A';
			const mutated = good.slice(0, index) + character + good.slice(index + 1);
			if (mutated === good) continue;
			expect(isMullionError(decodeError(mutated))).toBe(true);
		}
		for (let round = 0; round < 300; round++) {
			const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 64) }, () =>
				Math.floor(random() * 256)
			);
			expect(decodeError(packPermalinkBytes(bytes)).code).toBe('PERMALINK_DAMAGED');
		}
	});
});

/** The sample's compact JSON with its package list replaced. */
function withPackages(packages: unknown[]): unknown {
	const compact = {
		scannedAt: '2024-01-01T00:00:00Z',
		input: { name: 'a', size: 1, compression: 'gzip' },
		entries: 1,
		stoppedEarly: false,
		hive: { path: 'p', size: 1, version: '1.5', dirty: false },
		facts: { major: 10, minor: 0, build: 20348, ubr: 1, packages, dotnet: [], programs: [] },
		warnings: []
	};
	return compact;
}
