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

/** Parses `text` as `what`; the problem, in words, when it is not one. */
export function parseState<T>(text: string, what: "job state" | "legacy checkpoint" | "run record"): { value: T } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: text.trim() === "" ? "it is empty" : "it is not valid JSON (truncated?)" };
  }
  const check = what === "job state" ? jobState : what === "legacy checkpoint" ? legacyCheckpoint : runRecord;
  const problem = check(value, "");
  return problem === undefined ? { value: value as T } : { problem };
}

export type { JobState, LegacyCheckpoint, RunRecord };
