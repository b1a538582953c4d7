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

export interface CheckpointStore {
  /** Where the checkpoints live, for messages. */
  readonly location: string;
  load(key: string): Promise<Checkpoint | undefined>;
  /** Persists atomically: a crash leaves either the old or the new checkpoint, never a torn one. */
  save(key: string, checkpoint: Checkpoint): Promise<void>;
}

/** One checkpoint per job and file name; a changed file replaces its predecessor's state. */
export function checkpointKey(jobId: string, source: string): string {
  return createHash("sha256").update(`${jobId.toLowerCase()}\n${source}`).digest("hex").slice(0, 32);
}
