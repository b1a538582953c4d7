import type { Chunk } from "../csv/chunking";
import { RecordRanges } from "../csv/recordRanges";
import { MAX_DELIVERIES, MAX_FILES, type JobState, type PendingVersion } from "./stateStore";

/**
 * The transitions of a job's delivery state, as pure functions: the checkpoint
 * writer applies them and persists the result. Together they are the delivery
 * protocol: a chunk is marked in flight before it is sent and delivered after
 * its 2xx, by records, so a rerun with any chunk size resumes exactly and a
 * hard kill costs at most the chunks in flight, which the next run names.
 */
export function newJobState(jobId: string, at: string): JobState {
  return { version: 2, jobId, revision: 0, writtenBy: "", updatedAt: at, firstRunAt: at, deliveries: [], files: {} };
}

export type VersionStart = Pick<PendingVersion, "sha256" | "file" | "bytes" | "pinned" | "fingerprint" | "recordsTotal"> & {
  /** Records an earlier run already delivered (a format-1 checkpoint resumed). */
  readonly delivered?: RecordRanges;
};

export function startVersion(state: JobState, version: VersionStart, at: string): JobState {
  const delivered = version.delivered ?? RecordRanges.EMPTY;
  const pending: PendingVersion = {
    sha256: version.sha256,
    file: version.file,
    bytes: version.bytes,
    pinned: version.pinned,
    fingerprint: version.fingerprint,
    recordsTotal: version.recordsTotal,
    delivered: delivered.toJSON(),
    recordsDelivered: delivered.count,
    inFlight: [],
    recordsPossiblyDuplicated: 0,
    startedAt: at,
    runs: 0,
  };
  return { ...state, pending };
}

const withPending = (state: JobState, change: (pending: PendingVersion) => PendingVersion): JobState => {
  if (state.pending === undefined) throw new Error("no version is being delivered");
  return { ...state, pending: change(state.pending) };
};

/** The file was appended to: the pending version becomes the longer one; its records keep their ordinals, so what was delivered stays delivered. */
export function extendVersion(state: JobState, version: Pick<PendingVersion, "sha256" | "file" | "bytes" | "pinned" | "fingerprint">): JobState {
  return withPending(state, (pending) => ({ ...pending, ...version }));
}

/** A new run takes over the pending version: chunks the last run left in flight are sent again and counted as possibly duplicated. */
export function takeOverVersion(state: JobState, recordsTotal: number, fingerprint: string): JobState {
  return withPending(state, (pending) => ({
    ...pending,
    recordsTotal,
    fingerprint,
    inFlight: [],
    recordsPossiblyDuplicated: pending.recordsPossiblyDuplicated + pending.inFlight.reduce((sum, chunk) => sum + chunk.recordCount, 0),
  }));
}

export function markInFlight(state: JobState, chunk: Chunk, at: string): JobState {
  return withPending(state, (pending) => ({
    ...pending,
    inFlight: [...pending.inFlight, { records: chunk.records.toJSON(), recordCount: chunk.recordCount, firstLine: chunk.firstLine, since: at }],
  }));
}

const withoutChunk = (pending: PendingVersion, chunk: Chunk) => pending.inFlight.filter((entry) => entry.firstLine !== chunk.firstLine);

/** After the service's 2xx. `firstOfRun` counts this run among the runs that delivered the version. */
export function markDelivered(state: JobState, chunk: Chunk, possiblyDuplicated: boolean, firstOfRun: boolean): JobState {
  return withPending(state, (pending) => {
    const delivered = RecordRanges.of(pending.delivered).union(chunk.records);
    return {
      ...pending,
      delivered: delivered.toJSON(),
      recordsDelivered: delivered.count,
      inFlight: withoutChunk(pending, chunk),
      recordsPossiblyDuplicated: pending.recordsPossiblyDuplicated + (possiblyDuplicated ? chunk.recordCount : 0),
      runs: pending.runs + (firstOfRun ? 1 : 0),
    };
  });
}

/** The service certainly does not have the chunk (a definite refusal, or it was never sent). */
export function clearInFlight(state: JobState, chunk: Chunk): JobState {
  return withPending(state, (pending) => ({ ...pending, inFlight: withoutChunk(pending, chunk) }));
}

export function completeVersion(state: JobState, at: string): JobState {
  const pending = state.pending;
  if (pending === undefined) throw new Error("no version is being delivered");
  const delivery = {
    sha256: pending.sha256,
    file: pending.file,
    records: pending.recordsDelivered,
    startedAt: pending.startedAt,
    completedAt: at,
    runs: Math.max(1, pending.runs),
    recordsPossiblyDuplicated: pending.recordsPossiblyDuplicated,
  };
  return { ...state, pending: undefined, deliveries: [delivery, ...state.deliveries.filter((earlier) => earlier.sha256 !== pending.sha256)].slice(0, MAX_DELIVERIES) };
}

/** The kept copy is gone: the version's undelivered records can never be sent. */
export function abandonVersion(state: JobState): JobState {
  return { ...state, pending: undefined };
}

/** Remembers the content a file name held, and since when (the profile-freshness rule). */
export function sawContent(state: JobState, file: string, sha256: string, at: string): JobState {
  const seen = state.files[file];
  if (seen?.sha256 === sha256) return state;
  const others = Object.entries(state.files)
    .filter(([name]) => name !== file)
    .sort(([, a], [, b]) => b.since.localeCompare(a.since))
    .slice(0, MAX_FILES - 1);
  return { ...state, files: Object.fromEntries([[file, { sha256, since: at }], ...others]) };
}
