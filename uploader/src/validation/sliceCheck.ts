import { fileRulesFor, type FileRulesOptions } from "../csv/fileRules";
import { resolveLayout, type HeaderLayout } from "../csv/layout";
import { CsvReader, type ReaderPosition } from "../csv/reader";
import { PlaceList, RecordTally, type TallyOptions, type TallyPart } from "./tally";

/** What a slice checker is set up with: enough to check records exactly as the thread that read the header does. */
export interface SliceWorkerSetup {
  readonly kind: typeof SLICE_WORKER;
  readonly header: { readonly fields: string[]; readonly line: number };
  readonly rules: FileRulesOptions;
  readonly columns: ReadonlyArray<readonly [string, string]>;
  readonly tally: TallyOptions;
  readonly index: boolean;
  readonly maxRecordBytes?: number;
}

/** One slice to check on a worker thread: its bytes, and where it starts (lines count from 1 there). */
export interface SliceTask {
  readonly id: number;
  readonly from: ReaderPosition;
  readonly bytes: Uint8Array;
}

/** A slice's tally, with how many line breaks it holds; or the slice failed (the reader reads on from its start, without slices). */
export type SliceResult = { readonly id: number; readonly part: TallyPart; readonly lines: number } | { readonly id: number; readonly failed: true };

export const SLICE_WORKER = "hr-upload slice worker";

/** Checks slices of whole records, on a worker thread or on the thread that reads the file. */
export class SliceChecker {
  private readonly layout: HeaderLayout;

  constructor(private readonly setup: SliceWorkerSetup) {
    this.layout = resolveLayout(setup.header.fields, fileRulesFor(setup.rules), new Map(setup.columns), setup.header.line);
  }

  /** Checks the records of `pieces` (a slice, in order), which start at `from`; lines count from 1 there. */
  check(id: number, from: ReaderPosition, pieces: Iterable<Buffer>): SliceResult {
    const { setup, layout } = this;
    const places = setup.index ? new PlaceList() : undefined;
    const tally = new RecordTally(setup.tally, places);
    const reader = new CsvReader({ from: { ...from, line: 1 }, maxRecordBytes: setup.maxRecordBytes });
    try {
      // Fed a piece at a time, as the file is read: the records of one piece die young, in V8's young generation.
      for (const piece of pieces) {
        for (const record of reader.feed(piece)) tally.check(record, layout);
        reader.throwIfFailed();
      }
      for (const record of reader.end()) tally.check(record, layout);
      reader.throwIfFailed();
    } catch {
      // Whatever it is, the reader without slices meets it again from this slice's start, and says it exactly.
      return { id, failed: true };
    }
    const { recordsRead, invalid, reported, byScenario } = tally;
    return { id, part: { recordsRead, invalid, reported, byScenario, places: places?.take() }, lines: reader.lineAfterAll() - 1 };
  }
}
