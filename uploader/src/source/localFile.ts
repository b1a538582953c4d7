import { mkdir, open, realpath, stat, unlink, type FileHandle } from "node:fs/promises";
import { constants, type Stats } from "node:fs";
import { UploadError, UsageError } from "../core/errors";
import { rangeBuffer, type ByteSource } from "./byteSource";

const READ_CHUNK_BYTES = 64 * 1024;

/** Describes an OS error in one line: the code and its meaning, never a stack. */
export function osReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const meaning = /^[A-Z]+: ([^,]+)/.exec(message ?? "")?.[1];
  return code === undefined ? "error" : meaning ? `${code}: ${meaning}` : code;
}

/**
 * `mkdir -p` that reports the real reason: Node's recursive mkdir says ENOENT
 * where the file system is read-only or forbidden; a plain mkdir of the last
 * level then tells EROFS or EACCES.
 */
export async function ensureFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(path, { mode: 0o700 });
    throw error;
  }
}

/**
 * Writes `text` to a new file at `path` (`wx`: only if none is there; `w`: over any) and syncs it to the disk. A write
 * that fails (a full disk) removes the file: half a file would mislead whoever reads it next.
 */
export async function writeSyncedFile(path: string, text: string, flags: "w" | "wx", mode: number): Promise<void> {
  const file = await open(path, flags, mode);
  try {
    await file.writeFile(text);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await file.close();
}

const notRegular = (path: string, kind: string) => new UsageError(`not a regular file: ${path} is ${kind}; hr-upload reads a file it can read twice (to check it, then to send it)`);

/**
 * A local file, read through one handle opened at the start: the version
 * validated is the version read, even if the path is replaced meanwhile (a new
 * file renamed over it). A change in place (size or modification time) means
 * the file is still being written: nothing of it is sent.
 */
export async function openLocalFile(path: string): Promise<ByteSource> {
  // Non-blocking, so that a FIFO without a writer opens at once (and is refused below) instead of hanging the run; a regular file reads the same.
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(async (error: NodeJS.ErrnoException) => {
    // A Unix socket cannot be opened at all (ENXIO on Linux, EOPNOTSUPP on macOS): named for what it is, as the other kinds below.
    if ((error.code === "ENXIO" || error.code === "EOPNOTSUPP") && (await stat(path).then((found) => found.isSocket(), () => false))) throw notRegular(path, "a socket");
    throw new UsageError(error.code === "ENOENT" ? `file not found: ${path}` : `cannot read ${path} (${osReason(error)})`, { cause: error });
  });
  const opened = await handle.stat();
  if (!opened.isFile()) {
    await handle.close();
    throw notRegular(path, opened.isDirectory() ? "a folder" : opened.isFIFO() ? "a FIFO (named pipe)" : opened.isSocket() ? "a socket" : "a device");
  }
  // One name for the file whatever path, symlink or relative spelling reaches it.
  const name = await realpath(path).catch(() => path);
  const stillBeingWritten = () => new UploadError(`${name} is still being written (its size or modification time changed during the run); nothing more of it was sent: rerun later`);
  const unchanged = (now: Stats) => now.size === opened.size && now.mtimeMs === opened.mtimeMs;
  return {
    name,
    fingerprint: `local:${opened.dev}:${opened.ino}:${opened.size}:${opened.mtimeMs}`,
    read: () => readAll(handle, opened.size, stillBeingWritten),
    readRanges: async (ranges, prefix = Buffer.alloc(0), into) => {
      const { buffer, slots } = rangeBuffer(prefix, ranges, into);
      for (const { range, at } of slots) {
        const wanted = range.end - range.start;
        const { bytesRead } = await handle.read(buffer, at, wanted, range.start);
        if (bytesRead !== wanted) throw stillBeingWritten();
      }
      return buffer;
    },
    assertUnchanged: async () => {
      if (!unchanged(await handle.stat())) throw stillBeingWritten();
    },
    close: () => handle.close(),
  };
}

/** The file's bytes as they were when opened: a file that grows or shrinks meanwhile is still being written. */
async function* readAll(handle: FileHandle, size: number, stillBeingWritten: () => Error): AsyncGenerator<Buffer> {
  let position = 0;
  while (position < size) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position).catch((error: unknown) => {
      throw new UploadError(`cannot read the file any more (${osReason(error)})`);
    });
    if (bytesRead === 0) throw stillBeingWritten();
    position += bytesRead;
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
  }
}
