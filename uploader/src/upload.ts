import { createHash, randomUUID } from "node:crypto";
import type { ClientCredentials, TokenSource } from "./auth";
import { type ChunkPlan, planDigest } from "./chunkPlan";
import { type Checkpoint, type RunLock, type RunRecord, type StateStore, checkpointKey } from "./state/stateStore";
import type { ColumnMap } from "./csv/layout";
import type { FileRules } from "./csv/fileRules";
import { deliverChunk, type DeliverySettings, type PostChunk } from "./delivery";
import { EXIT_CODES, HrError, UploadError, UsageError } from "./errors";
import { inspectCsv, type Inspection } from "./inspect";
import type { Logger } from "./log";
import { LOG_EVENT, RUN_OUTCOME, type RunOutcome } from "./logEvents";
import { warnIfProfileStale } from "./profileFreshness";
import { countsOf, describeByScenario, reportInvalidRecords } from "./report";
import type { ByteSource } from "./source/localFile";

export interface UploadConfig {
  readonly source: ByteSource;
  readonly rules: FileRules;
  readonly columns: ColumnMap;
  readonly showValues: boolean;
  readonly cloud: string;
  readonly jobId: string;
  readonly credentials: ClientCredentials;
  readonly delivery: DeliverySettings;
  readonly recordsPerCall: number;
  readonly concurrency: number;
  readonly skipInvalid: boolean;
  /** Checkpoints, the run lock and run records. */
  readonly state: StateStore;
  readonly force: boolean;
  readonly resendAfterDays: number;
  readonly dryRun: boolean;
  readonly secretExpiresOn?: Date;
}

export interface UploadServices {
  readonly logger: Logger;
  readonly createTokenSource: (credentials: ClientCredentials) => TokenSource;
  readonly post: PostChunk;
  /** Progress line on an interactive terminal; absent otherwise. */
  readonly progress?: ProgressLine;
  readonly now?: () => Date;
}

export interface ProgressLine {
  update(text: string): void;
  clear(): void;
}

const DAY_MS = 86_400_000;
export const SECRET_EXPIRY_WARNING_DAYS = 30;

/** What a run learned about its file, for the summary event and the run record. */
interface RunFacts {
  readonly sha256?: string;
  readonly recordsRead?: number;
  readonly valid?: number;
  readonly invalid?: number;
  readonly byScenario?: Inspection["byScenario"];
  readonly chunks?: number;
  readonly recordsDeliveredTotal?: number;
  readonly errorClass?: string;
}

/** How a run ended. */
interface RunResult {
  readonly outcome: RunOutcome;
  readonly exitCode: number;
  readonly message: string;
  readonly facts: RunFacts;
}

/**
 * `hr-upload upload`: under the run lock, validate and plan, then deliver
 * every chunk exactly once, resuming from the checkpoint; always end with one
 * summary event and, for real runs, a run record.
 */
export async function runUpload(config: UploadConfig, services: UploadServices): Promise<number> {
  const { logger } = services;
  const now = services.now ?? (() => new Date());
  const started = now();
  warnIfSecretExpiring(config.secretExpiresOn, started, logger);
  const key = checkpointKey(config.jobId, config.source.name);
  const lock = config.dryRun ? undefined : await config.state.acquireLock(key);
  const tally = { records: 0, chunks: 0, retries: 0, tokenRequests: 0 };

  let result: RunResult;
  if (!config.dryRun && lock === undefined) {
    result = {
      outcome: RUN_OUTCOME.locked,
      exitCode: EXIT_CODES.ok,
      message: `another run holds the lock on this file and job (in ${config.state.location}); standing down. A killed run's lock expires by itself.`,
      facts: {},
    };
  } else {
    try {
      result = await uploadUnderLock(config, services, key, lock, tally, now);
    } catch (error) {
      services.progress?.clear();
      if (!(error instanceof HrError)) throw error;
      logger.error(LOG_EVENT.failed, error.message, { errorClass: error.errorClass, exitCode: error.exitCode });
      const progress =
        tally.chunks === 0
          ? "nothing was delivered this run"
          : `${tally.records} records in ${tally.chunks} chunks were delivered this run; a rerun sends what the checkpoint lacks`;
      result = { outcome: RUN_OUTCOME.failed, exitCode: error.exitCode, message: `upload failed: ${progress}`, facts: { errorClass: error.errorClass } };
    } finally {
      await lock?.release();
    }
  }
  services.progress?.clear();

  const ended = now();
  const delivery = { recordsDelivered: tally.records, chunksSent: tally.chunks, retries: tally.retries };
  if (!config.dryRun && result.outcome !== RUN_OUTCOME.locked) {
    const history = await config.state.listRunRecords().catch(() => []);
    const deliveredInFull = result.outcome === RUN_OUTCOME.delivered;
    warnIfProfileStale(config.rules, { jobId: config.jobId, file: config.source.name, fileSha256: result.facts.sha256, deliveredInFull, at: ended }, history, logger);
  }
  if (!config.dryRun) {
    const record: RunRecord = {
      version: 1,
      runId: randomUUID(),
      startedAt: started.toISOString(),
      endedAt: ended.toISOString(),
      file: config.source.name,
      fileSha256: result.facts.sha256,
      jobId: config.jobId,
      scenario: config.rules.id,
      recordsRead: result.facts.recordsRead,
      byScenario: result.facts.byScenario,
      chunks: result.facts.chunks,
      ...delivery,
      outcome: result.outcome,
      exitCode: result.exitCode,
      errorClass: result.facts.errorClass,
    };
    // The upload's outcome stands even if its record cannot be written: say so, do not fail the run.
    await config.state.saveRunRecord(record).catch((error: unknown) =>
      logger.warn("run-record-not-saved", `the run record could not be saved in ${config.state.location}: ${error instanceof Error ? error.message : "error"}`),
    );
  }
  logger.info(LOG_EVENT.summary, result.message, {
    outcome: result.outcome,
    exitCode: result.exitCode,
    file: config.source.name,
    jobId: config.jobId,
    cloud: config.cloud,
    scenario: config.rules.id,
    ...delivery,
    tokenRequests: tally.tokenRequests,
    ...result.facts,
    durationSeconds: (ended.getTime() - started.getTime()) / 1000,
  });
  return result.exitCode;
}

async function uploadUnderLock(
  config: UploadConfig,
  services: UploadServices,
  key: string,
  lock: RunLock | undefined,
  tally: { records: number; chunks: number; retries: number; tokenRequests: number },
  now: () => Date,
): Promise<RunResult> {
  const { logger } = services;
  const inspection = await inspectCsv(config.source, { ...config, recordsPerChunk: config.recordsPerCall });
  const found = { sha256: inspection.sha256, ...countsOf(inspection), chunks: inspection.chunks.length };

  if (inspection.invalid > 0) {
    reportInvalidRecords(logger, inspection, config.rules.scenarioColumn !== undefined);
    if (!config.skipInvalid) {
      return {
        outcome: RUN_OUTCOME.invalid,
        exitCode: EXIT_CODES.invalidCsv,
        message: `${inspection.invalid} of ${inspection.recordsRead} records are invalid; nothing was sent (fix them, or send the rest with --skip-invalid)`,
        facts: found,
      };
    }
    logger.warn("skipping-invalid", `--skip-invalid: ${inspection.invalid} invalid records will not be sent`, { invalid: inspection.invalid });
  }

  const planSha256 = planDigest(inspection.header, inspection.chunks);
  const previous = await config.state.loadCheckpoint(key);
  const resume = decideResume(previous, { planSha256, fileSha256: inspection.sha256 }, config, now());
  if (resume.message && !resume.nothingToDo) logger.info("resume", resume.message);
  const pending = inspection.chunks.filter((chunk) => !resume.delivered.has(chunk.index));

  if (config.dryRun) {
    describePlan(logger, config, inspection, pending);
    return { outcome: RUN_OUTCOME.dryRun, exitCode: EXIT_CODES.ok, message: `dry run: would send ${pending.length} of ${inspection.chunks.length} chunks; nothing was sent`, facts: found };
  }
  if (resume.nothingToDo) return { outcome: RUN_OUTCOME.nothingToDo, exitCode: EXIT_CODES.ok, message: resume.message ?? "nothing to do", facts: found };

  const checkpoint = new CheckpointWriter(config.state, key, {
    version: 1,
    jobId: config.jobId,
    source: config.source.name,
    fileSha256: inspection.sha256,
    planSha256,
    recordsPerCall: config.recordsPerCall,
    totalChunks: inspection.chunks.length,
    totalRecords: inspection.chunks.reduce((sum, chunk) => sum + chunk.records, 0),
    deliveredChunks: [...resume.delivered],
    recordsDelivered: inspection.chunks.filter((chunk) => resume.delivered.has(chunk.index)).reduce((sum, chunk) => sum + chunk.records, 0),
    updatedAt: now().toISOString(),
  });
  if (pending.length === 0) {
    // No records, or an earlier run delivered every chunk but stopped before recording completion.
    if (inspection.chunks.length > 0) await checkpoint.complete(now());
    return { outcome: RUN_OUTCOME.nothingToDo, exitCode: EXIT_CODES.ok, message: `no records left to send (${inspection.valid} valid records in the file)`, facts: found };
  }

  const tokens = services.createTokenSource(config.credentials);
  try {
    await tokens.token(); // once, before any parallel work: a bad secret fails here, before a byte is sent
    await sendChunks(pending, config, inspection, tokens, services, checkpoint, lock, tally, now);
    await checkpoint.complete(now());
  } finally {
    tally.tokenRequests = tokens.networkRequests;
  }
  const perScenario = config.rules.scenarioColumn === undefined ? "" : `; by scenario: ${describeByScenario(inspection)}`;
  return {
    outcome: RUN_OUTCOME.delivered,
    exitCode: EXIT_CODES.ok,
    message: `delivered ${tally.records} records in ${tally.chunks} chunks (${tally.retries} retries)${perScenario}`,
    facts: { ...found, recordsDeliveredTotal: checkpoint.state.recordsDelivered },
  };
}

interface ResumeDecision {
  readonly delivered: ReadonlySet<number>;
  readonly nothingToDo: boolean;
  readonly message?: string;
}

function decideResume(previous: Checkpoint | undefined, plan: { planSha256: string; fileSha256: string }, config: UploadConfig, now: Date): ResumeDecision {
  const fresh = (message?: string): ResumeDecision => ({ delivered: new Set(), nothingToDo: false, message });
  if (previous === undefined) return fresh();
  if (previous.planSha256 !== plan.planSha256) {
    // Same bytes, other chunks: starting over would send the delivered records again.
    if (previous.fileSha256 === plan.fileSha256 && previous.completedAt === undefined && previous.deliveredChunks.length > 0 && !config.force) {
      throw new UsageError(
        `an unfinished upload of this file to this job cut it differently (--records-per-call ${previous.recordsPerCall}, and the same --skip-invalid, --scenario and --columns): rerun with those to resume, or add --force to start over and send its ${previous.recordsDelivered} delivered records again`,
      );
    }
    return fresh(previous.fileSha256 === plan.fileSha256 ? "--force: starting over with the new chunking" : "the file changed since the last run: starting over");
  }
  if (previous.completedAt === undefined) {
    return {
      delivered: new Set(previous.deliveredChunks),
      nothingToDo: false,
      message: `resuming: ${previous.deliveredChunks.length} of ${previous.totalChunks} chunks (${previous.recordsDelivered} records) were delivered by an earlier run`,
    };
  }
  const ageDays = (now.getTime() - Date.parse(previous.completedAt)) / DAY_MS;
  if (config.force) return fresh(`--force: sending again a file fully delivered on ${previous.completedAt}`);
  if (ageDays >= config.resendAfterDays) {
    return fresh(`sending again: the last full delivery (${previous.completedAt}) is older than ${config.resendAfterDays} days`);
  }
  return {
    delivered: new Set(previous.deliveredChunks),
    nothingToDo: true,
    message: `already delivered in full to this job on ${previous.completedAt}; nothing to do (--force sends it again)`,
  };
}

/** Sends chunks with `concurrency` workers; the next chunk's bytes are read while earlier ones upload. */
async function sendChunks(
  pending: readonly ChunkPlan[],
  config: UploadConfig,
  inspection: Inspection,
  tokens: TokenSource,
  services: UploadServices,
  checkpoint: CheckpointWriter,
  lock: RunLock | undefined,
  tally: { records: number; chunks: number; retries: number },
  now: () => Date,
): Promise<void> {
  const { logger } = services;
  const reads = new Map<number, { body: Promise<Buffer>; buffer: Buffer }>();
  // Chunk buffers are reused: hundreds of fresh half-megabyte buffers would grow memory until V8 gets round to freeing them.
  const capacity = inspection.header.length + pending.reduce((largest, chunk) => Math.max(largest, chunk.bytes), 0);
  const spare: Buffer[] = [];
  const readAhead = (position: number) => {
    const chunk = pending[position];
    if (chunk === undefined || reads.has(position)) return;
    const buffer = spare.pop() ?? Buffer.allocUnsafe(capacity);
    const body = readChunk(config.source, inspection.header, chunk, buffer);
    body.catch(() => undefined); // a read-ahead may fail after the run stopped; whoever awaits it sees the error
    reads.set(position, { body, buffer });
  };
  const started = now().getTime();
  let cursor = 0;
  let failure: unknown;

  const worker = async () => {
    while (failure === undefined && cursor < pending.length) {
      const position = cursor++;
      const chunk = pending[position] as ChunkPlan;
      readAhead(position);
      readAhead(position + config.concurrency);
      try {
        const read = reads.get(position) as { body: Promise<Buffer>; buffer: Buffer };
        reads.delete(position);
        const body = await read.body;
        lock?.assertHeld(); // right before sending: another run must not be sending the same chunk
        const label = `chunk ${chunk.index + 1}/${inspection.chunks.length}`;
        const delivered = await deliverChunk({ body, fileName: `hr-${chunk.index + 1}.csv` }, config.delivery, tokens, services.post, (reason, waitMs) => {
          tally.retries++;
          services.progress?.clear();
          logger.warn("retry", `${label}: ${reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`, { chunk: chunk.index + 1, reason, waitMs });
        }).finally(() => spare.push(read.buffer));
        // Counted on the 2xx: the service has these records whatever happens to the checkpoint.
        tally.records += chunk.records;
        tally.chunks++;
        await checkpoint.delivered(chunk, now()).catch((error: unknown) => {
          if (error instanceof HrError) throw error;
          throw new UploadError(`chunk ${chunk.index + 1} was delivered but its checkpoint could not be saved (${(error as Error).name}); a rerun sends that chunk again`);
        });
        services.progress?.clear();
        logger.info("chunk-delivered", `${label}: ${chunk.records} records delivered (HTTP ${delivered.status})`, {
          chunk: chunk.index + 1,
          records: chunk.records,
          status: delivered.status,
          retries: delivered.retries,
        });
        if (delivered.body.trim() !== "") logger.info("service-response", `Body : ${delivered.body.trim()}`, { chunk: chunk.index + 1, body: delivered.body });
        const seconds = Math.max(0.001, (now().getTime() - started) / 1000);
        services.progress?.update(
          `${checkpoint.state.recordsDelivered}/${checkpoint.state.totalRecords} records, ${checkpoint.state.deliveredChunks.length}/${inspection.chunks.length} chunks, ${Math.round(tally.records / seconds)} records/s`,
        );
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, pending.length) }, worker));
  if (failure !== undefined) throw failure;
}

async function readChunk(source: ByteSource, header: Buffer, chunk: ChunkPlan, into: Buffer): Promise<Buffer> {
  const body = await source.readRanges(chunk.ranges, header, into);
  if (createHash("sha256").update(body).digest("hex") !== chunk.sha256) {
    throw new UploadError(`${source.name} changed while it was being uploaded; rerun to send the new version from the start`);
  }
  return body;
}

/** Keeps the checkpoint in step with deliveries; writes are serialised so none overtakes another. */
class CheckpointWriter {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: StateStore,
    private readonly key: string,
    public state: Checkpoint,
  ) {}

  delivered(chunk: ChunkPlan, at: Date): Promise<void> {
    this.state = {
      ...this.state,
      deliveredChunks: [...this.state.deliveredChunks, chunk.index].sort((a, b) => a - b),
      recordsDelivered: this.state.recordsDelivered + chunk.records,
      updatedAt: at.toISOString(),
    };
    return this.persist();
  }

  complete(at: Date): Promise<void> {
    this.state = { ...this.state, completedAt: at.toISOString(), updatedAt: at.toISOString() };
    return this.persist();
  }

  private persist(): Promise<void> {
    const snapshot = this.state;
    this.writing = this.writing.then(() => this.store.saveCheckpoint(this.key, snapshot));
    return this.writing;
  }
}

function warnIfSecretExpiring(expiresOn: Date | undefined, now: Date, logger: Logger): void {
  if (expiresOn === undefined) return;
  const daysLeft = Math.floor((expiresOn.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft > SECRET_EXPIRY_WARNING_DAYS) return;
  const when = expiresOn.toISOString().slice(0, 10);
  const message =
    daysLeft < 0
      ? `the client secret expired on ${when}; rotate it: pulumi config set secretRotation <today> && pulumi up`
      : `the client secret expires on ${when} (${daysLeft} days); rotate it: pulumi config set secretRotation <today> && pulumi up`;
  logger.warn(LOG_EVENT.secretExpiring, message, { expiresOn: when, daysLeft });
}

function describePlan(logger: Logger, config: UploadConfig, inspection: Inspection, pending: readonly ChunkPlan[]): void {
  const records = pending.reduce((sum, chunk) => sum + chunk.records, 0);
  const bytes = pending.reduce((sum, chunk) => sum + inspection.header.length + chunk.bytes, 0);
  logger.info("plan", `would POST ${pending.length} chunks (${records} records, ${bytes} bytes) to ${config.delivery.url}`, {
    url: config.delivery.url,
    chunks: pending.length,
    records,
    bytes,
  });
  logger.info("plan", `token from ${config.credentials.authorityHost}/${config.credentials.tenantId} for app ${config.credentials.clientId}`, {
    authorityHost: config.credentials.authorityHost,
  });
  for (const chunk of pending) {
    logger.info("plan-chunk", `chunk ${chunk.index + 1}: ${chunk.records} records from line ${chunk.firstLine}, ${inspection.header.length + chunk.bytes} bytes`, {
      chunk: chunk.index + 1,
      records: chunk.records,
      firstLine: chunk.firstLine,
      bytes: inspection.header.length + chunk.bytes,
    });
  }
}
