import { createHash } from "node:crypto";
import { InvalidCsvError } from "./errors";
import { type ColumnMap, type HeaderLayout, resolveLayout } from "./csv/layout";
import { readCsvRecords } from "./csv/reader";
import { exampleHeader, type FileRules } from "./csv/fileRules";
import { checkRecord, type FieldProblem } from "./csv/validator";
import { RecordIndex } from "./recordIndex";
import type { ByteSource } from "./source/byteSource";
import { throwIfStopped } from "./stop";

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
}

export interface InvalidRecord {
  readonly line: number;
  /** The record's scenario id, when its scenario column named a known one. */
  readonly scenario?: string;
  readonly problems: readonly FieldProblem[];
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

export interface ScenarioCounts {
  records: number;
  invalid: number;
}

export const DEFAULT_MAX_REPORTED = 100;
export const UNKNOWN_SCENARIO = "unknown";

/** Streams the whole file once: parses, checks every record, hashes the bytes. */
export async function inspectCsv(source: ByteSource, options: InspectOptions): Promise<Inspection> {
  const maxReported = options.maxReported ?? DEFAULT_MAX_REPORTED;
  const hash = createHash("sha256");
  let bytes = 0;
  const { tee, stop } = options;
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
  const index = options.index ? new RecordIndex() : undefined;
  let recordsRead = 0;
  let invalid = 0;
  const reported: InvalidRecord[] = [];
  const byScenario: Record<string, ScenarioCounts> = Object.fromEntries(options.rules.scenarios.map((scenario) => [scenario.id, { records: 0, invalid: 0 }]));
  for await (const batch of readCsvRecords(hashed())) {
    for (const record of batch) {
      if (layout === undefined) {
        layout = resolveLayout(record.fields, options.rules, options.columns, record.line);
        header = Buffer.from(record.raw);
        continue;
      }
      recordsRead++;
      const { scenario, problems } = checkRecord(record, layout);
      const counts = (byScenario[scenario?.id ?? UNKNOWN_SCENARIO] ??= { records: 0, invalid: 0 });
      counts.records++;
      index?.add(record.start, record.end, record.line, problems.length === 0);
      if (problems.length === 0) continue;
      invalid++;
      counts.invalid++;
      if (reported.length < maxReported) {
        reported.push({
          line: record.line,
          scenario: scenario?.id,
          problems: options.showValues ? problems : problems.map(({ value: _value, ...rest }) => rest),
        });
      }
    }
  }
  if (layout === undefined) {
    throw new InvalidCsvError(`the file is empty; it needs at least a header line such as ${exampleHeader(options.rules)}`);
  }
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
