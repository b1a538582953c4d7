import { randomUUID } from "node:crypto";
import type { ClientCredentials, TokenServices, TokenSource } from "../auth";
import { planChunks, validRecords, type Chunk } from "../chunking";
import { isoAt, type Clock } from "../clock";
import type { ColumnMap } from "../csv/layout";
import type { FileRules } from "../csv/fileRules";
import { deliverChunk, type DeliveryOutcome, type DeliverySettings } from "../delivery";
import { CorruptStateError, EXIT_CODES, HrError, InvalidCsvError, StateWriteError, UploadError, UsageError, exitCodeOfSignal } from "../errors";
import { inspectCsv, type Inspection } from "../inspect";
import type { Logger } from "../log";
import { LOG_EVENT, RUN_OUTCOME, type RunOutcome } from "../logEvents";
import { warnIfProfileStale } from "../profileFreshness";
import { RecordRanges } from "../recordRanges";
import { countsOf, describeByScenario, reportInvalidRecords } from "../report";
import { describeServiceAnswer } from "../serviceAnswer";
import type { ByteSource } from "../source/byteSource";
import { jobKeyOf, legacyCheckpointKey, type JobState, type KeptCopy, type PendingVersion, type RunLock, type RunRecord, type StateStore } from "../state/stateStore";
import { StoppedError, stopReasonOf, type RunCancellation, type StopReason } from "../stop";
import { plural } from "../text";
import type { PostChunk } from "../transport";
import type { ProxyAgents } from "../proxy";
import { CheckpointWriter } from "./checkpointWriter";
import { abandonVersion, completeVersion, extendVersion, clearInFlight, markDelivered, markInFlight, newJobState, sawContent, startVersion, takeOverVersion } from "./jobState";
import { readLegacyProgress } from "./legacyResume";
import { extendsVersion } from "./appendedVersion";
import { decide, type Decision } from "./resumePolicy";
import { versionPlan } from "./versionPlan";
import { runPool } from "./workerPool";

/** The CSV to upload, opened only when the run gets to it: a version left unfinished is delivered first, even if the file is gone. */
export interface CsvSource {
  /** The file as given (a path made absolute, or a blob URL without its query). */
  readonly name: string;
  /** Earlier spellings of the name under which format-1 checkpoints were kept. */
  readonly legacyNames: readonly string[];
  open(): Promise<ByteSource>;
}

export interface UploadConfig {
  readonly csv: CsvSource;
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
  /** Job states, run locks, kept copies and run records. */
  readonly state: StateStore;
  readonly force: boolean;
  readonly resendAfterDays: number;
  readonly dryRun: boolean;
  readonly secretExpiresOn?: Date;
  /** How long a killed run's lock blocks the job. */
  readonly lockLeaseMs: number;
  /** Run records older than this are deleted from a state folder. */
  readonly keepRunsDays: number;
  /** Where sign-in and upload requests go through the agency's proxy. */
  readonly proxyAgents?: ProxyAgents;
}

export interface UploadServices {
  readonly logger: Logger;
  readonly clock: Clock;
  /** From the CLI edge: signals stop the run (and, past the grace period, halt requests in flight). */
  readonly cancellation: RunCancellation;
  readonly createTokenSource: (credentials: ClientCredentials, services: TokenServices) => TokenSource;
  readonly post: PostChunk;
  /** Progress line on an interactive terminal; absent otherwise. */
  readonly progress?: ProgressLine;
}

export interface ProgressLine {
  update(text: string): void;
  clear(): void;
}

const DAY_MS = 86_400_000;
export const SECRET_EXPIRY_WARNING_DAYS = 30;

/** How a run ended. */
interface RunResult {
  readonly outcome: RunOutcome;
  readonly exitCode: number;
  readonly message: string;
  readonly errorClass?: string;
}

/** What this run did and learned, for the summary event and the run record. */
interface Tally {
  records: number;
  chunks: number;
  retries: number;
  possiblyDuplicated: number;
  /** Records the service answered 2xx for but said it did not keep: pending for the next run. */
  notSaved: number;
  tokenRequests: number;
  /** Chunks planned this run. */
  planned: number;
  file?: Inspection;
  /** Records of the current version delivered so far, over every run. */
  versionDelivered?: number;
}

/**
 * `hr-upload upload`: under the job's lock, finish any version an earlier run
 * left unfinished, then validate the file, keep a copy of its bytes and
 * deliver every valid record exactly once, checkpointing by records with a
 * write-ahead mark per chunk; always end with one summary event and, for real
 * runs, a run record.
 */
export function runUpload(config: UploadConfig, services: UploadServices): Promise<number> {
  return new UploadRun(config, services).execute();
}

class UploadRun {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly runId = randomUUID();
  private readonly jobKey: string;
  private readonly started: number;
  private readonly lockLoss = new AbortController();
  /** No new chunk, retry or token request once this aborts: a signal, or the lock lost. */
  private readonly stop: AbortSignal;
  private readonly tally: Tally = { records: 0, chunks: 0, retries: 0, possiblyDuplicated: 0, notSaved: 0, tokenRequests: 0, planned: 0 };
  private writer: CheckpointWriter | undefined;
  private tokens: TokenSource | undefined;
  private lock: RunLock | undefined;
  /** Set when the first request is about to go out: state failures before it are configuration problems. */
  private sentAnything = false;
  private fileName: string;
  /** Format-1 checkpoints read this run, deleted once the job's state has taken them over. */
  private readonly legacyKeys: string[] = [];

  constructor(
    private readonly config: UploadConfig,
    private readonly services: UploadServices,
  ) {
    this.logger = services.logger;
    this.clock = services.clock;
    this.jobKey = jobKeyOf(config.jobId);
    this.started = this.clock.now();
    this.stop = AbortSignal.any([services.cancellation.stop, this.lockLoss.signal]);
    this.fileName = config.csv.name;
  }

  async execute(): Promise<number> {
    const { config } = this;
    warnIfSecretExpiring(config.secretExpiresOn, this.started, this.logger);
    let result: RunResult;
    try {
      result = config.dryRun ? await this.dryRun() : await this.underLock();
    } catch (error) {
      result = this.failure(error);
    } finally {
      await this.lock?.release().catch(() => undefined);
    }
    this.services.progress?.clear();
    if (!config.dryRun) await this.record(result);
    this.summarise(result);
    return result.exitCode;
  }

  private async underLock(): Promise<RunResult> {
    const { config } = this;
    this.lock = await config.state.acquireLock(this.jobKey, {
      clock: this.clock,
      leaseMs: config.lockLeaseMs,
      stop: this.stop,
      onLost: (detail) => this.lockLoss.abort({ kind: "lock-lost", detail } satisfies StopReason),
    });
    if (this.lock === undefined) {
      if (this.stop.aborted) throw new StoppedError(stopReasonOf(this.stop));
      return {
        outcome: RUN_OUTCOME.locked,
        exitCode: EXIT_CODES.ok,
        message: `another run is working for this connector job (its lock in ${config.state.location} is held and renewed); standing down`,
      };
    }
    const initial = (await this.loadJobState()) ?? newJobState(config.jobId, isoAt(this.clock));
    const writer = new CheckpointWriter(config.state, this.jobKey, initial, this.runId, this.clock);
    this.writer = writer;

    // The file may be gone, replaced or appended to: what happens to a version an earlier run left unfinished is planned first.
    const opened = await config.csv.open().then(
      (source) => ({ source }),
      (error: unknown) => ({ error }),
    );
    const pending = writer.current.pending;
    const kept = pending === undefined ? undefined : await config.state.openPinned(pending.pinned);
    try {
      const current = "source" in opened ? opened.source : undefined;
      const extendsPending = pending !== undefined && current !== undefined && current.fingerprint !== pending.fingerprint && (await extendsVersion(current, pending));
      const steps = versionPlan({
        pending,
        current: current === undefined ? { opened: false } : { opened: true, fingerprint: current.fingerprint, extendsPending },
        keptCopy: kept?.kind,
        force: config.force,
      });
      for (const step of steps) {
        switch (step.kind) {
          case "refuse": {
            const version = pending as PendingVersion;
            if (step.reason === "kept-copy-replaced") throw this.keptCopyCorrupt(version, "it was written over since it was kept");
            const reason = kept?.kind === "unavailable" ? kept.reason : "unavailable";
            throw new UploadError(`the copy of ${version.file} kept in ${config.state.location} (${version.pinned.name}) cannot be read now (${reason}); nothing was abandoned or overwritten: rerun once it can be read`);
          }
          case "finish-pending": {
            const version = pending as PendingVersion;
            const isCurrent = version.fingerprint === current?.fingerprint;
            await this.finishPending(version, (kept as Extract<KeptCopy, { kind: "present" }>).source, isCurrent);
            if (isCurrent) return this.delivered(`delivered the rest of ${version.file}: ${plural(this.tally.records, "record")} in ${plural(this.tally.chunks, "chunk")}`);
            break;
          }
          case "abandon-pending":
            await this.abandonPending(pending as PendingVersion);
            break;
          case "resume-append":
          case "deliver-current":
            this.fileName = (current as ByteSource).name;
            return await this.deliverCurrent(current as ByteSource, step.kind === "resume-append");
          case "file-unreadable":
            throw (opened as { error: unknown }).error;
        }
      }
      throw new Error(`the version plan ended without a last step: ${JSON.stringify(steps)}`);
    } finally {
      if ("source" in opened) await opened.source.close().catch(() => undefined);
      if (kept?.kind === "present") await kept.source.close().catch(() => undefined);
    }
  }

  private async loadJobState(): Promise<JobState | undefined> {
    try {
      return await this.config.state.loadJobState(this.jobKey);
    } catch (error) {
      if (error instanceof CorruptStateError) throw new CorruptStateError(error.item, `${error.problem}; clear it with ${this.resetCommand()}`);
      throw error;
    }
  }

  private resetCommand(extra = ""): string {
    return `hr-upload reset --job-id ${this.config.jobId}${extra} --checkpoint ${this.config.state.location}`;
  }

  /** A kept copy that is not the bytes it was kept as: corrupt state, never a reason to give the version up. */
  private keptCopyCorrupt(pending: PendingVersion, problem: string): CorruptStateError {
    return new CorruptStateError(
      `${this.config.state.location}: ${pending.pinned.name}`,
      `the copy of ${pending.file} kept for the version under way (sha256 ${pending.sha256.slice(0, 12)}...) is not that version: ${problem}; clear it with ${this.resetCommand()}`,
    );
  }

  /** The kept copy is gone and the file is another version: the rest of the pending version can never be sent, and that is said. */
  private async abandonPending(pending: PendingVersion): Promise<void> {
    const inFlight = pending.inFlight.reduce((sum, chunk) => sum + chunk.recordCount, 0);
    const neverDelivered = pending.recordsTotal - pending.recordsDelivered - inFlight;
    this.logger.warn(
      LOG_EVENT.abandoned,
      `${plural(neverDelivered, "record")} of ${pending.file} (sha256 ${pending.sha256.slice(0, 12)}...) were never delivered, and ${plural(inFlight, "record")} may not have been: the copy kept in ${this.config.state.location} is gone and the file has changed since`,
      { file: pending.file, fileSha256: pending.sha256, recordsNeverDelivered: neverDelivered, recordsInFlight: inFlight },
    );
    await (this.writer as CheckpointWriter).commit(abandonVersion);
  }

  /** Delivers the rest of a version an earlier run began, from its kept copy. */
  private async finishPending(pending: PendingVersion, kept: ByteSource, isCurrent: boolean): Promise<void> {
    const { config, logger } = this;
    try {
      const inspection = await this.inspect(kept);
      if (inspection.sha256 !== pending.sha256) throw this.keptCopyCorrupt(pending, `its SHA-256 is ${inspection.sha256.slice(0, 12)}..., not the version's`);
      if (inspection.invalid > 0 && !config.skipInvalid) {
        reportInvalidRecords(logger, inspection, config.rules.scenarioColumn !== undefined);
        throw new InvalidCsvError(`the unfinished version of ${pending.file} kept from an earlier run has ${plural(inspection.invalid, "invalid record")} with these settings; rerun with the settings it was sent with (or --skip-invalid), or clear it with ${this.resetCommand()}`);
      }
      const progress = `${pending.recordsDelivered} of ${plural(pending.recordsTotal, "record")} were delivered by earlier runs`;
      logger.info(
        "resume",
        isCurrent
          ? `resuming ${pending.file}: ${progress}`
          : `finishing ${pending.file} (sha256 ${pending.sha256.slice(0, 12)}...) first, from the copy kept in ${config.state.location}: ${progress}; the file has changed since`,
        { file: pending.file, fileSha256: pending.sha256, recordsDelivered: pending.recordsDelivered, recordsTotal: pending.recordsTotal },
      );
      await this.adoptPending(inspection);
      await this.deliverVersion(kept, inspection);
    } catch (error) {
      if (error instanceof InvalidCsvError && !/kept from an earlier run/.test(error.message)) {
        throw new InvalidCsvError(`the unfinished version of ${pending.file} kept from an earlier run no longer reads as valid CSV (${error.message}); clear it with ${this.resetCommand()}`);
      }
      throw error;
    }
  }

  /** Takes the pending version over: records its run left in flight are sent again, and named. */
  private async adoptPending(inspection: Inspection): Promise<void> {
    const writer = this.writer as CheckpointWriter;
    const pending = writer.current.pending as PendingVersion;
    const ordinals = (inspection.index as NonNullable<Inspection["index"]>).count;
    if ([...pending.delivered, ...pending.inFlight.flatMap((mark) => mark.records)].some(([, end]) => end > ordinals)) {
      throw new CorruptStateError(`${this.config.state.location} (job ${this.config.jobId})`, `its checkpoint names records past the ${plural(ordinals, "record")} of ${pending.file}; clear it with ${this.resetCommand()}`);
    }
    if (pending.inFlight.length > 0) {
      const records = pending.inFlight.reduce((sum, chunk) => sum + chunk.recordCount, 0);
      const lines = pending.inFlight.map((chunk) => chunk.firstLine).sort((a, b) => a - b);
      this.tally.possiblyDuplicated += records;
      this.logger.warn(
        LOG_EVENT.possiblyDuplicated,
        `${plural(pending.inFlight.length, "chunk")} (${plural(records, "record")}, starting at line ${lines.join(", ")}) ${pending.inFlight.length === 1 ? "was" : "were"} being sent when an earlier run stopped: sending ${pending.inFlight.length === 1 ? "it" : "them"} again, so the service may hold ${pending.inFlight.length === 1 ? "it" : "them"} twice`,
        { file: pending.file, chunks: pending.inFlight.length, records, firstLines: lines },
      );
    }
    await writer.commit((state) => takeOverVersion(state, validRecords(inspection.index as NonNullable<Inspection["index"]>).count, pending.fingerprint));
  }

  private async inspect(source: ByteSource, tee?: (bytes: Buffer) => Promise<void>): Promise<Inspection> {
    const { config } = this;
    const inspection = await inspectCsv(source, { rules: config.rules, columns: config.columns, showValues: config.showValues, index: true, tee, stop: this.stop });
    this.tally.file = inspection;
    return inspection;
  }

  /** Reads, keeps and delivers the file at hand; `appended`: as the continuation of the pending version it begins with. */
  private async deliverCurrent(source: ByteSource, appended: boolean): Promise<RunResult> {
    const { config, logger } = this;
    const writer = this.writer as CheckpointWriter;
    const pin = await config.state.createPin(this.jobKey);
    let kept = false;
    try {
      const inspection = await this.inspect(source, (bytes) => pin.write(bytes));
      await source.assertUnchanged();
      if (inspection.invalid > 0) {
        reportInvalidRecords(logger, inspection, config.rules.scenarioColumn !== undefined);
        if (!config.skipInvalid) {
          return {
            outcome: RUN_OUTCOME.invalid,
            exitCode: EXIT_CODES.invalidCsv,
            message: `${inspection.invalid} of ${plural(inspection.recordsRead, "record")} are invalid; nothing of this file was sent (fix them, or send the rest with --skip-invalid)`,
          };
        }
        logger.warn("skipping-invalid", `--skip-invalid: ${plural(inspection.invalid, "invalid record")} will not be sent`, { invalid: inspection.invalid });
      }

      const legacy = await this.legacyProgress(source, inspection);
      if (legacy?.kind === "complete") await writer.commit((state) => ({ ...state, deliveries: [legacy.delivery, ...state.deliveries] }));
      const decision = appended ? resumeAppended(writer.current.pending as PendingVersion) : decide(writer.current, { sha256: inspection.sha256, name: source.name }, config, this.clock.now());
      await writer.commit((state) => sawContent(state, source.name, inspection.sha256, isoAt(this.clock)));
      if (!decision.send) {
        if (this.tally.chunks > 0) return this.delivered(`delivered the rest of an earlier version (${plural(this.tally.records, "record")}); ${source.name}: ${decision.message}`);
        return { outcome: RUN_OUTCOME.nothingToDo, exitCode: EXIT_CODES.ok, message: decision.message };
      }
      const delivered = legacy?.kind === "partial" ? legacy.delivered : decision.delivered;
      const message = legacy?.kind === "partial" ? `resuming the upload a format-1 checkpoint recorded: ${delivered.count} records were delivered` : decision.message;
      if (message) logger.info("resume", message);

      const pinned = await pin.keep();
      kept = true;
      if (appended) {
        // Same records at the same places, more after them: the pending version goes on as this one, nothing sent twice.
        await writer.commit((state) => extendVersion(state, { sha256: inspection.sha256, file: source.name, bytes: inspection.bytes, pinned, fingerprint: source.fingerprint }));
        await this.adoptPending(inspection);
      } else if (writer.current.pending?.sha256 === inspection.sha256 && !config.force) {
        // The version an earlier run began, whose kept copy was lost: kept again from the file, resumed by records.
        await writer.commit((state) => ({ ...state, pending: { ...(state.pending as PendingVersion), pinned, fingerprint: source.fingerprint } }));
        await this.adoptPending(inspection);
      } else {
        const total = validRecords(inspection.index as NonNullable<Inspection["index"]>).count;
        await writer.commit((state) =>
          startVersion(state, { sha256: inspection.sha256, file: source.name, bytes: inspection.bytes, pinned, fingerprint: source.fingerprint, recordsTotal: total, delivered }, isoAt(this.clock)),
        );
      }
      if (legacy !== undefined) await this.forgetLegacy();
      const reopened = await config.state.openPinned(pinned);
      if (reopened.kind !== "present") throw new UploadError(`the copy of ${source.name} just kept in ${config.state.location} cannot be read back (${reopened.kind === "unavailable" ? reopened.reason : reopened.kind})`);
      const copy = reopened.source;
      try {
        await this.deliverVersion(copy, inspection, source);
      } finally {
        await copy.close();
      }
      const perScenario = config.rules.scenarioColumn === undefined ? "" : `; by scenario: ${describeByScenario(inspection)}`;
      return this.delivered(`delivered ${plural(this.tally.records, "record")} in ${plural(this.tally.chunks, "chunk")}${perScenario}`);
    } finally {
      if (!kept) await pin.discard().catch(() => undefined);
    }
  }

  /** A format-1 checkpoint of this file (under any of its earlier names), read in format-2 terms. */
  private async legacyProgress(source: ByteSource, inspection: Inspection) {
    const { config } = this;
    if (this.writer?.current.pending !== undefined) return undefined;
    for (const name of new Set([source.name, ...config.csv.legacyNames])) {
      const key = legacyCheckpointKey(config.jobId, name);
      const checkpoint = await config.state.loadLegacyCheckpoint(key).catch((error: unknown) => {
        if (error instanceof CorruptStateError) throw new CorruptStateError(error.item, `${error.problem}; clear it with ${this.resetCommand(` --csv ${name}`)}`);
        throw error;
      });
      if (checkpoint === undefined) continue;
      this.legacyKeys.push(key);
      const progress = await readLegacyProgress(checkpoint, { sha256: inspection.sha256, header: inspection.header, index: inspection.index as NonNullable<Inspection["index"]>, source });
      if (progress.kind !== "other-version") return progress;
    }
    return undefined;
  }

  private async forgetLegacy(): Promise<void> {
    for (const key of this.legacyKeys) await this.config.state.deleteLegacyCheckpoint(key).catch(() => undefined);
  }

  /** Sends the valid records of the pending version not yet delivered, then marks it complete and drops its kept copy. */
  private async deliverVersion(copy: ByteSource, inspection: Inspection, watched?: ByteSource): Promise<void> {
    const writer = this.writer as CheckpointWriter;
    const pending = writer.current.pending as PendingVersion;
    const chunks = planChunks(inspection.index as NonNullable<Inspection["index"]>, RecordRanges.of(pending.delivered), this.config.recordsPerCall);
    this.tally.planned += chunks.length;
    if (chunks.length > 0) {
      const tokens = this.tokenSource();
      await tokens.token(); // before any chunk: a bad secret fails here, before a byte is sent
      await this.sendChunks(chunks, copy, inspection.header, watched);
    }
    if (this.tally.notSaved > 0) {
      throw new UploadError(`the service answered 2xx but did not keep ${plural(this.tally.notSaved, "record")} of ${pending.file} (event ${LOG_EVENT.recordsNotSaved}); they stay pending and the next run sends them again`);
    }
    this.tally.versionDelivered = (writer.current.pending as PendingVersion).recordsDelivered;
    await writer.commit((state) => completeVersion(state, isoAt(this.clock)));
    await this.config.state.deletePinned(pending.pinned).catch(() => this.logger.warn("kept-copy-not-deleted", `the kept copy of ${pending.file} could not be deleted from ${this.config.state.location}; the next delivery replaces it`));
  }

  private readonly agentFor = (url: string) => this.config.proxyAgents?.for(url);

  private tokenSource(): TokenSource {
    this.tokens ??= this.services.createTokenSource(this.config.credentials, {
      clock: this.clock,
      cancellation: { stop: this.stop, halt: this.services.cancellation.halt },
      agentFor: this.agentFor,
      onRetry: (reason, waitMs) => this.retrying(reason, waitMs),
    });
    return this.tokens;
  }

  private retrying(reason: string, waitMs: number): void {
    this.tally.retries++;
    this.services.progress?.clear();
    this.logger.warn("retry", `${reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`, { reason, waitMs });
  }

  /** Sends chunks with `concurrency` workers; the next chunks' bytes are read while earlier ones upload. */
  private async sendChunks(chunks: readonly Chunk[], copy: ByteSource, header: Buffer, watched: ByteSource | undefined): Promise<void> {
    const { config, logger, services } = this;
    const writer = this.writer as CheckpointWriter;
    const tokens = this.tokenSource();
    const cancellation = { stop: this.stop, halt: services.cancellation.halt };
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
    const startedAt = this.clock.now();

    const send = async (chunk: Chunk, position: number) => {
      readAhead(position);
      readAhead(position + config.concurrency);
      const read = reads.get(position) as { body: Promise<Buffer>; buffer: Buffer };
      reads.delete(position);
      const label = `chunk ${position + 1}/${chunks.length}`;
      try {
        const body = await read.body;
        await watched?.assertUnchanged();
        await writer.commit((state) => markInFlight(state, chunk, isoAt(this.clock))); // write-ahead: before the request
        this.sentAnything = true;
        const outcome = await deliverChunk({ body, fileName: `hr-${chunk.firstLine}.csv`, records: chunk.recordCount }, config.delivery, {
          clock: this.clock,
          cancellation,
          tokens,
          post: services.post,
          agentFor: this.agentFor,
          assertMaySend: () => this.lock?.assertHeld(),
          onRetry: (reason, waitMs) => this.retrying(`${label} (line ${chunk.firstLine}): ${reason}`, waitMs),
        });
        if (outcome.kind !== "delivered") {
          // Certainly not kept: forget the mark. Possibly kept: it stays, and the next run names it.
          if (!outcome.maybeDelivered) await writer.commit((state) => clearInFlight(state, chunk)).catch(() => undefined);
          if (outcome.kind === "failed") throw outcome.error;
          this.notSaved(`${label} (line ${chunk.firstLine})`, chunk, outcome);
          return;
        }
        // Counted on the 2xx: the service has these records whatever happens to the checkpoint.
        this.tally.records += chunk.recordCount;
        this.tally.chunks++;
        const firstOfRun = !countedThisRun;
        countedThisRun = true;
        if (outcome.possiblyDuplicated) {
          this.tally.possiblyDuplicated += chunk.recordCount;
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
        services.progress?.clear();
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
        const seconds = Math.max(0.001, (this.clock.now() - startedAt) / 1000);
        services.progress?.update(`${pending.recordsDelivered}/${pending.recordsTotal} records, ${this.tally.chunks}/${chunks.length} chunks, ${Math.round(this.tally.records / seconds)} records/s`);
      } finally {
        spare.push(read.buffer);
      }
    };

    const started = await runPool(chunks, config.concurrency, this.stop, send);
    if (started < chunks.length) throw new StoppedError(stopReasonOf(this.stop));
  }

  /** A 2xx that says the chunk was not kept: its records stay pending for the next run, and the run goes on with the rest. */
  private notSaved(label: string, chunk: Chunk, outcome: Extract<DeliveryOutcome, { kind: "not-saved" }>): void {
    this.tally.notSaved += chunk.recordCount;
    this.services.progress?.clear();
    this.logger.warn(LOG_EVENT.recordsNotSaved, `${label} was answered HTTP ${outcome.status} with ${outcome.reason}: its ${plural(chunk.recordCount, "record")} were not kept and will be sent again by the next run`, {
      firstLine: chunk.firstLine,
      records: chunk.recordCount,
      recordsSaved: outcome.answer.recordsSaved ?? 0,
      status: outcome.status,
      htmlPage: outcome.answer.page ?? false,
      answerBytes: outcome.answer.bytes,
      answerSha256: outcome.answer.sha256,
    });
  }

  private delivered(message: string): RunResult {
    return { outcome: RUN_OUTCOME.delivered, exitCode: EXIT_CODES.ok, message };
  }

  /** Every way a run can fail, as an outcome and an exit code; exit 1 only for a bug. */
  private failure(error: unknown): RunResult {
    const { logger } = this;
    this.services.progress?.clear();
    const progress =
      this.tally.chunks === 0
        ? "nothing was delivered this run"
        : `${plural(this.tally.records, "record")} in ${plural(this.tally.chunks, "chunk")} ${this.tally.chunks === 1 ? "was" : "were"} delivered this run; a rerun sends what its checkpoint lacks`;
    const reason = stopReasonOf(this.stop);
    if (error instanceof StoppedError || (reason?.kind === "signal" && !(error instanceof HrError))) {
      const stoppedBy = (error instanceof StoppedError ? error.reason : undefined) ?? reason;
      if (stoppedBy?.kind === "lock-lost") return this.failed(new UploadError(`lost the run lock (${stoppedBy.detail}); stopped so that no other run's work is doubled`), progress);
      const signal = stoppedBy?.kind === "signal" ? stoppedBy.signal : "SIGTERM";
      return { outcome: RUN_OUTCOME.interrupted, exitCode: exitCodeOfSignal(signal), message: `interrupted by ${signal}: ${progress}` };
    }
    if (error instanceof StateWriteError && !this.sentAnything) {
      return this.failed(new UsageError(`${error.message}: nothing was sent; free space or fix its permissions, or choose another --checkpoint`), progress);
    }
    if (error instanceof HrError) return this.failed(error, progress);
    logger.error(LOG_EVENT.failed, `internal error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { errorClass: "internal", exitCode: EXIT_CODES.internal });
    return { outcome: RUN_OUTCOME.failed, exitCode: EXIT_CODES.internal, errorClass: "internal", message: `upload failed: ${progress}` };
  }

  private failed(error: HrError, progress: string): RunResult {
    this.logger.error(LOG_EVENT.failed, error.message, { errorClass: error.errorClass, exitCode: error.exitCode });
    return { outcome: RUN_OUTCOME.failed, exitCode: error.exitCode, errorClass: error.errorClass, message: `upload failed: ${progress}` };
  }

  /** The run record (when the store takes it), profile freshness, and old run records pruned. */
  private async record(result: RunResult): Promise<void> {
    const { config, logger } = this;
    const ended = this.clock.now();
    const file = this.tally.file;
    // A file of any scenario (a scenario column alone) concerns profiles only if it held some.
    const holdsProfiles = !config.rules.anyScenario || (file?.byScenario["employee-profile"]?.records ?? 0) > 0;
    if (this.writer !== undefined && result.outcome !== RUN_OUTCOME.locked && holdsProfiles) {
      warnIfProfileStale(config.rules, { jobId: config.jobId, file: this.fileName, fileSha256: file?.sha256, deliveredInFull: result.outcome === RUN_OUTCOME.delivered, at: ended }, this.writer.current, logger);
    }
    const record: RunRecord = {
      version: 2,
      runId: this.runId,
      startedAt: new Date(this.started).toISOString(),
      endedAt: new Date(ended).toISOString(),
      file: this.fileName,
      fileSha256: file?.sha256,
      jobId: config.jobId,
      scenario: config.rules.id,
      recordsRead: file?.recordsRead,
      byScenario: file?.byScenario,
      chunks: this.tally.planned,
      recordsDelivered: this.tally.records,
      chunksSent: this.tally.chunks,
      retries: this.tally.retries,
      recordsPossiblyDuplicated: this.tally.possiblyDuplicated,
      recordsNotSaved: this.tally.notSaved,
      outcome: result.outcome,
      exitCode: result.exitCode,
      errorClass: result.errorClass,
    };
    // The upload's outcome stands even if its record cannot be written: say so, do not fail the run.
    await config.state.saveRunRecord(record).catch((error: unknown) =>
      logger.warn("run-record-not-saved", `the run record could not be saved in ${config.state.location} (${error instanceof StateWriteError ? error.reason : (error as Error).name})`),
    );
    await config.state.pruneRunRecords(ended - config.keepRunsDays * DAY_MS).catch(() => undefined);
  }

  private summarise(result: RunResult): void {
    const { config } = this;
    const file = this.tally.file;
    this.tally.tokenRequests = this.tokens?.networkRequests ?? 0;
    const seconds = (this.clock.now() - this.started) / 1000;
    const details = `${plural(this.tally.retries, "retry", "retries")}, ${plural(this.tally.tokenRequests, "token request")}, ${seconds.toFixed(1)} s`;
    const duplicates =
      (this.tally.possiblyDuplicated > 0 ? `; ${plural(this.tally.possiblyDuplicated, "record")} possibly duplicated` : "") +
      (this.tally.notSaved > 0 ? `; ${plural(this.tally.notSaved, "record")} not saved by the service` : "");
    this.logger.info(LOG_EVENT.summary, `${result.message} (${details})${duplicates}`, {
      outcome: result.outcome,
      exitCode: result.exitCode,
      file: this.fileName,
      jobId: config.jobId,
      cloud: config.cloud,
      scenario: config.rules.id,
      recordsDelivered: this.tally.records,
      chunksSent: this.tally.chunks,
      retries: this.tally.retries,
      tokenRequests: this.tally.tokenRequests,
      recordsPossiblyDuplicated: this.tally.possiblyDuplicated,
      recordsNotSaved: this.tally.notSaved,
      ...(file ? { sha256: file.sha256, ...countsOf(file) } : {}),
      chunks: this.tally.planned,
      recordsDeliveredTotal: this.tally.versionDelivered,
      errorClass: result.errorClass,
      durationSeconds: seconds,
    });
  }

  /** `--dry-run`: validates and prints what a run would send, reading the state but writing nothing. */
  private async dryRun(): Promise<RunResult> {
    const { config, logger } = this;
    const state = await this.loadJobState();
    if (state?.pending !== undefined) {
      logger.info("plan", `would first finish ${state.pending.file}: ${state.pending.recordsTotal - state.pending.recordsDelivered} records not yet delivered`);
    }
    const source = await config.csv.open();
    try {
      this.fileName = source.name;
      const inspection = await this.inspect(source);
      if (inspection.invalid > 0) reportInvalidRecords(logger, inspection, config.rules.scenarioColumn !== undefined);
      const decision = decide(state, { sha256: inspection.sha256, name: source.name }, config, this.clock.now());
      const chunks = decision.send && (inspection.invalid === 0 || config.skipInvalid) ? planChunks(inspection.index as NonNullable<Inspection["index"]>, decision.delivered, config.recordsPerCall) : [];
      this.tally.planned = chunks.length;
      describePlan(logger, config, inspection.header.length, chunks);
      const why = decision.send ? (decision.message ? ` (${decision.message})` : "") : ` (${decision.message})`;
      return { outcome: RUN_OUTCOME.dryRun, exitCode: EXIT_CODES.ok, message: `dry run: would send ${plural(chunks.length, "chunk")}${why}; nothing was sent` };
    } finally {
      await source.close();
    }
  }
}

/** The pending version, appended to, resumed by records. */
function resumeAppended(pending: PendingVersion): Decision {
  return {
    send: true,
    delivered: RecordRanges.of(pending.delivered),
    message: `resuming ${pending.file}: it was appended to since ${pending.recordsDelivered} of its ${plural(pending.recordsTotal, "record")} were delivered; the rest and the appended records follow, nothing is sent twice`,
  };
}

function warnIfSecretExpiring(expiresOn: Date | undefined, now: number, logger: Logger): void {
  if (expiresOn === undefined) return;
  const daysLeft = Math.floor((expiresOn.getTime() - now) / DAY_MS);
  if (daysLeft > SECRET_EXPIRY_WARNING_DAYS) return;
  const when = expiresOn.toISOString().slice(0, 10);
  const message =
    daysLeft < 0
      ? `the client secret expired on ${when}; rotate it: pulumi config set secretRotation <today> && pulumi up`
      : `the client secret expires on ${when} (${daysLeft} days); rotate it: pulumi config set secretRotation <today> && pulumi up`;
  logger.warn(LOG_EVENT.secretExpiring, message, { expiresOn: when, daysLeft });
}

function describePlan(logger: Logger, config: UploadConfig, headerBytes: number, chunks: readonly Chunk[]): void {
  const records = chunks.reduce((sum, chunk) => sum + chunk.recordCount, 0);
  const bytes = chunks.reduce((sum, chunk) => sum + headerBytes + chunk.bytes, 0);
  logger.info("plan", `would POST ${plural(chunks.length, "chunk")} (${plural(records, "record")}, ${bytes} bytes) to ${config.delivery.url}`, { url: config.delivery.url, chunks: chunks.length, records, bytes });
  logger.info("plan", `token from ${config.credentials.authorityHost}/${config.credentials.tenantId} for app ${config.credentials.clientId}`, { authorityHost: config.credentials.authorityHost });
  for (const [position, chunk] of chunks.entries()) {
    logger.info("plan-chunk", `chunk ${position + 1}: ${plural(chunk.recordCount, "record")} from line ${chunk.firstLine}, ${headerBytes + chunk.bytes} bytes`, {
      chunk: position + 1,
      records: chunk.recordCount,
      firstLine: chunk.firstLine,
      bytes: headerBytes + chunk.bytes,
    });
  }
}
