import { createHash } from "node:crypto";
import { InvalidCsvError } from "../core/errors";
import { type ColumnMap, type HeaderLayout, resolveLayout } from "../csv/layout";
import { CsvReader, type CsvRecord } from "../csv/reader";
import { exampleHeader, fileRulesOptionsOf, type FileRules } from "../csv/fileRules";
import { RecordIndex } from "../csv/recordIndex";
import type { ByteSource } from "../source/byteSource";
import { throwIfStopped } from "../core/stop";
import { canSlice, checkInSlices, type ValidationWorkers } from "./inSlices";
import { SLICE_WORKER } from "./sliceCheck";
import { RecordTally, UNKNOWN_SCENARIO, type InvalidRecord, type ScenarioCounts } from "./tally";

export { UNKNOWN_SCENARIO, type InvalidRecord, type ScenarioCounts };

export interface InspectOptions {
  readonly rules: FileRules;
  readonly columns: ColumnMap;
  /** Keep offending values in the report (PII: local debugging only). */
  readonly showValues: boolean;
  /** How many invalid records the report lists; the rest are counted. */
  readonly maxReported?: number;
  /** Index every record's bytes and line (uploads cut their chunks from it). */
  readonly index?: boolean;
  /** Receives the file's bytes as they are read (the kept copy of the version). */
  readonly tee?: (bytes: Buffer) => Promise<void>;
  /** Reading stops between batches once this aborts. */
  readonly stop?: AbortSignal;
  /** Check the records past the file's first slice on worker threads; without, this thread checks them all. */
  readonly workers?: ValidationWorkers;
}

/** What one full pass over a file learned; holds no cell values unless asked to. */
export interface Inspection {
  readonly layout: HeaderLayout;
  /** The header line's bytes as written (no BOM), sent at the top of every chunk. */
  readonly header: Buffer;
  /** Where each record lies and whether it is valid, when asked for. */
  readonly index?: RecordIndex;
  readonly recordsRead: number;
  readonly valid: number;
  readonly invalid: number;
  readonly reported: readonly InvalidRecord[];
  readonly unreported: number;
  /** Records and invalid records per scenario id ("unknown" for records naming no known scenario). */
  readonly byScenario: Readonly<Record<string, ScenarioCounts>>;
  /** SHA-256 of the file's bytes, as streamed. */
  readonly sha256: string;
  readonly bytes: number;
}

export const DEFAULT_MAX_REPORTED = 100;

/**
 * Streams the whole file once: parses, checks every record, hashes the bytes.
 * This thread reads the header and the file's first slice; with `workers`,
 * the records after it are checked on worker threads, slice by slice, and
 * their tallies merged in file order, so the report is the same either way.
 */
export async function inspectCsv(source: ByteSource, options: InspectOptions): Promise<Inspection> {
  const maxReported = options.maxReported ?? DEFAULT_MAX_REPORTED;
  const hash = createHash("sha256");
  let bytes = 0;
  const { tee, stop, workers } = options;
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of source.read()) {
      if (stop) throwIfStopped(stop);
      hash.update(chunk);
      bytes += chunk.length;
      if (tee) await tee(chunk);
      yield chunk;
    }
  }

  let layout: HeaderLayout | undefined;
  let header = Buffer.alloc(0);
  let headerFields: { fields: string[]; line: number } | undefined;
  const index = options.index ? new RecordIndex() : undefined;
  const tallyOptions = { scenarios: options.rules.scenarios.map((scenario) => scenario.id), showValues: options.showValues, maxReported };
  const tally = new RecordTally(tallyOptions, index);
  const check = (records: readonly CsvRecord[]) => {
    for (const record of records) {
      if (layout === undefined) {
        layout = resolveLayout(record.fields, options.rules, options.columns, record.line);
        header = Buffer.from(record.raw);
        headerFields = { fields: record.fields, line: record.line };
      } else {
        tally.check(record, layout);
      }
    }
  };

  const chunks = hashed()[Symbol.asyncIterator]();
  let reader: CsvReader | undefined = new CsvReader();
  let sliced = workers === undefined;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    check(reader.feed(next.value));
    reader.throwIfFailed();
    const position = reader.position;
    if (sliced || headerFields === undefined || position === undefined || bytes < (workers as ValidationWorkers).sliceBytes) continue;
    sliced = true;
    if (!canSlice(position)) continue;
    const setup = {
      kind: SLICE_WORKER,
      header: headerFields,
      rules: fileRulesOptionsOf(options.rules),
      columns: [...options.columns],
      tally: tallyOptions,
      index: index !== undefined,
    } as const;
    const readOn = await checkInSlices(chunks, reader.pending(), position, tally, workers as ValidationWorkers, setup, stop);
    if (readOn === undefined) {
      reader = undefined; // the slices held every record to the end
      break;
    }
    // A slice failed: read on from its start without slices, and meet what failed it as if there had been none.
    reader = new CsvReader({ from: readOn.from });
    for (const piece of adjacentJoined(readOn.pieces)) {
      check(reader.feed(piece));
      reader.throwIfFailed();
    }
  }
  if (reader !== undefined) {
    check(reader.end());
    reader.throwIfFailed();
  }
  if (layout === undefined) {
    throw new InvalidCsvError(`the file is empty; it needs at least a header line such as ${exampleHeader(options.rules)}`);
  }
  const { recordsRead, invalid, reported, byScenario } = tally;
  return {
    layout,
    header,
    index,
    recordsRead,
    valid: recordsRead - invalid,
    invalid,
    reported,
    unreported: invalid - reported.length,
    byScenario,
    sha256: hash.digest("hex"),
    bytes,
  };
}

/** Pieces that lie next to each other in one chunk read, joined again: a reader is fed the chunks as they were read. */
function adjacentJoined(pieces: readonly Buffer[]): Buffer[] {
  const joined: Buffer[] = [];
  for (const piece of pieces) {
    const last = joined[joined.length - 1];
    if (last !== undefined && last.buffer === piece.buffer && last.byteOffset + last.length === piece.byteOffset) {
      joined[joined.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + piece.length);
    } else {
      joined.push(piece);
    }
  }
  return joined;
}
