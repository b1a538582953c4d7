import { createHash } from "node:crypto";
import { planChunks, type Chunk } from "../csv/chunking";
import type { RecordIndex } from "../csv/recordIndex";
import { RecordRanges } from "../csv/recordRanges";
import type { ByteSource } from "../source/byteSource";
import { CorruptStateError } from "../core/errors";
import type { Inspection } from "../validation/inspect";
import { legacyCheckpointKey, type CompletedDelivery, type LegacyCheckpoint, type StateStore } from "../state/stateStore";

/** What a format-1 checkpoint (chunk indexes of one plan) says about the file just read, in format-2 terms. */
export type LegacyProgress =
  | { readonly kind: "complete"; readonly delivery: CompletedDelivery }
  | { readonly kind: "partial"; readonly delivered: RecordRanges }
  | { readonly kind: "other-version" };

/**
 * A format-1 checkpoint recorded delivered chunks of a plan (valid records cut
 * every `recordsPerCall`). Its chunks are rebuilt from the index and their
 * digests checked against its plan digest: only the very same cut of the very
 * same bytes is resumed, now by records.
 */
export async function readLegacyProgress(checkpoint: LegacyCheckpoint, file: { sha256: string; header: Buffer; index: RecordIndex; source: ByteSource }): Promise<LegacyProgress> {
  if (checkpoint.fileSha256 !== file.sha256) return { kind: "other-version" };
  if (checkpoint.completedAt !== undefined) {
    return {
      kind: "complete",
      delivery: {
        sha256: checkpoint.fileSha256,
        file: checkpoint.source,
        records: checkpoint.totalRecords,
        startedAt: checkpoint.completedAt,
        completedAt: checkpoint.completedAt,
        runs: 1,
        recordsPossiblyDuplicated: 0,
      },
    };
  }
  const chunks = planChunks(file.index, RecordRanges.EMPTY, checkpoint.recordsPerCall);
  if (chunks.length !== checkpoint.totalChunks || (await planDigest(chunks, file.header, file.source)) !== checkpoint.planSha256) return { kind: "other-version" };
  const delivered = checkpoint.deliveredChunks.flatMap((position) => chunks[position]?.records.toJSON() ?? []);
  return { kind: "partial", delivered: RecordRanges.of(delivered) };
}

/** The format-1 checkpoints of a job's file, read in format-2 terms, and deleted once the job's state has taken them over. */
export class LegacyCheckpoints {
  /** The checkpoints read this run. */
  private readonly keys: string[] = [];

  constructor(
    private readonly state: StateStore,
    private readonly jobId: string,
    /** The reset command that clears a checkpoint (with `extra` flags), for a corrupt one's message. */
    private readonly resetCommand: (extra: string) => string,
  ) {}

  /** What a format-1 checkpoint of the file says, under its name or any of its earlier `names`; undefined when none is of this version. */
  async progressOf(source: ByteSource, inspection: Inspection, names: readonly string[]): Promise<LegacyProgress | undefined> {
    for (const name of new Set([source.name, ...names])) {
      const key = legacyCheckpointKey(this.jobId, name);
      const checkpoint = await this.state.loadLegacyCheckpoint(key).catch((error: unknown) => {
        if (error instanceof CorruptStateError) throw new CorruptStateError(error.item, `${error.problem}; clear it with ${this.resetCommand(` --csv ${name}`)}`);
        throw error;
      });
      if (checkpoint === undefined) continue;
      this.keys.push(key);
      const progress = await readLegacyProgress(checkpoint, { sha256: inspection.sha256, header: inspection.header, index: inspection.index as NonNullable<Inspection["index"]>, source });
      if (progress.kind !== "other-version") return progress;
    }
    return undefined;
  }

  async forget(): Promise<void> {
    for (const key of this.keys) await this.state.deleteLegacyCheckpoint(key).catch(() => undefined);
  }
}

/** Format 1's plan digest: SHA-256 over the header and each chunk's SHA-256 (header + records) in hex. */
async function planDigest(chunks: readonly Chunk[], header: Buffer, source: ByteSource): Promise<string> {
  const plan = createHash("sha256").update(header);
  for (const chunk of chunks) plan.update(createHash("sha256").update(await source.readRanges(chunk.byteRanges, header)).digest("hex"));
  return plan.digest("hex");
}
