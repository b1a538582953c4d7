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
  /** `prefix` then the bytes of these ranges, in one buffer: `into` when given (reused, keeping memory flat), else a new one. */
  readRanges(ranges: readonly ByteRange[], prefix?: Buffer, into?: Buffer): Promise<Buffer>;
}

const READ_CHUNK_BYTES = 64 * 1024;

export async function openLocalFile(path: string): Promise<ByteSource> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(error.code === "ENOENT" ? `file not found: ${path}` : `cannot read ${path} (${error.code ?? "error"})`);
  });
  if (!info.isFile()) throw new UsageError(`not a file: ${path}`);
  return {
    // Absolute, so ./a.csv and a.csv share one checkpoint and one lock.
    name: resolve(path),
    read: () => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
    readRanges: async (ranges, prefix = Buffer.alloc(0), into) => {
      const { buffer, slots } = rangeBuffer(prefix, ranges, into);
      const file = await open(path, "r");
      try {
        let filled = prefix.length;
        for (const { range, at } of slots) filled = at + (await file.read(buffer, at, range.end - range.start, range.start)).bytesRead;
        return buffer.subarray(0, filled);
      } finally {
        await file.close();
      }
    },
  };
}

/** One buffer (`into` if it is large enough) for `prefix` + ranges, with where each range goes. */
export function rangeBuffer(prefix: Buffer, ranges: readonly ByteRange[], into?: Buffer): { buffer: Buffer; slots: { range: ByteRange; at: number }[] } {
  let at = prefix.length;
  const slots = ranges.map((range) => {
    const slot = { range, at };
    at += range.end - range.start;
    return slot;
  });
  const buffer = into !== undefined && into.length >= at ? into.subarray(0, at) : Buffer.allocUnsafe(at);
  prefix.copy(buffer, 0);
  return { buffer, slots };
}
