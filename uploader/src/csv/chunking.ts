import type { ByteRange } from "../source/byteSource";
import type { RecordIndex } from "./recordIndex";
import { RecordRanges, type RecordRange } from "./recordRanges";

/** One upload request of this run: which records, where their bytes lie, and the line the first one starts on. */
export interface Chunk {
  /** 0-based position in this run's plan. */
  readonly index: number;
  /** The records it carries, as ordinals of the file. */
  readonly records: RecordRanges;
  readonly recordCount: number;
  readonly firstLine: number;
  /** Record bytes (header excluded), contiguous runs merged. */
  readonly byteRanges: readonly ByteRange[];
  readonly bytes: number;
}

/**
 * Cuts the valid records not yet delivered into chunks of at most
 * `recordsPerChunk`, on record boundaries and in file order. Chunks are cut
 * here, per run, so a rerun with another chunk size resumes exactly.
 */
export function planChunks(index: RecordIndex, delivered: RecordRanges, recordsPerChunk: number): Chunk[] {
  const chunks: Chunk[] = [];
  let current: { records: RecordRange[]; byteRanges: { start: number; end: number }[]; recordCount: number; firstLine: number; bytes: number } | undefined;
  const close = () => {
    if (current === undefined) return;
    chunks.push({ index: chunks.length, records: RecordRanges.of(current.records), recordCount: current.recordCount, firstLine: current.firstLine, byteRanges: current.byteRanges, bytes: current.bytes });
    current = undefined;
  };
  const sent = delivered.toJSON();
  let cursor = 0; // into `sent`, which is sorted
  for (let record = 0; record < index.count; record++) {
    while (cursor < sent.length && (sent[cursor] as RecordRange)[1] <= record) cursor++;
    const range = sent[cursor];
    if (range !== undefined && record >= range[0]) {
      record = range[1] - 1; // skip the delivered run
      continue;
    }
    if (!index.isValid(record)) continue;
    const start = index.start(record);
    const end = index.end(record);
    current ??= { records: [], byteRanges: [], recordCount: 0, firstLine: index.line(record), bytes: 0 };
    const lastRecords = current.records.at(-1);
    if (lastRecords !== undefined && lastRecords[1] === record) current.records[current.records.length - 1] = [lastRecords[0], record + 1];
    else current.records.push([record, record + 1]);
    const lastBytes = current.byteRanges.at(-1);
    if (lastBytes !== undefined && lastBytes.end === start) lastBytes.end = end;
    else current.byteRanges.push({ start, end });
    current.bytes += end - start;
    if (++current.recordCount === recordsPerChunk) close();
  }
  close();
  return chunks;
}

/** The valid records of a file, as ranges: what a delivery of it must cover. */
export function validRecords(index: RecordIndex): RecordRanges {
  const ranges: [number, number][] = [];
  let runStart = -1;
  for (let record = 0; record <= index.count; record++) {
    const valid = record < index.count && index.isValid(record);
    if (valid && runStart < 0) runStart = record;
    if (!valid && runStart >= 0) {
      ranges.push([runStart, record]);
      runStart = -1;
    }
  }
  return RecordRanges.of(ranges);
}
