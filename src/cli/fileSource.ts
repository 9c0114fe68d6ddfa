/** Node only: a file on disk as a ByteSource (data/stream.ts), read in 4 MB chunks by a read stream. */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { ByteSource } from '../data/stream';

export function fileSource(full: string, path: string, size: number): ByteSource {
  return {
    path,
    name: basename(path),
    size,
    async *chunks() {
      for await (const chunk of createReadStream(full, { highWaterMark: 4 << 20 }))
        yield new Uint8Array(
          (chunk as Buffer).buffer,
          (chunk as Buffer).byteOffset,
          (chunk as Buffer).byteLength,
        );
    },
  };
}
