import type { RecordRange } from "../csv/recordRanges";
import type { JobState, LegacyCheckpoint, RunRecord } from "./stateStore";

/**
 * Runtime checks of what is read back from a state store: a checkpoint or run
 * record that is not JSON of the expected shape is refused, never reinterpreted.
 * Each check returns the first problem found, or undefined.
 */
type Check = (value: unknown, path: string) => string | undefined;

const describe = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "a list" : typeof value);

const string: Check = (value, path) => (typeof value === "string" ? undefined : `${path} is ${describe(value)}, not text`);
const count: Check = (value, path) => (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? undefined : `${path} is not a whole number`);
const positive: Check = (value, path) => count(value, path) ?? (value === 0 ? `${path} is 0` : undefined);
const time: Check = (value, path) => string(value, path) ?? (Number.isNaN(Date.parse(value as string)) ? `${path} is not a time` : undefined);
const sha256: Check = (value, path) => string(value, path) ?? (/^[0-9a-f]{64}$/.test(value as string) ? undefined : `${path} is not a SHA-256`);
const literal =
  (expected: unknown): Check =>
  (value, path) =>
    value === expected ? undefined : `${path} is not ${JSON.stringify(expected)}`;
const optional =
  (check: Check): Check =>
  (value, path) =>
    value === undefined ? undefined : check(value, path);

function list(item: Check): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path} is ${describe(value)}, not a list`;
    for (const [index, element] of value.entries()) {
      const problem = item(element, `${path}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

function object(fields: Record<string, Check>): Check {
  return (value, path) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return `${path || "it"} is ${describe(value)}, not an object`;
    for (const [key, check] of Object.entries(fields)) {
      const problem = check((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (problem) return problem;
    }
    return undefined;
  };
}

function record(item: Check): Check {
  return (value, path) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return `${path} is ${describe(value)}, not an object`;
    for (const [key, element] of Object.entries(value)) {
      const problem = item(element, `${path}[${JSON.stringify(key)}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

const range: Check = (value, path) => {
  const problem = list(count)(value, path);
  if (problem) return problem;
  const [start, end] = value as number[];
  return (value as number[]).length === 2 && (start as number) < (end as number) ? undefined : `${path} is not a range of records`;
};

const jobState = object({
  version: literal(2),
  jobId: string,
  revision: count,
  writtenBy: string,
  updatedAt: time,
  firstRunAt: time,
  pending: optional(
    object({
      sha256,
      file: string,
      bytes: count,
      pinned: object({ name: string, etag: optional(string) }),
      fingerprint: string,
      recordsTotal: count,
      delivered: list(range),
      recordsDelivered: count,
      inFlight: list(object({ records: list(range), recordCount: positive, firstLine: positive, since: time })),
      recordsPossiblyDuplicated: count,
      startedAt: time,
      runs: count,
    }),
  ),
  deliveries: list(object({ sha256, file: string, records: count, startedAt: time, completedAt: time, runs: count, recordsPossiblyDuplicated: count })),
  files: record(object({ sha256, since: time })),
});

const legacyCheckpoint = object({
  version: literal(1),
  jobId: string,
  source: string,
  fileSha256: sha256,
  planSha256: sha256,
  recordsPerCall: positive,
  totalChunks: count,
  totalRecords: count,
  deliveredChunks: list(count),
  recordsDelivered: count,
  updatedAt: time,
  completedAt: optional(time),
});

const runRecord = object({
  runId: string,
  startedAt: time,
  endedAt: time,
  file: string,
  jobId: string,
  outcome: string,
  exitCode: count,
  recordsDelivered: count,
  chunksSent: count,
  retries: count,
});

/** Where `ranges` stop being sorted and disjoint, or undefined. */
function disorder(ranges: readonly RecordRange[], path: string): string | undefined {
  for (let index = 1; index < ranges.length; index++) {
    const [start] = ranges[index] as RecordRange;
    const [, previousEnd] = ranges[index - 1] as RecordRange;
    if (start < previousEnd) return `${path}[${index}] overlaps or precedes the range before it`;
  }
  return undefined;
}

const countOf = (ranges: readonly RecordRange[]) => ranges.reduce((sum, [start, end]) => sum + end - start, 0);

/**
 * What a job state must hold beyond its shape, since every run trusts it: the
 * delivered records as sorted, disjoint ranges whose size is the delivered
 * count, no more than the version's records; each in-flight mark the size it
 * says, apart from the delivered records. (That the ranges lie inside the
 * version's records is checked once its copy is read.)
 */
function jobStateInvariants(state: JobState): string | undefined {
  const pending = state.pending;
  if (pending === undefined) return undefined;
  const problem = disorder(pending.delivered, "pending.delivered");
  if (problem) return problem;
  const delivered = countOf(pending.delivered);
  if (delivered !== pending.recordsDelivered) return `pending.recordsDelivered is ${pending.recordsDelivered}, but its ranges hold ${delivered} records`;
  if (delivered > pending.recordsTotal) return `pending.delivered holds ${delivered} records, more than the version's ${pending.recordsTotal}`;
  for (const [index, mark] of pending.inFlight.entries()) {
    const path = `pending.inFlight[${index}]`;
    const markProblem = disorder(mark.records, `${path}.records`);
    if (markProblem) return markProblem;
    if (countOf(mark.records) !== mark.recordCount) return `${path}.recordCount is ${mark.recordCount}, but its ranges hold ${countOf(mark.records)} records`;
    const overlap = mark.records.some(([start, end]) => pending.delivered.some(([from, to]) => start < to && from < end));
    if (overlap) return `${path} holds records already delivered`;
  }
  return undefined;
}

/** Parses `text` as `what`; the problem, in words, when it is not one. */
export function parseState<T>(text: string, what: "job state" | "legacy checkpoint" | "run record"): { value: T } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: text.trim() === "" ? "it is empty" : "it is not valid JSON (truncated?)" };
  }
  const check = what === "job state" ? jobState : what === "legacy checkpoint" ? legacyCheckpoint : runRecord;
  const problem = check(value, "") ?? (what === "job state" ? jobStateInvariants(value as JobState) : undefined);
  return problem === undefined ? { value: value as T } : { problem };
}

export type { JobState, LegacyCheckpoint, RunRecord };

/** Of the format-1 checkpoints named `names` (`<key>.json`), the keys of job `jobId`'s; one that does not read as a checkpoint is no job's. */
export async function legacyCheckpointKeysOf(names: readonly string[], readText: (name: string) => Promise<string | undefined>, jobId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const name of names.filter((file) => file.endsWith(".json"))) {
    const parsed = parseState<LegacyCheckpoint>((await readText(name)) ?? "", "legacy checkpoint");
    if ("value" in parsed && parsed.value.jobId.toLowerCase() === jobId.toLowerCase()) keys.push(name.replace(/\.json$/, ""));
  }
  return keys;
}
