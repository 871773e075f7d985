/** Paths of the layers that global-setup generates for the browser tests. */
import { fileURLToPath } from 'node:url';

const dir = (name: string) => fileURLToPath(new URL(`../../.cache/e2e/${name}`, import.meta.url));

export const LAYERS = {
	dir: dir(''),
	/** ≥ 200 MiB plain tar, SOFTWARE (Server 2022 Core 10.0.20348.1366) after the filler. */
	bigPlain: dir('windows-200m.tar'),
	/** The same, gzip. */
	bigGzip: dir('windows-200m.tar.gz'),
	/** A Linux layer (ubuntu-like). */
	linux: dir('linux-layer.tar.gz'),
	/** A Windows layer with no SOFTWARE hive (a non-base layer). */
	noHive: dir('app-layer.tar')
};
