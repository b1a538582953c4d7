import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { UsageError } from "../errors";

export interface ByteSource {
  /** What to call the file in messages and run records (a path or blob name, never contents). */
  readonly name: string;
  /** Streams the whole file, in order. */
  read(): AsyncIterable<Buffer>;
}

const READ_CHUNK_BYTES = 256 * 1024;

export async function openLocalFile(path: string): Promise<ByteSource> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(error.code === "ENOENT" ? `file not found: ${path}` : `cannot read ${path} (${error.code ?? "error"})`);
  });
  if (!info.isFile()) throw new UsageError(`not a file: ${path}`);
  return {
    name: path,
    read: () => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
  };
}
