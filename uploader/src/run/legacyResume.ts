import { createHash } from "node:crypto";
import { planChunks, type Chunk } from "../csv/chunking";
import type { RecordIndex } from "../csv/recordIndex";
import { RecordRanges } from "../csv/recordRanges";
import type { ByteSource } from "../source/byteSource";
import type { CompletedDelivery, LegacyCheckpoint } from "../state/stateStore";

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

/** Format 1's plan digest: SHA-256 over the header and each chunk's SHA-256 (header + records) in hex. */
async function planDigest(chunks: readonly Chunk[], header: Buffer, source: ByteSource): Promise<string> {
  const plan = createHash("sha256").update(header);
  for (const chunk of chunks) plan.update(createHash("sha256").update(await source.readRanges(chunk.byteRanges, header)).digest("hex"));
  return plan.digest("hex");
}
