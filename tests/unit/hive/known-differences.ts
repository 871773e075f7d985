/**
 * Where our reader deliberately differs from the consensus reference dumps, with the reason.
 * `extraKeys`: keys we read that the consensus lacks; `missingTimes`: consensus T records of keys
 * we name differently; `missingValues`: consensus values we read differently. Everything else must
 * match exactly.
 */
export interface KnownDifference {
	extraKeys: number;
	missingTimes: number;
	/** Consensus values we return with other bytes. */
	missingValues?: number;
	why: string;
}

export const KNOWN_DIFFERENCES: Record<string, KnownDifference> = {
	'hivex/special': {
		extraKeys: 1,
		missingTimes: 1,
		why: "key 'zero\\0key': we keep the full counted name (as hivex and perl do); libregf/regfi cut it at the NUL, so no name reached a majority"
	},
	'yarp/BogusKeyNamesHive': {
		extraKeys: 1,
		missingTimes: 1,
		why: "key 'testnu\\0l': full counted name kept (see hivex/special)"
	},
	'yarp/CompHive': {
		extraKeys: 2,
		missingTimes: 0,
		why: 'compressed name byte 0x9F read as Latin-1 U+009F like Windows and hivex; libregf/perl use Windows-1252, regfi UTF-16, so no majority'
	},
	'yarp/TruncatedPairHive': {
		extraKeys: 1,
		missingTimes: 0,
		why: 'damaged UTF-16 name decoded with U+FFFD; the tools disagree on the damaged name'
	},
	'yarp/TruncatedPairHive2': {
		extraKeys: 1,
		missingTimes: 0,
		why: 'damaged UTF-16 name decoded with U+FFFD; the tools disagree on the damaged name'
	},
	'eztools-registry/SAMBadHBinHeader': {
		extraKeys: 1,
		missingTimes: 0,
		why: "key 'SAM' lies in the intact first bin, so we return it (its subkeys() throws); libregf/regfi fail on the whole key"
	},
	'plaso/regf/corrupt_sub_key_list.hiv': {
		extraKeys: 91,
		missingTimes: 0,
		why: 'the bad list entry is skipped and the entries after it kept (as libregf and perl do); regfi stops at the bad entry, hivex fails'
	}
};
