import { DEFAULT_MAX_RECORD_BYTES, LineEnding, type ReaderPosition } from "../csv/reader";
import { SlicePool, untilStopped } from "./slicePool";
import { Slicer, type Slice } from "./slicer";
import type { SliceResult, SliceWorkerSetup } from "./sliceCheck";
import type { RecordTally } from "./tally";

/** How much of the file one thread checks at a time. */
export const SLICE_BYTES = 1024 * 1024;

/** Validation on worker threads besides this one: the code to start them from, how many, and how big a slice each gets. */
export interface ValidationWorkers {
  /** The slice worker's bundled code (uploader/src/validation/sliceWorker.ts), which the CLI's bundle carries. */
  readonly code: string;
  readonly threads: number;
  readonly sliceBytes: number;
}

/** Where checking in slices stopped short: one reader goes on from `from`, fed `pieces` first, then the rest of the file. */
export interface ReadOnFrom {
  readonly from: ReaderPosition;
  readonly pieces: readonly Buffer[];
}

/** Slices worth checking in slices: a reader can start between two records only where a record ends with LF or CRLF. */
export function canSlice(position: ReaderPosition): position is ReaderPosition & { ending: LineEnding.lf | LineEnding.crlf } {
  return position.ending === LineEnding.lf || position.ending === LineEnding.crlf;
}

/**
 * Checks the records from `from` to the end of the file in slices on worker
 * threads, merging each slice's tally into `tally` in file order. `pending`
 * holds the bytes already read past `from`; `chunks` gives the rest. Returns
 * undefined when the file is done, or where one reader must go on without
 * slices: a slice failed (a malformed file; that reader then fails the same
 * way as if there had been no slices), or no record ends for too long.
 */
export async function checkInSlices(
  chunks: AsyncIterator<Buffer>,
  pending: Buffer,
  from: ReaderPosition & { ending: LineEnding.lf | LineEnding.crlf },
  tally: RecordTally,
  workers: ValidationWorkers,
  setup: SliceWorkerSetup,
  stop?: AbortSignal,
): Promise<ReadOnFrom | undefined> {
  const slicer = new Slicer(from.offset, from.ending, workers.sliceBytes);
  const pool = new SlicePool(workers.code, workers.threads, setup);
  const queue: Array<{ slice: Slice; result: Promise<SliceResult> }> = [];
  // Only the oldest results are merged, in order: at most this many slices wait (two per thread, this one included), bounding memory.
  const maxQueued = (workers.threads + 1) * 2;
  // No record ends in this many bytes: the file cannot parse (a record is longer than the limit, or a quote is open).
  const maxHeld = workers.sliceBytes + 2 * (setup.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES) + 1024 * 1024;
  let line = from.line;
  const readOn = (index: number): ReadOnFrom => {
    const slice = queue[index]?.slice;
    const held = slicer.held();
    const offset = slice?.offset ?? held.offset;
    return { from: { offset, line, ending: from.ending }, pieces: [...queue.slice(index).flatMap((queued) => queued.slice.pieces), ...held.pieces] };
  };
  /** Merges the oldest slice's tally; false when it failed. */
  const settleOldest = async (): Promise<boolean> => {
    const result = await untilStopped((queue[0] as { result: Promise<SliceResult> }).result, stop);
    if ("failed" in result) return false;
    tally.merge(result.part, line);
    line += result.lines;
    queue.shift();
    return true;
  };
  const dispatch = (slices: Slice[]) => {
    for (const slice of slices) {
      const result = pool.check(slice, { offset: slice.offset, line: 1, ending: from.ending });
      result.catch(() => undefined); // awaited in order by settleOldest; a rejection before then is not unhandled
      queue.push({ slice, result });
    }
  };
  try {
    dispatch(slicer.push(pending));
    for (;;) {
      while (queue.length >= maxQueued) if (!(await settleOldest())) return readOn(0);
      const next = await chunks.next();
      if (next.done) break;
      dispatch(slicer.push(next.value));
      if (slicer.pendingBytes > maxHeld) {
        while (queue.length > 0) if (!(await settleOldest())) return readOn(0);
        return readOn(0);
      }
    }
    const last = slicer.end();
    if (last !== undefined) dispatch([last]);
    while (queue.length > 0) if (!(await settleOldest())) return readOn(0);
    return undefined;
  } finally {
    await pool.close();
  }
}
