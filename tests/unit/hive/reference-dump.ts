/**
 * Test helper: reads the consensus reference dumps (`reference/<relpath>.ndjson.gz`, see
 * /work/shared/corpus/hives/README.md) and dumps a hive opened by our reader in the same record
 * form, so that both can be compared record by record.
 */

import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { walk, type Hive } from '../../../src/lib/hive/hive';

/** One dump: K records (JSON of the path), V records keyed by path + name, T records. */
export interface Dump {
	keys: Set<string>;
	/** JSON [path, name] → JSON [type, length, sha256 prefix]. Duplicate names keep every entry. */
	values: Map<string, string[]>;
	times: Map<string, string>;
}

function emptyDump(): Dump {
	return { keys: new Set(), values: new Map(), times: new Map() };
}

function addValue(dump: Dump, path: string[], name: string, facts: unknown[]): void {
	const id = JSON.stringify([path, name]);
	const list = dump.values.get(id) ?? [];
	list.push(JSON.stringify(facts));
	dump.values.set(id, list);
}

/** Reads a `.ndjson.gz` reference dump. */
export function readReference(file: string): Dump {
	const dump = emptyDump();
	const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
	for (const line of lines.slice(1)) {
		if (line === '') continue;
		const record = JSON.parse(line) as unknown[];
		const path = record[1] as string[];
		if (record[0] === 'K') dump.keys.add(JSON.stringify(path));
		if (record[0] === 'V') addValue(dump, path, record[2] as string, record.slice(3, 6));
		// FILETIMEs exceed 2^53: take the digits from the text, not from the parsed number.
		if (record[0] === 'T') dump.times.set(JSON.stringify(path), /(\d+)\]$/.exec(line)?.[1] ?? '');
	}
	return dump;
}

/** Dumps a hive with our reader; value data errors are recorded as the `error` field. */
export function dumpHive(hive: Hive): Dump & { problems: number } {
	const dump = emptyDump();
	const result = walk(hive, {
		key(path, key) {
			dump.keys.add(JSON.stringify(path));
			dump.times.set(JSON.stringify(path), String(key.lastWritten));
		},
		value(path, value) {
			let facts: unknown[];
			try {
				const data = value.data;
				const sha = createHash('sha256').update(data).digest('hex').slice(0, 16);
				facts = [value.type, data.length, sha];
			} catch (error) {
				facts = ['error', String(error)];
			}
			addValue(dump, [...path], value.name, facts);
		}
	});
	return { ...dump, problems: result.problems.length };
}

/** Differences between a reference dump and ours (reference records missing or changed). */
export interface Comparison {
	missingKeys: string[];
	extraKeys: string[];
	/** Reference values not found with equal type, length and sha256 prefix. */
	missingValues: string[];
	missingTimes: string[];
}

/** Compares `ours` against `reference`: every reference record must be in ours. */
export function compare(reference: Dump, ours: Dump): Comparison {
	const missingValues: string[] = [];
	for (const [id, facts] of reference.values) {
		const found = ours.values.get(id) ?? [];
		for (const fact of facts) if (!found.includes(fact)) missingValues.push(`${id} ${fact}`);
	}
	const missingTimes = [...reference.times]
		.filter(([id, time]) => ours.times.get(id) !== time)
		.map(([id]) => id);
	return {
		missingKeys: [...reference.keys].filter((key) => !ours.keys.has(key)),
		extraKeys: [...ours.keys].filter((key) => !reference.keys.has(key)),
		missingValues,
		missingTimes
	};
}
