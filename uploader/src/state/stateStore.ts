import { createHash } from "node:crypto";
import { CorruptStateError } from "../core/errors";
import type { RecordRange } from "../csv/recordRanges";
import type { ByteSource } from "../source/byteSource";
import type { LockOptions, RunLock } from "../lock/runLock";

/** A chunk marked as being sent before its first attempt (write-ahead): if the run dies, the service may or may not have it. */
export interface InFlightChunk {
  readonly records: readonly RecordRange[];
  readonly recordCount: number;
  /** Physical line of its first record, for the `possibly-duplicated` warning. */
  readonly firstLine: number;
  readonly since: string;
}

/** A version of a file whose delivery has begun and not ended: finished before any other version is sent. */
export interface PendingVersion {
  readonly sha256: string;
  readonly file: string;
  readonly bytes: number;
  /** The copy of the validated bytes kept in this store until the version is complete. */
  readonly pinned: PinnedCopy;
  /** How the source looked when the version was read (device/inode/size/mtime, or ETag): equal means the same version. */
  readonly fingerprint: string;
  /** Valid records of the version: what its delivery must cover. */
  readonly recordsTotal: number;
  /** Records delivered (ordinals), whatever chunk sizes delivered them. */
  readonly delivered: readonly RecordRange[];
  readonly recordsDelivered: number;
  /** At most --concurrency chunks, between their write-ahead mark and their answer. */
  readonly inFlight: readonly InFlightChunk[];
  /** Records sent again after a run died with them in flight, or resent after an answer was lost. */
  readonly recordsPossiblyDuplicated: number;
  readonly startedAt: string;
  /** Runs that delivered part of it. */
  readonly runs: number;
}

/** One version delivered in full: the answer to "was this content sent to this job, and when?" */
export interface CompletedDelivery {
  readonly sha256: string;
  readonly file: string;
  readonly records: number;
  readonly startedAt: string;
  readonly completedAt: string;
  readonly runs: number;
  readonly recordsPossiblyDuplicated: number;
}

/** Delivery state of one connector job (checkpoint format 2). Counts, digests and ordinals only: never row data. */
export interface JobState {
  readonly version: 2;
  readonly jobId: string;
  /** Bumped on every write; with `writtenBy`, tells our own earlier write from someone else's. */
  readonly revision: number;
  readonly writtenBy: string;
  readonly updatedAt: string;
  readonly firstRunAt: string;
  readonly pending?: PendingVersion;
  /** Newest first, the last MAX_DELIVERIES. */
  readonly deliveries: readonly CompletedDelivery[];
  /** Per file name, the content last seen and since when (the profile-freshness rule). */
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly since: string }>>;
}

export const MAX_DELIVERIES = 20;
export const MAX_FILES = 20;

/** Checkpoint format 1 (one per job and file name, by chunk index): still resumed, then replaced by the job's state. */
export interface LegacyCheckpoint {
  readonly version: 1;
  readonly jobId: string;
  readonly source: string;
  readonly fileSha256: string;
  readonly planSha256: string;
  readonly recordsPerCall: number;
  readonly totalChunks: number;
  readonly totalRecords: number;
  readonly deliveredChunks: readonly number[];
  readonly recordsDelivered: number;
  readonly updatedAt: string;
  readonly completedAt?: string;
}

/** What one run did, kept beside the state: the answer to "did last night's upload work?". Never row data or secrets. */
export interface RunRecord {
  readonly version: 1 | 2;
  readonly runId: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly file: string;
  readonly fileSha256?: string;
  readonly jobId: string;
  readonly scenario: string;
  readonly recordsRead?: number;
  readonly byScenario?: Readonly<Record<string, { readonly records: number; readonly invalid: number }>>;
  /** Delivered by this run (all versions). */
  readonly recordsDelivered: number;
  readonly chunks?: number;
  readonly chunksSent: number;
  readonly retries: number;
  readonly recordsPossiblyDuplicated?: number;
  /** Records the service answered 2xx for but said it did not keep. */
  readonly recordsNotSaved?: number;
  readonly outcome: string;
  readonly exitCode: number;
  readonly errorClass?: string;
}

/** Why a state write is refused: another run wrote the job's state since this one read or wrote it. */
export const CHANGED_MEANWHILE = "another run changed this job's state meanwhile (this run lost the job's lock); stopped so that nothing is sent twice (rerun to resume from its state)";

/**
 * Kept copies (HR rows) live apart from the state that `status` reads: a
 * `kept/` folder, or the `hr-kept` container. Copies named `pinned/...` were
 * kept beside the state by earlier versions: still read and deleted where
 * they are, never written.
 */
export const KEPT_PREFIX = "kept/";

/** The name of a job's kept copy, the same in every store. */
export function keptCopyName(jobKey: string): string {
  return `${KEPT_PREFIX}${jobKey}.csv`;
}

/** Where a kept copy lives in its store; `etag` pins Blob reads to that exact copy. */
export interface PinnedCopy {
  readonly name: string;
  readonly etag?: string;
}

/**
 * Opening a kept copy has three answers, not two: only a copy that is surely
 * gone lets a run give its version up; one that cannot be read this once
 * (permissions, a lock held by antivirus, Storage failing) must fail the run
 * with the copy left as it is, and one that is not what was kept is corrupt state.
 */
export type KeptCopy =
  | { readonly kind: "present"; readonly source: ByteSource }
  | { readonly kind: "gone" }
  | { readonly kind: "unavailable"; readonly reason: string }
  | { readonly kind: "replaced" };

/** Receives the bytes of a file as they are validated; kept only if the version is to be delivered. */
export interface PinWriter {
  write(bytes: Buffer): Promise<void>;
  keep(): Promise<PinnedCopy>;
  discard(): Promise<void>;
  /** Lets go of what the writer holds open, leaving the name as it is: for a run that lost its job, whose new holder may be writing there. */
  release(): Promise<void>;
}

/** A named state item that could not be read as what it should be. */
export interface UnreadableItem {
  readonly name: string;
  readonly problem: string;
}

/** Where delivery state, run locks, kept copies and run records live: a local folder or a Blob container. */
export interface StateStore {
  /** Where the state lives, for messages (never a SAS). */
  readonly location: string;
  /** The container of kept copies when it is not the one beside the state (`--kept-container`), for the reset command (never a SAS). */
  readonly keptContainer?: string;
  /** Undefined when the job has no state yet; throws CorruptStateError when it is not a valid checkpoint. */
  loadJobState(jobKey: string): Promise<JobState | undefined>;
  /** Atomic, and fenced: only over the revision last read or written by this writer (Blob: its ETag; a conflict that turns out to be our own retried write is accepted); else UploadError(CHANGED_MEANWHILE). */
  saveJobState(jobKey: string, state: JobState): Promise<void>;
  deleteJobState(jobKey: string): Promise<void>;
  /** Every job's state (one per connector job), the unreadable ones named. */
  listJobStates(): Promise<{ states: JobState[]; unreadable: UnreadableItem[] }>;
  /** Undefined while another live run holds the job's lock; a dead holder's lock is waited out, then taken. */
  acquireLock(jobKey: string, options: LockOptions): Promise<RunLock | undefined>;
  createPin(jobKey: string): Promise<PinWriter>;
  /** The copy, or why not: gone (not there), unavailable (there, or maybe, but not readable now), replaced (not the bytes kept). */
  openPinned(copy: PinnedCopy): Promise<KeptCopy>;
  deletePinned(copy: PinnedCopy): Promise<void>;
  /** The folder or container a kept copy lives in, for messages: not `location` for Blob state (hr-kept, or hr-state for a copy kept under pinned/). */
  keptIn(copy: PinnedCopy): string;
  saveRunRecord(record: RunRecord): Promise<void>;
  /** Whether the folder or container is there at all (`status` on a mistyped --checkpoint says so, instead of "no runs"). */
  exists(): Promise<boolean>;
  /** The newest `limit` run records, newest first, the unreadable ones named and skipped. */
  listRunRecords(limit: number): Promise<{ records: RunRecord[]; unreadable: UnreadableItem[] }>;
  /** Deletes run records started before `before` (ms); returns how many. Blob containers leave this to a lifecycle rule. */
  pruneRunRecords(before: number): Promise<number>;
  loadLegacyCheckpoint(key: string): Promise<LegacyCheckpoint | undefined>;
  deleteLegacyCheckpoint(key: string): Promise<void>;
  /** Format-1 checkpoints of one job (for reset), by key. */
  legacyCheckpointsOf(jobId: string): Promise<string[]>;
}

/** One state file, lock and kept copy per connector job, whatever file names it is fed. */
export function jobKeyOf(jobId: string): string {
  return createHash("sha256").update(`job\n${jobId.toLowerCase()}`).digest("hex").slice(0, 32);
}

/** Format-1 checkpoints were kept per job and file name. */
export function legacyCheckpointKey(jobId: string, source: string): string {
  return createHash("sha256").update(`${jobId.toLowerCase()}\n${source}`).digest("hex").slice(0, 32);
}

const NEWEST_FIRST_BASE = 9_999_999_999_999;

/** Run record names sort newest first: an inverted start time, then the run ID. */
export function runRecordName(record: Pick<RunRecord, "startedAt" | "runId">): string {
  return `${String(NEWEST_FIRST_BASE - Date.parse(record.startedAt)).padStart(13, "0")}-${record.runId}.json`;
}

/** When a run record's run started (ms), from its name; format-1 names carry the ISO time. Undefined for other names. */
export function runRecordStartedAt(name: string): number | undefined {
  const current = /^(\d{13})-[0-9a-f-]{36}\.json$/.exec(name);
  if (current) return NEWEST_FIRST_BASE - Number(current[1]);
  const legacy = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z-[0-9a-f-]{36}\.json$/.exec(name);
  if (!legacy) return undefined;
  const at = Date.parse(`${legacy[1]}:${legacy[2]}:${legacy[3]}.${legacy[4]}Z`);
  return Number.isNaN(at) ? undefined : at;
}

/** The newest `limit` run record names, newest first. */
export function newestRunRecordNames(names: readonly string[], limit: number): string[] {
  return names
    .map((name) => ({ name, at: runRecordStartedAt(name) }))
    .filter((entry): entry is { name: string; at: number } => entry.at !== undefined)
    .sort((a, b) => b.at - a.at)
    .slice(0, limit)
    .map(({ name }) => name);
}

/** Reads each named item; the ones that are not what they should be are named and skipped, not fatal (listings, status). */
export async function readEach<T>(names: readonly string[], read: (name: string) => Promise<T | undefined>): Promise<{ items: T[]; unreadable: UnreadableItem[] }> {
  const items: T[] = [];
  const unreadable: UnreadableItem[] = [];
  for (const name of names) {
    try {
      const item = await read(name);
      if (item !== undefined) items.push(item);
    } catch (error) {
      if (!(error instanceof CorruptStateError)) throw error;
      unreadable.push({ name: error.item, problem: error.problem });
    }
  }
  return { items, unreadable };
}
