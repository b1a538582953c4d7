import { createHash } from "node:crypto";

/**
 * Resume state of one (job, file) pair: which chunks of which plan were
 * delivered. Never row data: counts, digests and indexes only.
 */
export interface Checkpoint {
  readonly version: 1;
  readonly jobId: string;
  readonly source: string;
  /** SHA-256 of the file's content. */
  readonly fileSha256: string;
  /** Digest of the chunk plan: resume only when the same records are cut into the same chunks. */
  readonly planSha256: string;
  readonly recordsPerCall: number;
  readonly totalChunks: number;
  readonly totalRecords: number;
  /** Indexes of delivered chunks (with --concurrency they need not be a prefix). */
  readonly deliveredChunks: readonly number[];
  readonly recordsDelivered: number;
  readonly updatedAt: string;
  /** Set when every chunk was delivered: the last full delivery. */
  readonly completedAt?: string;
}

/** What one run did, kept beside the checkpoints: the answer to "did last night's upload work?". Never row data or secrets. */
export interface RunRecord {
  readonly version: 1;
  readonly runId: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly file: string;
  readonly fileSha256?: string;
  readonly jobId: string;
  readonly scenario: string;
  readonly recordsRead?: number;
  /** Records and invalid records per scenario id. */
  readonly byScenario?: Readonly<Record<string, { readonly records: number; readonly invalid: number }>>;
  /** Delivered by this run. */
  readonly recordsDelivered: number;
  readonly chunks?: number;
  readonly chunksSent: number;
  readonly retries: number;
  readonly outcome: string;
  readonly exitCode: number;
  readonly errorClass?: string;
}

/** Held while a run works on one (job, file): a second run on the same pair stands down. */
export interface RunLock {
  /** Throws when the lock was lost (it could not be renewed): another run may have taken over. */
  assertHeld(): void;
  release(): Promise<void>;
}

/** Where resume state, run locks and run records live: a local folder or a Blob container. */
export interface StateStore {
  /** Where the state lives, for messages (never a SAS). */
  readonly location: string;
  loadCheckpoint(key: string): Promise<Checkpoint | undefined>;
  /** Persists atomically. Blob: never over a newer checkpoint written by someone else (ETag); a folder relies on the run lock. */
  saveCheckpoint(key: string, checkpoint: Checkpoint): Promise<void>;
  /** The run lock for this key, or undefined when another live run holds it. */
  acquireLock(key: string): Promise<RunLock | undefined>;
  saveRunRecord(record: RunRecord): Promise<void>;
  /** Every run record, newest first. */
  listRunRecords(): Promise<RunRecord[]>;
}

/** Run record names sort by start time. */
export function runRecordName(record: RunRecord): string {
  return `${record.startedAt.replace(/[:.]/g, "-")}-${record.runId}.json`;
}

/** One checkpoint per job and file name; a changed file replaces its predecessor's state. */
export function checkpointKey(jobId: string, source: string): string {
  return createHash("sha256").update(`${jobId.toLowerCase()}\n${source}`).digest("hex").slice(0, 32);
}
