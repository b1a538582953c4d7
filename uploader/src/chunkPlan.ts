import { createHash, type Hash } from "node:crypto";
import type { CsvRecord } from "./csv/reader";

/** A byte range [start, end) of the source. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** One upload request, planned during validation: which bytes, how many records, and their digest. */
export interface ChunkPlan {
  readonly index: number;
  readonly records: number;
  /** Physical line of the chunk's first record. */
  readonly firstLine: number;
  /** Record bytes (header excluded); several ranges only when invalid records are skipped. */
  readonly ranges: readonly ByteRange[];
  readonly bytes: number;
  /** SHA-256 of the header plus the ranges' bytes, re-checked when the chunk is read again for sending. */
  readonly sha256: string;
}

/**
 * Cuts chunks of at most N records on record boundaries as records stream
 * past, remembering only byte ranges and digests, never the bytes.
 */
export class ChunkPlanner {
  private readonly chunks: ChunkPlan[] = [];
  private current: { records: number; firstLine: number; ranges: ByteRange[]; bytes: number; hash: Hash } | undefined;

  constructor(
    private readonly header: Buffer,
    private readonly recordsPerChunk: number,
  ) {}

  add(record: CsvRecord): void {
    const chunk = (this.current ??= { records: 0, firstLine: record.line, ranges: [], bytes: 0, hash: createHash("sha256").update(this.header) });
    const last = chunk.ranges.at(-1);
    if (last !== undefined && last.end === record.start) chunk.ranges[chunk.ranges.length - 1] = { start: last.start, end: record.end };
    else chunk.ranges.push({ start: record.start, end: record.end });
    chunk.hash.update(record.raw);
    chunk.bytes += record.raw.length;
    if (++chunk.records === this.recordsPerChunk) this.close();
  }

  finish(): ChunkPlan[] {
    this.close();
    return this.chunks;
  }

  private close(): void {
    if (this.current === undefined) return;
    const { records, firstLine, ranges, bytes, hash } = this.current;
    this.chunks.push({ index: this.chunks.length, records, firstLine, ranges, bytes, sha256: hash.digest("hex") });
    this.current = undefined;
  }
}

/** One digest for the whole plan: equal digests mean the same records cut into the same chunks. */
export function planDigest(header: Buffer, chunks: readonly ChunkPlan[]): string {
  const hash = createHash("sha256").update(header);
  for (const chunk of chunks) hash.update(chunk.sha256);
  return hash.digest("hex");
}
