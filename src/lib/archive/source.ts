/**
 * Where bytes come from. The core never sees a File or a path: it sees a `ByteSource`, which a
 * browser File, a Node `fs.openAsBlob` Blob, a slice of a larger archive or a test buffer can all
 * stand behind.
 */

export interface ByteSource {
	/** Total size in bytes. */
	readonly size: number;
	/** Reads `[offset, offset + length)`, clamped to the end of the source. */
	read(offset: number, length: number): Promise<Uint8Array>;
	/** Streams `[offset, end)` (whole source by default) in chunks of any size. */
	stream(offset?: number, end?: number): ReadableStream<Uint8Array>;
}

/** A ByteSource over a Blob (a File in the browser, `fs.openAsBlob` in Node). */
export function blobSource(blob: Blob): ByteSource {
	return {
		size: blob.size,
		async read(offset, length) {
			const end = Math.min(blob.size, offset + length);
			if (end <= offset) return new Uint8Array(0);
			return new Uint8Array(await blob.slice(offset, end).arrayBuffer());
		},
		stream(offset = 0, end = blob.size) {
			return blob.slice(offset, end).stream() as ReadableStream<Uint8Array>;
		}
	};
}

/** A ByteSource over bytes already in memory (tests, small inputs). */
export function bytesSource(bytes: Uint8Array): ByteSource {
	return blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]));
}

/** A window `[start, start + size)` of another source, e.g. a layer inside a saved image. */
export function sliceSource(source: ByteSource, start: number, size: number): ByteSource {
	const clampedSize = Math.max(0, Math.min(size, source.size - start));
	return {
		size: clampedSize,
		read(offset, length) {
			const end = Math.min(clampedSize, offset + length);
			return source.read(start + offset, Math.max(0, end - offset));
		},
		stream(offset = 0, end = clampedSize) {
			return source.stream(start + offset, start + Math.min(end, clampedSize));
		}
	};
}
