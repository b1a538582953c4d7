import { parentPort, workerData } from "node:worker_threads";
import { fileRulesFor, type FileRulesOptions } from "../csv/fileRules";
import { resolveLayout } from "../csv/layout";
import { CsvReader, type ReaderPosition } from "../csv/reader";
import { PlaceList, RecordTally, type TallyOptions, type TallyPart } from "./tally";

/** What a slice worker is started with: enough to check records exactly as the thread that read the header does. */
export interface SliceWorkerSetup {
  readonly kind: typeof SLICE_WORKER;
  readonly header: { readonly fields: string[]; readonly line: number };
  readonly rules: FileRulesOptions;
  readonly columns: ReadonlyArray<readonly [string, string]>;
  readonly tally: TallyOptions;
  readonly index: boolean;
  readonly maxRecordBytes?: number;
}

/** One slice to check: its bytes, and where it starts (lines count from 1 there). */
export interface SliceTask {
  readonly id: number;
  readonly from: ReaderPosition;
  readonly bytes: Uint8Array;
}

/** A slice's tally, with how many line breaks it holds; or the slice failed (the reader reads on from its start, without slices). */
export type SliceResult = { readonly id: number; readonly part: TallyPart; readonly lines: number } | { readonly id: number; readonly failed: true };

export const SLICE_WORKER = "hr-upload slice worker";
const FEED_BYTES = 64 * 1024;

export function isSliceWorker(data: unknown): data is SliceWorkerSetup {
  return typeof data === "object" && data !== null && (data as { kind?: unknown }).kind === SLICE_WORKER;
}

/** The worker thread's side: checks each slice it is sent, answers with its tally. */
export function serveSlices(): void {
  const setup = workerData as SliceWorkerSetup;
  const port = parentPort;
  if (port === null) throw new Error("slice worker started outside a worker thread");
  const layout = resolveLayout(setup.header.fields, fileRulesFor(setup.rules), new Map(setup.columns), setup.header.line);
  port.on("message", (task: SliceTask) => {
    const result = checkSlice(task);
    port.postMessage(result, "part" in result && result.part.places ? transferablesOf(result.part.places) : []);
  });

  function checkSlice(task: SliceTask): SliceResult {
    const places = setup.index ? new PlaceList() : undefined;
    const tally = new RecordTally(setup.tally, places);
    const reader = new CsvReader({ from: { ...task.from, line: 1 }, maxRecordBytes: setup.maxRecordBytes });
    try {
      const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
      // Fed as the file is read, a piece at a time: the records of one piece die young, in V8's young generation.
      for (let at = 0; at < bytes.length; at += FEED_BYTES) {
        for (const record of reader.feed(bytes.subarray(at, at + FEED_BYTES))) tally.check(record, layout);
        reader.throwIfFailed();
      }
      for (const record of reader.end()) tally.check(record, layout);
      reader.throwIfFailed();
    } catch {
      // Whatever it is, the reader without slices meets it again from this slice's start, and says it exactly.
      return { id: task.id, failed: true };
    }
    const { recordsRead, invalid, reported, byScenario } = tally;
    const lines = reader.lineAfterAll() - 1;
    return { id: task.id, part: { recordsRead, invalid, reported, byScenario, places: places?.take() }, lines };
  }
}

function transferablesOf(places: NonNullable<TallyPart["places"]>): ArrayBuffer[] {
  return [places.start.buffer, places.end.buffer, places.line.buffer, places.valid.buffer] as ArrayBuffer[];
}
