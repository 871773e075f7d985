/**
 * Shapes shared by the saved-image readers (layers-and-hives.md §2): a dropped file, the image
 * formats Mullion recognises, the parsed config, and the ordered layer plan they all produce.
 */
import type { ByteSource } from '../archive/source';
import type { Warning } from '../warnings';

/** One dropped file: its name as dropped and its bytes. */
export interface DroppedFile {
	name: string;
	source: ByteSource;
}

/** How the input was packaged. */
export type ImageFormat = 'layer' | 'docker-save' | 'oci-archive' | 'oci-layout' | 'skopeo-dir';

/** The fields of an image config Mullion uses (§2.6). */
export interface ImageConfig {
	os?: string;
	osVersion?: string;
	architecture?: string;
	/** `created_by` of each history entry, in order (empty layers included). */
	history: string[];
	/** `rootfs.diff_ids`, base first. */
	diffIds: string[];
}

/** One layer of the plan, base first. `source` is undefined when the blob is not in the input. */
export interface PlannedLayer {
	/** Blob digest (`sha256:<hex>`) when the manifest names one. */
	digest?: string;
	/** Uncompressed digest from the config's `rootfs.diff_ids`. */
	diffId?: string;
	/** Where the blob is (path in the archive or dropped file name). */
	path: string;
	mediaType?: string;
	/** Size the manifest declares (may be the compressed size of a foreign layer). */
	declaredSize?: number;
	/** A foreign (non-distributable) layer: the manifest gives download URLs. */
	foreign?: boolean;
	source?: ByteSource;
}

/** An image resolved down to its layers. */
export interface ImagePlan {
	format: ImageFormat;
	/** Chosen platform, e.g. `windows/amd64 10.0.20348.1366`. */
	platform?: string;
	/** Why that platform, when the index offered several. */
	platformNote?: string;
	config?: ImageConfig;
	layers: PlannedLayer[];
	warnings: Warning[];
}
