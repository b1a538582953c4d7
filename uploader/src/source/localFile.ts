import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { ByteRange } from "../chunkPlan";
import { UsageError } from "../errors";

/** Where the CSV's bytes come from: read once as a stream, then again by range to send chunks. */
export interface ByteSource {
  /** What to call the file in messages and checkpoints (a path or a blob URL without its query; never contents). */
  readonly name: string;
  /** Streams the whole file, in order. */
  read(): AsyncIterable<Buffer>;
  /** The bytes of these ranges, concatenated. */
  readRanges(ranges: readonly ByteRange[]): Promise<Buffer>;
}

const READ_CHUNK_BYTES = 256 * 1024;

export async function openLocalFile(path: string): Promise<ByteSource> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(error.code === "ENOENT" ? `file not found: ${path}` : `cannot read ${path} (${error.code ?? "error"})`);
  });
  if (!info.isFile()) throw new UsageError(`not a file: ${path}`);
  return {
    // Absolute, so ./a.csv and a.csv share one checkpoint and one lock.
    name: resolve(path),
    read: () => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
    readRanges: async (ranges) => {
      const file = await open(path, "r");
      try {
        const parts = [];
        for (const { start, end } of ranges) {
          const part = Buffer.alloc(end - start);
          const { bytesRead } = await file.read(part, 0, part.length, start);
          parts.push(part.subarray(0, bytesRead));
        }
        return Buffer.concat(parts);
      } finally {
        await file.close();
      }
    },
  };
}
