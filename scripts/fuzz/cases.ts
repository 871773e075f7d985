/**
 * One fuzz case, built deterministically from its case seed, and the code that runs it through
 * Mullion: hives are opened, walked to the last value (every value's data decoded) and read for
 * Windows facts; layers go through the whole `scanSource` pipeline. The outcome is 'ok', a
 * MullionError code, or 'untyped' (any other exception: a crash).
 */

import { bytesSource } from '../../src/lib/archive/source';
import { isMullionError } from '../../src/lib/errors';
import { openHive, walk, type HiveKey, type HiveValue } from '../../src/lib/hive/hive';
import { RegType } from '../../src/lib/hive/types';
import { valueDword, valueMultiString, valueQword, valueString } from '../../src/lib/hive/value';
import { scanSource } from '../../src/lib/scan';
import { readWindowsFacts } from '../../src/lib/windows/facts';
import type { FuzzCorpus } from './corpus';
import { mutateHive } from './hive-mutations';
import { mutateGzip, mutateTar, mutateZstd } from './layer-mutations';
import { Prng } from './prng';

export type CaseKind = 'hive' | 'layer';

export interface FuzzCase {
	kind: CaseKind;
	/** Name of the clean input it was made from. */
	base: string;
	/** What was done to it, in order. */
	steps: string[];
	/** 'none' for hives and plain tars. */
	compression: 'none' | 'gzip' | 'zstd';
	bytes: Uint8Array;
}

export interface CaseOutcome {
	/** 'ok', a MullionError code, or 'untyped'. */
	result: string;
	message?: string;
	stack?: string;
}

/** Builds the case of `caseSeed`; `hiveShare` is the probability of a hive case. */
export function makeCase(corpus: FuzzCorpus, caseSeed: number, hiveShare = 0.5): FuzzCase {
	const random = new Prng(caseSeed);
	if (corpus.hives.length > 0 && random.chance(hiveShare)) {
		const base = random.pick(corpus.hives);
		const { bytes, steps } = mutateHive(base.bytes, base.cells, random);
		return { kind: 'hive', base: base.name, steps, compression: 'none', bytes };
	}
	if (corpus.zstd.length > 0 && random.chance(0.1)) {
		const base = random.pick(corpus.zstd);
		const { bytes, steps } = mutateZstd(base.bytes, random);
		return { kind: 'layer', base: base.name, steps, compression: 'zstd', bytes };
	}
	const base = random.pick(corpus.tars);
	const tar = mutateTar(base.bytes, base.headers, random);
	if (random.chance(0.6)) return { kind: 'layer', base: base.name, ...tar, compression: 'none' };
	const gzip = mutateGzip(tar.bytes, random);
	return {
		kind: 'layer',
		base: base.name,
		steps: [...tar.steps, ...gzip.steps],
		compression: 'gzip',
		bytes: gzip.bytes
	};
}

/** Runs one case and classifies how it ended (never throws). */
export async function runCase(fuzzCase: FuzzCase): Promise<CaseOutcome> {
	try {
		if (fuzzCase.kind === 'hive') runHive(fuzzCase.bytes, fuzzCase.steps.length % 2 === 1);
		else await scanSource(bytesSource(fuzzCase.bytes), { name: 'fuzz', now: () => new Date(0) });
		return { result: 'ok' };
	} catch (error) {
		if (isMullionError(error)) return { result: error.code };
		const text = error instanceof Error ? error.message : String(error);
		return {
			result: 'untyped',
			message: text,
			stack: error instanceof Error ? error.stack : undefined
		};
	}
}

/** Opens, walks every key and value (decoding all data), then reads the Windows facts. */
export function runHive(bytes: Uint8Array, strict: boolean): void {
	const hive = openHive(bytes, { strict });
	walk(hive, { key: touchKey, value: (_path, value) => decodeValue(value) });
	readWindowsFacts(hive.root());
}

function touchKey(_path: readonly string[], key: HiveKey): void {
	try {
		key.className();
	} catch (error) {
		if (!isMullionError(error)) throw error;
	}
}

function decodeValue(value: HiveValue): void {
	try {
		void value.data;
		if (value.type === RegType.MULTI_SZ) valueMultiString(value);
		else if (value.type === RegType.QWORD) valueQword(value);
		else valueString(value) ?? valueDword(value);
	} catch (error) {
		if (!isMullionError(error)) throw error;
	}
}
