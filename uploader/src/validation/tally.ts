import type { CsvRecord } from "../csv/reader";
import type { HeaderLayout } from "../csv/layout";
import { checkRecord, type FieldProblem } from "../csv/validator";
import type { RecordIndex } from "../csv/recordIndex";

export interface InvalidRecord {
  readonly line: number;
  /** The record's scenario id, when its scenario column named a known one. */
  readonly scenario?: string;
  readonly problems: readonly FieldProblem[];
}

export interface ScenarioCounts {
  records: number;
  invalid: number;
}

export const UNKNOWN_SCENARIO = "unknown";

export interface TallyOptions {
  /** The file's scenario ids: each gets a count, even when none of its records appear. */
  readonly scenarios: readonly string[];
  /** Keep offending values in the report (PII: local debugging only). */
  readonly showValues: boolean;
  /** How many invalid records the report lists; the rest are counted. */
  readonly maxReported: number;
}

/** Where a run of records lies, in flat arrays (they cross between threads without copying). */
export interface RecordPlaces {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly line: Uint32Array;
  readonly valid: Uint8Array;
}

/** What checking a run of records found, lines counted from 1 at the run's start: a tally of one slice of a file. */
export interface TallyPart {
  readonly recordsRead: number;
  readonly invalid: number;
  readonly reported: readonly InvalidRecord[];
  readonly byScenario: Readonly<Record<string, ScenarioCounts>>;
  readonly places?: RecordPlaces;
}

/** Records, invalid records per scenario, the first invalid ones, and where each record lies: checked one by one, or merged in file order from slices. */
export class RecordTally {
  recordsRead = 0;
  invalid = 0;
  readonly reported: InvalidRecord[] = [];
  readonly byScenario: Record<string, ScenarioCounts>;

  constructor(
    private readonly options: TallyOptions,
    /** Receives every record's place and validity, when a run needs them. */
    private readonly index?: Pick<RecordIndex, "add">,
  ) {
    this.byScenario = Object.fromEntries(options.scenarios.map((id) => [id, { records: 0, invalid: 0 }]));
  }

  check(record: CsvRecord, layout: HeaderLayout): void {
    this.recordsRead++;
    const { scenario, problems } = checkRecord(record, layout);
    const counts = (this.byScenario[scenario?.id ?? UNKNOWN_SCENARIO] ??= { records: 0, invalid: 0 });
    counts.records++;
    this.index?.add(record.start, record.end, record.line, problems.length === 0);
    if (problems.length === 0) return;
    this.invalid++;
    counts.invalid++;
    if (this.reported.length < this.options.maxReported) {
      this.reported.push({ line: record.line, scenario: scenario?.id, problems: this.options.showValues ? problems : problems.map(({ value: _value, ...rest }) => rest) });
    }
  }

  /** Adds the tally of the records that follow, whose lines count from 1 at `line`. */
  merge(part: TallyPart, line: number): void {
    const shift = line - 1;
    this.recordsRead += part.recordsRead;
    this.invalid += part.invalid;
    for (const [id, counts] of Object.entries(part.byScenario)) {
      const mine = (this.byScenario[id] ??= { records: 0, invalid: 0 });
      mine.records += counts.records;
      mine.invalid += counts.invalid;
    }
    for (const invalid of part.reported) {
      if (this.reported.length >= this.options.maxReported) break;
      this.reported.push({ ...invalid, line: invalid.line + shift });
    }
    const { places } = part;
    if (this.index === undefined || places === undefined) return;
    for (let n = 0; n < places.start.length; n++) {
      this.index.add(places.start[n] as number, places.end[n] as number, (places.line[n] as number) + shift, places.valid[n] === 1);
    }
  }
}

/** Collects record places in growing typed arrays, for a tally whose index crosses to another thread. */
export class PlaceList implements Pick<RecordIndex, "add"> {
  private size = 0;
  private places: RecordPlaces = emptyPlaces(1024);

  add(start: number, end: number, line: number, valid: boolean): void {
    if (this.size === this.places.start.length) this.places = copied(this.places, this.size * 2);
    const { places, size } = this;
    places.start[size] = start;
    places.end[size] = end;
    places.line[size] = line;
    places.valid[size] = valid ? 1 : 0;
    this.size++;
  }

  /** The places added, in arrays of exactly their count. */
  take(): RecordPlaces {
    return copied(this.places, this.size);
  }
}

function emptyPlaces(capacity: number): RecordPlaces {
  return { start: new Float64Array(capacity), end: new Float64Array(capacity), line: new Uint32Array(capacity), valid: new Uint8Array(capacity) };
}

function copied(places: RecordPlaces, capacity: number): RecordPlaces {
  const next = emptyPlaces(capacity);
  const count = Math.min(capacity, places.start.length);
  next.start.set(places.start.subarray(0, count));
  next.end.set(places.end.subarray(0, count));
  next.line.set(places.line.subarray(0, count));
  next.valid.set(places.valid.subarray(0, count));
  return next;
}
