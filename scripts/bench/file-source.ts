/**
 * A Node ByteSource over a file path, read with fh.read. Node 20's `fs.openAsBlob` reports the
 * size of files over 4 GiB modulo 2^32 (a 4.18 GiB layer reads as 182 MiB), so the benchmark
 * cannot use it for the large layer; reads and streams here are exact for any size.
 */

import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../../src/lib/archive/source';

const STREAM_CHUNK_BYTES = 1024 * 1024;

/** Opens `file`; call `close()` when done. */
export async function fileSource(file: string): Promise<ByteSource & { close(): Promise<void> }> {
	const handle: FileHandle = await open(file);
	const size = (await handle.stat()).size;
	const readAt = async (offset: number, length: number) => {
		const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
		let done = 0;
		while (done < buffer.length) {
			const { bytesRead } = await handle.read(buffer, done, buffer.length - done, offset + done);
			if (bytesRead === 0) break;
			done += bytesRead;
		}
		return buffer.subarray(0, done);
	};
	return {
		size,
		read: readAt,
		stream(offset = 0, end = size) {
			let position = offset;
			return new ReadableStream<Uint8Array>(
				{
					async pull(controller) {
						if (position >= end) return controller.close();
						const chunk = await readAt(position, Math.min(STREAM_CHUNK_BYTES, end - position));
						position += chunk.length;
						if (chunk.length === 0) controller.close();
						else controller.enqueue(chunk);
					}
				},
				{ highWaterMark: 0 }
			);
		},
		close: () => handle.close()
	};
}
