import { randomUUID } from "node:crypto";
import { planChunks, validRecords } from "../csv/chunking";
import { isoAt, type Clock } from "../core/clock";
import { CorruptStateError, EXIT_CODES, InvalidCsvError, UploadError } from "../core/errors";
import { inspectCsv, type Inspection } from "../validation/inspect";
import type { Logger } from "../observe/log";
import { sayWaitingForLock, takeJobLocks } from "./lockWaiting";
import { LOG_EVENT, RUN_OUTCOME } from "../observe/logEvents";
import { RecordRanges } from "../csv/recordRanges";
import { describeByScenario } from "../validation/report";
import type { ByteSource } from "../source/byteSource";
import { jobKeyOf, type JobState, type KeptCopy, type PendingVersion } from "../state/stateStore";
import { allHeld, assertAllHeld, type RunLock } from "../lock/runLock";
import type { StopReason } from "../core/stop";
import { plural } from "../core/text";
import { CheckpointWriter } from "../state/checkpointWriter";
import { sendChunks } from "./chunkSender";
import { RunReport, type RunResult, type Tally } from "./runReport";
import { completeVersion, extendVersion, newJobState, sawContent, startVersion } from "../state/jobState";
import { LegacyCheckpoints } from "./legacyResume";
import { extendsVersion } from "./appendedVersion";
import { dryRun } from "./dryRun";
import { abandonPending, keptCopyCorrupt, keptCopyUnavailable, readBack } from "../keep/keptCopy";
import { admitKeptCopy, adoptPending } from "./pendingVersion";
import { RunNetwork } from "./runNetwork";
import { warnIfSecretExpiring } from "./secretExpiry";
import type { UploadConfig, UploadServices } from "./uploadConfig";
import { contentPlan, versionPlan } from "./versionPlan";

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
  private readonly report: RunReport;
  private readonly tally: Tally;
  private writer: CheckpointWriter | undefined;
  private readonly network: RunNetwork;
  /** The machine's lock for this job, then the state store's: held from start to end. */
  private readonly locks: RunLock[] = [];
  /** Set when the first request is about to go out: state failures before it are configuration problems. */
  private sentAnything = false;
  private readonly legacy: LegacyCheckpoints;

  constructor(
    private readonly config: UploadConfig,
    private readonly services: UploadServices,
  ) {
    this.logger = services.logger;
    this.clock = services.clock;
    this.jobKey = jobKeyOf(config.jobId);
    this.started = this.clock.now();
    this.stop = AbortSignal.any([services.cancellation.stop, this.lockLoss.signal]);
    this.report = new RunReport({ config, logger: this.logger, clock: this.clock, progress: services.progress, runId: this.runId, started: this.started }, config.csv.name);
    this.tally = this.report.tally;
    this.network = new RunNetwork(config, services, { stop: this.stop, halt: services.cancellation.halt }, this.tally);
    this.legacy = new LegacyCheckpoints(config.state, config.jobId, (extra) => this.resetCommand(extra));
  }

  async execute(): Promise<number> {
    const { config } = this;
    warnIfSecretExpiring(config.secretExpiresOn, this.started, this.logger);
    let result: RunResult;
    try {
      result = config.dryRun ? await dryRun(config, { state: await this.loadJobState(), inspect: (source) => this.inspect(source), report: this.report, logger: this.logger, clock: this.clock }) : await this.underLock();
    } catch (error) {
      result = this.report.failure(error, this.stop, this.sentAnything);
    } finally {
      for (const lock of this.locks.reverse()) await lock.release().catch(() => undefined);
    }
    this.services.progress?.clear();
    if (!config.dryRun) await this.report.record(result, this.writer?.current);
    this.report.summarise(result, this.network.networkRequests);
    return result.exitCode;
  }

  private async underLock(): Promise<RunResult> {
    const { config } = this;
    const lockOptions = {
      clock: this.clock,
      leaseMs: config.lockLeaseMs,
      stop: this.stop,
      onLost: (detail: string) => this.lockLoss.abort({ kind: "lock-lost", detail } satisfies StopReason),
      onWait: sayWaitingForLock(this.logger, config.lockLeaseMs),
    };
    // The machine's lock first: a run of this job with another state folder on this machine is as much a second run.
    const standDown = await takeJobLocks(config, this.jobKey, lockOptions, this.locks);
    if (standDown !== undefined) return standDown;
    const initial = (await this.loadJobState()) ?? newJobState(config.jobId, isoAt(this.clock));
    const writer = new CheckpointWriter(config.state, this.jobKey, initial, this.runId, this.clock, this.services.cancellation.halt);
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
            if (step.reason === "kept-copy-replaced") throw keptCopyCorrupt(version, config.state.keptIn(version.pinned), "it was written over since it was kept", this.resetCommand());
            throw keptCopyUnavailable(version, config.state.keptIn(version.pinned), kept?.kind === "unavailable" ? kept.reason : "unavailable");
          }
          case "finish-pending": {
            const version = pending as PendingVersion;
            const isCurrent = version.fingerprint === current?.fingerprint;
            await this.finishPending(version, (kept as Extract<KeptCopy, { kind: "present" }>).source, isCurrent);
            if (isCurrent) return this.report.delivered(`delivered the rest of ${version.file}: ${plural(this.tally.records, "record")} in ${plural(this.tally.chunks, "chunk")}`);
            break;
          }
          case "abandon-pending":
            await abandonPending(pending as PendingVersion, writer, this.logger, config.state.keptIn((pending as PendingVersion).pinned));
            break;
          case "resume-append":
          case "deliver-current":
            if (pending !== undefined) this.report.movingOn(pending.file);
            this.report.fileName = (current as ByteSource).name;
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
    const { location, keptContainer } = this.config.state;
    return `hr-upload reset --job-id ${this.config.jobId}${extra} --checkpoint ${location}${keptContainer === undefined ? "" : ` --kept-container ${keptContainer}`}`;
  }

  /** Delivers the rest of a version an earlier run began, from its kept copy. */
  private async finishPending(pending: PendingVersion, kept: ByteSource, isCurrent: boolean): Promise<void> {
    const { config, logger } = this;
    try {
      const inspection = await this.inspect(kept);
      admitKeptCopy(pending, inspection, isCurrent, { keptIn: config.state.keptIn(pending.pinned), skipInvalid: config.skipInvalid, byScenario: config.rules.scenarioColumn !== undefined, resetCommand: this.resetCommand(), logger });
      await this.adoptPending(inspection);
      await this.deliverVersion(kept, inspection);
    } catch (error) {
      if (error instanceof InvalidCsvError && !/kept from an earlier run/.test(error.message)) {
        throw new InvalidCsvError(`the unfinished version of ${pending.file} kept from an earlier run no longer reads as valid CSV (${error.message}); clear it with ${this.resetCommand()}`);
      }
      throw error;
    }
  }

  private adoptPending(inspection: Inspection): Promise<void> {
    const { config } = this;
    return adoptPending(this.writer as CheckpointWriter, inspection, { stateOf: `${config.state.location} (job ${config.jobId})`, resetCommand: this.resetCommand(), tally: this.tally, logger: this.logger });
  }

  private async inspect(source: ByteSource, tee?: (bytes: Buffer) => Promise<void>): Promise<Inspection> {
    const { config } = this;
    const inspection = await inspectCsv(source, { rules: config.rules, columns: config.columns, showValues: config.showValues, index: true, tee, stop: this.stop, workers: this.services.validationWorkers });
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
      const invalid = this.report.invalidFile(inspection);
      if (invalid !== undefined) return invalid;

      const legacy = writer.current.pending === undefined ? await this.legacy.progressOf(source, inspection, config.csv.legacyNames) : undefined;
      if (legacy?.kind === "complete") await writer.commit((state) => ({ ...state, deliveries: [legacy.delivery, ...state.deliveries] }));
      const step = contentPlan({
        state: writer.current,
        file: { sha256: inspection.sha256, name: source.name },
        appended,
        legacyDelivered: legacy?.kind === "partial" ? legacy.delivered : undefined,
        rules: config,
        now: this.clock.now(),
      });
      await writer.commit((state) => sawContent(state, source.name, inspection.sha256, isoAt(this.clock)));
      if (step.kind === "nothing-to-do") {
        if (this.tally.chunks > 0) return this.report.delivered(`delivered the rest of an earlier version (${plural(this.tally.records, "record")}); ${source.name}: ${step.message}`);
        return { outcome: RUN_OUTCOME.nothingToDo, exitCode: EXIT_CODES.ok, message: step.message };
      }
      if (step.message) logger.info("resume", step.message);

      // The copy goes under the job's name, where a run that took the job over may be keeping its own by now.
      assertAllHeld(this.locks);
      const pinned = await pin.keep();
      kept = true;
      const version = { sha256: inspection.sha256, file: source.name, bytes: inspection.bytes, pinned, fingerprint: source.fingerprint };
      switch (step.kind) {
        case "extend-pending": // same records at the same places, more after them: nothing sent twice
          await writer.commit((state) => extendVersion(state, version));
          await this.adoptPending(inspection);
          break;
        case "keep-again":
          await writer.commit((state) => ({ ...state, pending: { ...(state.pending as PendingVersion), pinned, fingerprint: source.fingerprint } }));
          await this.adoptPending(inspection);
          break;
        case "start-version": {
          const recordsTotal = validRecords(inspection.index as NonNullable<Inspection["index"]>).count;
          await writer.commit((state) => startVersion(state, { ...version, recordsTotal, delivered: step.delivered }, isoAt(this.clock)));
        }
      }
      if (legacy !== undefined) await this.legacy.forget();
      const copy = await readBack(config.state, pinned, source.name);
      try {
        await this.deliverVersion(copy, inspection, source);
      } finally {
        await copy.close();
      }
      const perScenario = config.rules.scenarioColumn === undefined ? "" : `; by scenario: ${describeByScenario(inspection)}`;
      return this.report.delivered(`delivered ${plural(this.tally.records, "record")} in ${plural(this.tally.chunks, "chunk")}${perScenario}`);
    } finally {
      // Lost lock: what is staged under the job's name may be the new holder's (its commit drops this run's staging).
      if (!kept) await (allHeld(this.locks) ? pin.discard() : pin.release()).catch(() => undefined);
    }
  }

  /** Sends the valid records of the pending version not yet delivered, then marks it complete and drops its kept copy. */
  private async deliverVersion(copy: ByteSource, inspection: Inspection, watched?: ByteSource): Promise<void> {
    const writer = this.writer as CheckpointWriter;
    const pending = writer.current.pending as PendingVersion;
    const chunks = planChunks(inspection.index as NonNullable<Inspection["index"]>, RecordRanges.of(pending.delivered), this.config.recordsPerCall);
    this.tally.planned += chunks.length;
    if (chunks.length > 0) {
      const tokens = this.network.tokens();
      await tokens.token(); // before any chunk: a bad secret fails here, before a byte is sent
      await sendChunks(chunks, { copy, header: inspection.header, watched }, {
        concurrency: this.config.concurrency,
        delivery: this.config.delivery,
        writer,
        tokens,
        post: this.services.post,
        clock: this.clock,
        logger: this.logger,
        progress: this.services.progress,
        cancellation: { stop: this.stop, halt: this.services.cancellation.halt },
        agentFor: this.network.agentFor,
        assertMaySend: () => assertAllHeld(this.locks),
        tally: this.tally,
        retrying: this.network.retrying,
        beforeRequest: () => (this.sentAnything = true),
      });
    }
    if (this.tally.notSaved > 0) {
      throw new UploadError(`the service answered 2xx but did not keep ${plural(this.tally.notSaved, "record")} of ${pending.file} (event ${LOG_EVENT.recordsNotSaved}); they stay pending and the next run sends them again`);
    }
    this.tally.versionDelivered = (writer.current.pending as PendingVersion).recordsDelivered;
    await writer.commit((state) => completeVersion(state, isoAt(this.clock)));
    await this.config.state.deletePinned(pending.pinned).catch(() => this.logger.warn("kept-copy-not-deleted", `the kept copy of ${pending.file} could not be deleted from ${this.config.state.keptIn(pending.pinned)}; the next delivery replaces it`));
  }
}
