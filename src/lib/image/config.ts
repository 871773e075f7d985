/**
 * The image config (OCI image-spec config.md, Docker image spec v1.2): os, os.version,
 * architecture, history and rootfs.diff_ids (layers-and-hives.md §2.6), and the Windows versions
 * its history names ("Apply image 10.0.20348.1", "Install update 10.0.20348.1366").
 */
import { asArray, asObject, objectField, stringField, type JsonObject } from './json';
import type { ImageConfig } from './types';

/** Most history entries kept from a config, in entries. */
export const MAX_HISTORY_ENTRIES = 4096;
/** Most layers an image may list, in layers (Docker's own limit is 127). */
export const MAX_IMAGE_LAYERS = 256;

const HISTORY_VERSION = /^(?:apply image|install update)\s+(\d+\.\d+\.\d+\.\d+)\b/i;
const FULL_VERSION = /^\d+\.\d+\.\d+\.\d+$/;

/** Parses a config document. Throws UNSUPPORTED when it is not an object. */
export function parseImageConfig(json: unknown, what: string): ImageConfig {
	const config = asObject(json, what);
	const history = asArray(
		config['history'],
		`${what} history`,
		MAX_HISTORY_ENTRIES,
		'MAX_HISTORY_ENTRIES'
	);
	const rootfs = objectField(config, 'rootfs') ?? {};
	const diffIds = asArray(
		rootfs['diff_ids'],
		`${what} rootfs.diff_ids`,
		MAX_IMAGE_LAYERS,
		'MAX_IMAGE_LAYERS'
	);
	return {
		os: stringField(config, 'os')?.trim(),
		osVersion: stringField(config, 'os.version'),
		architecture: stringField(config, 'architecture'),
		history: history.map((entry) => createdBy(entry)),
		diffIds: diffIds.filter((id): id is string => typeof id === 'string')
	};
}

function createdBy(entry: unknown): string {
	if (typeof entry !== 'object' || entry === null) return '';
	return stringField(entry as JsonObject, 'created_by') ?? '';
}

/** The Windows versions named by "Apply image X" / "Install update X" history lines, in order. */
export function historyVersions(history: readonly string[]): string[] {
	const versions: string[] = [];
	for (const line of history) {
		const match = HISTORY_VERSION.exec(line.trim());
		if (match?.[1]) versions.push(match[1]);
	}
	return versions;
}

/**
 * The Windows version the config claims: `os.version` when it is a full `a.b.c.d`, else the
 * last version named in the history; undefined when neither says.
 */
export function configVersion(config: ImageConfig | undefined): string | undefined {
	if (config === undefined) return undefined;
	if (config.osVersion && FULL_VERSION.test(config.osVersion)) return config.osVersion;
	return historyVersions(config.history).at(-1);
}

/** `os/arch os.version` as a label, e.g. `windows/amd64 10.0.20348.1366`. */
export function platformLabel(
	os: string | undefined,
	architecture: string | undefined,
	osVersion?: string
): string {
	const base = `${os ?? 'unknown'}/${architecture ?? 'unknown'}`;
	return osVersion ? `${base} ${osVersion}` : base;
}
