/** A byte range [start, end) of a file. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Where a file's bytes come from: read once as a stream (validation), then by range (chunks). */
export interface ByteSource {
  /** What to call the file in messages and state (a real path or a blob URL without its query; never contents). */
  readonly name: string;
  /** Equal fingerprints mean the same version (local: device, inode, size, mtime; Blob: ETag). */
  readonly fingerprint: string;
  /** Streams the whole file, in order. */
  read(): AsyncIterable<Buffer>;
  /** `prefix` then the bytes of these ranges, in one buffer: `into` when it is large enough (reused, keeping memory flat), else a new one. */
  readRanges(ranges: readonly ByteRange[], prefix?: Buffer, into?: Buffer): Promise<Buffer>;
  /** Throws when the version read is changing in place (a local file still being written). */
  assertUnchanged(): Promise<void>;
  close(): Promise<void>;
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
