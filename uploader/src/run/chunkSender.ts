import type { Agent } from "node:http";
import type { TokenSource } from "../auth/tokenSource";
import type { Chunk } from "../csv/chunking";
import { isoAt, type Clock } from "../core/clock";
import { deliverChunk, type DeliveryOutcome, type DeliverySettings } from "../ingest/delivery";
import { HrError, StateWriteError, UploadError } from "../core/errors";
import type { Logger } from "../observe/log";
import { LOG_EVENT } from "../observe/logEvents";
import { describeServiceAnswer } from "../ingest/serviceAnswer";
import type { ByteSource } from "../source/byteSource";
import type { PendingVersion } from "../state/stateStore";
import { StoppedError, stopReasonOf, type RunCancellation } from "../core/stop";
import { plural } from "../core/text";
import type { PostChunk } from "../ingest/transport";
import type { CheckpointWriter } from "../state/checkpointWriter";
import { clearInFlight, markDelivered, markInFlight } from "../state/jobState";
import type { Tally } from "./runReport";
import type { ProgressLine } from "./uploadConfig";
import { runPool } from "./workerPool";

/** The version being sent: its kept copy (read by range), its header line, and the file to watch for changes, if it is the one at hand. */
export interface VersionBytes {
  readonly copy: ByteSource;
  readonly header: Buffer;
  readonly watched?: ByteSource;
}

/** What sending needs from the run. */
export interface ChunkSender {
  readonly concurrency: number;
  readonly delivery: DeliverySettings;
  readonly writer: CheckpointWriter;
  readonly tokens: TokenSource;
  readonly post: PostChunk;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly progress?: ProgressLine;
  /** Stop: no new chunk or retry; halt: requests in flight are abandoned. */
  readonly cancellation: RunCancellation;
  readonly agentFor: (url: string) => Agent | undefined;
  /** Throws when the run lost its lock: checked before every request. */
  readonly assertMaySend: () => void;
  /** Counted here: records, chunks, possibly duplicated, not saved. */
  readonly tally: Tally;
  readonly retrying: (reason: string, waitMs: number) => void;
  /** Told just before a request goes out: state failures before the first are configuration problems. */
  readonly beforeRequest: () => void;
}

/**
 * Sends chunks with `concurrency` workers; the next chunks' bytes are read
 * while earlier ones upload, into buffers that are reused. Each chunk is
 * marked in flight before its request (write-ahead) and delivered after a 2xx
 * that says it was kept.
 */
export async function sendChunks(chunks: readonly Chunk[], version: VersionBytes, context: ChunkSender): Promise<void> {
  const { concurrency, writer, tokens, logger, progress, cancellation, tally, clock } = context;
  const { copy, header, watched } = version;
  const reads = new Map<number, { body: Promise<Buffer>; buffer: Buffer }>();
  // Chunk buffers are reused: hundreds of fresh half-megabyte buffers would grow memory until V8 gets round to freeing them.
  const capacity = header.length + chunks.reduce((largest, chunk) => Math.max(largest, chunk.bytes), 0);
  const spare: Buffer[] = [];
  const readAhead = (position: number) => {
    const chunk = chunks[position];
    if (chunk === undefined || reads.has(position)) return;
    const buffer = spare.pop() ?? Buffer.allocUnsafe(capacity);
    const body = copy.readRanges(chunk.byteRanges, header, buffer);
    body.catch(() => undefined); // a read-ahead may fail after the run stopped; whoever awaits it sees the error
    reads.set(position, { body, buffer });
  };
  let countedThisRun = false;
  const startedAt = clock.now();

  const send = async (chunk: Chunk, position: number) => {
    readAhead(position);
    readAhead(position + concurrency);
    const read = reads.get(position) as { body: Promise<Buffer>; buffer: Buffer };
    reads.delete(position);
    const label = `chunk ${position + 1}/${chunks.length}`;
    try {
      const body = await read.body;
      await watched?.assertUnchanged();
      await writer.commit((state) => markInFlight(state, chunk, isoAt(clock))); // write-ahead: before the request
      context.beforeRequest();
      const outcome = await deliverChunk({ body, fileName: `hr-${chunk.firstLine}.csv`, records: chunk.recordCount }, context.delivery, {
        clock,
        cancellation,
        tokens,
        post: context.post,
        agentFor: context.agentFor,
        assertMaySend: context.assertMaySend,
        onRetry: (reason, waitMs) => context.retrying(`${label} (line ${chunk.firstLine}): ${reason}`, waitMs),
      });
      if (outcome.kind !== "delivered") {
        // Certainly not kept: forget the mark. Possibly kept: it stays, and the next run names it.
        if (!outcome.maybeDelivered) await writer.commit((state) => clearInFlight(state, chunk)).catch(() => undefined);
        if (outcome.kind === "failed") throw outcome.error;
        notSaved(`${label} (line ${chunk.firstLine})`, chunk, outcome, context);
        return;
      }
      // Counted on the 2xx: the service has these records whatever happens to the checkpoint.
      tally.records += chunk.recordCount;
      tally.chunks++;
      const firstOfRun = !countedThisRun;
      countedThisRun = true;
      if (outcome.possiblyDuplicated) {
        tally.possiblyDuplicated += chunk.recordCount;
        logger.warn(LOG_EVENT.possiblyDuplicated, `${label} (line ${chunk.firstLine}) was sent again after an answer was lost: the service may hold its ${plural(chunk.recordCount, "record")} twice`, {
          chunks: 1,
          records: chunk.recordCount,
          firstLines: [chunk.firstLine],
        });
      }
      await writer.commit((state) => markDelivered(state, chunk, outcome.possiblyDuplicated, firstOfRun)).catch((error: unknown) => {
        const reason = error instanceof StateWriteError ? error.reason : error instanceof HrError ? error.message : (error as Error).name;
        throw new UploadError(`${label} (line ${chunk.firstLine}) was delivered but its checkpoint could not be saved (${reason}); the next run sends it again and reports it as possibly duplicated`);
      });
      progress?.clear();
      logger.info("chunk-delivered", `${label}: ${plural(chunk.recordCount, "record")} delivered (HTTP ${outcome.status}; ${describeServiceAnswer(outcome.answer)})`, {
        chunk: position + 1,
        firstLine: chunk.firstLine,
        records: chunk.recordCount,
        status: outcome.status,
        retries: outcome.retries,
        recordsSaved: outcome.answer.recordsSaved,
        requestId: outcome.answer.requestId,
        answerBytes: outcome.answer.bytes,
        answerSha256: outcome.answer.sha256,
      });
      const pending = writer.current.pending as PendingVersion;
      const seconds = Math.max(0.001, (clock.now() - startedAt) / 1000);
      progress?.update(`${pending.recordsDelivered}/${pending.recordsTotal} records, ${tally.chunks}/${chunks.length} chunks, ${Math.round(tally.records / seconds)} records/s`);
    } finally {
      spare.push(read.buffer);
    }
  };

  const started = await runPool(chunks, concurrency, cancellation.stop, send);
  if (started < chunks.length) throw new StoppedError(stopReasonOf(cancellation.stop));
}

/** A 2xx that says the chunk was not kept: its records stay pending for the next run, and the run goes on with the rest. */
function notSaved(label: string, chunk: Chunk, outcome: Extract<DeliveryOutcome, { kind: "not-saved" }>, { tally, progress, logger }: ChunkSender): void {
  tally.notSaved += chunk.recordCount;
  progress?.clear();
  logger.warn(LOG_EVENT.recordsNotSaved, `${label} was answered HTTP ${outcome.status} with ${outcome.reason}: its ${plural(chunk.recordCount, "record")} were not kept and will be sent again by the next run`, {
    firstLine: chunk.firstLine,
    records: chunk.recordCount,
    recordsSaved: outcome.answer.recordsSaved ?? 0,
    status: outcome.status,
    htmlPage: outcome.answer.page ?? false,
    answerBytes: outcome.answer.bytes,
    answerSha256: outcome.answer.sha256,
  });
}

