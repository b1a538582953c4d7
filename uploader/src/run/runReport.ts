import { DAY_MS, isoOf, type Clock } from "../core/clock";
import { EXIT_CODES, HrError, StateWriteError, UsageError, exitCodeOfSignal } from "../core/errors";
import type { Inspection } from "../validation/inspect";
import { lostLockError } from "../lock/runLock";
import type { Logger } from "../observe/log";
import { LOG_EVENT, RUN_OUTCOME, type RunOutcome } from "../observe/logEvents";
import { warnIfProfileStale } from "./profileFreshness";
import { countsOf, reportInvalidRecords } from "../validation/report";
import type { EarlierVersion, RunRecordOfVersions } from "../observe/runRecordCounts";
import type { JobState } from "../state/stateStore";
import { StoppedError, stopReasonOf } from "../core/stop";
import { plural } from "../core/text";
import type { ProgressLine, UploadConfig } from "./uploadConfig";

/** How a run ended. */
export interface RunResult {
  readonly outcome: RunOutcome;
  readonly exitCode: number;
  readonly message: string;
  readonly errorClass?: string;
}

/** What this run did and learned, for the summary event and the run record. */
export interface Tally {
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
  /** The version finished first from its kept copy, when the run then moved on to the file at hand. */
  earlierVersion?: EarlierVersion;
}

/** Nothing done yet. */
export const newTally = (): Tally => ({ records: 0, chunks: 0, retries: 0, possiblyDuplicated: 0, notSaved: 0, tokenRequests: 0, planned: 0 });

export interface ReportContext {
  readonly config: Pick<UploadConfig, "jobId" | "cloud" | "rules" | "skipInvalid" | "state" | "keepRunsDays">;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly progress?: ProgressLine;
  readonly runId: string;
  readonly started: number;
}

/**
 * What a run tells when it ends: its outcome and exit code (exit 1 only for a
 * bug), its run record, and the summary event, from what it counted.
 */
export class RunReport {
  readonly tally = newTally();
  /** The file the run is about: as given, then as opened. */
  fileName: string;

  constructor(
    private readonly context: ReportContext,
    fileName: string,
  ) {
    this.fileName = fileName;
  }

  /**
   * The run moves on from the version it finished (the file it read last) to
   * the file at hand: what it delivered so far belongs to that version, so the
   * counts of the file at hand do not take them in.
   */
  movingOn(file: string): void {
    const { tally } = this;
    if (tally.file === undefined) return;
    tally.earlierVersion = { file, fileSha256: tally.file.sha256, recordsRead: tally.file.recordsRead, recordsDelivered: tally.records };
  }

  delivered(message: string): RunResult {
    return { outcome: RUN_OUTCOME.delivered, exitCode: EXIT_CODES.ok, message };
  }

  /** A file with invalid records: reported; the run's result (exit 3, nothing sent), or undefined with --skip-invalid, which sends the rest. */
  invalidFile(inspection: Inspection): RunResult | undefined {
    const { logger, config } = this.context;
    if (inspection.invalid === 0) return undefined;
    reportInvalidRecords(logger, inspection, config.rules.scenarioColumn !== undefined);
    if (config.skipInvalid) {
      logger.warn("skipping-invalid", `--skip-invalid: ${plural(inspection.invalid, "invalid record")} will not be sent`, { invalid: inspection.invalid });
      return undefined;
    }
    const message = `${inspection.invalid} of ${plural(inspection.recordsRead, "record")} are invalid; nothing of this file was sent (fix them, or send the rest with --skip-invalid)`;
    return { outcome: RUN_OUTCOME.invalid, exitCode: EXIT_CODES.invalidCsv, message };
  }

  /** Every way a run can fail, as an outcome and an exit code; exit 1 only for a bug. `stop`: why the run stopped, if it did; `sentAnything`: whether a request went out. */
  failure(error: unknown, stop: AbortSignal, sentAnything: boolean): RunResult {
    const { logger } = this.context;
    this.context.progress?.clear();
    const progress =
      this.tally.chunks === 0
        ? "nothing was delivered this run"
        : `${plural(this.tally.records, "record")} in ${plural(this.tally.chunks, "chunk")} ${this.tally.chunks === 1 ? "was" : "were"} delivered this run; a rerun sends what its checkpoint lacks`;
    const reason = stopReasonOf(stop);
    if (error instanceof StoppedError || (reason?.kind === "signal" && !(error instanceof HrError))) {
      const stoppedBy = (error instanceof StoppedError ? error.reason : undefined) ?? reason;
      if (stoppedBy?.kind === "lock-lost") return this.failed(lostLockError(stoppedBy.detail), progress);
      const signal = stoppedBy?.kind === "signal" ? stoppedBy.signal : "SIGTERM";
      return { outcome: RUN_OUTCOME.interrupted, exitCode: exitCodeOfSignal(signal), message: `interrupted by ${signal}: ${progress}` };
    }
    if (error instanceof StateWriteError && !sentAnything) {
      return this.failed(new UsageError(`${error.message}: nothing was sent; free space or fix its permissions, or choose another --checkpoint`), progress);
    }
    if (error instanceof HrError) return this.failed(error, progress);
    logger.error(LOG_EVENT.failed, `internal error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { errorClass: "internal", exitCode: EXIT_CODES.internal });
    return { outcome: RUN_OUTCOME.failed, exitCode: EXIT_CODES.internal, errorClass: "internal", message: `upload failed: ${progress}` };
  }

  private failed(error: HrError, progress: string): RunResult {
    this.context.logger.error(LOG_EVENT.failed, error.message, { errorClass: error.errorClass, exitCode: error.exitCode });
    return { outcome: RUN_OUTCOME.failed, exitCode: error.exitCode, errorClass: error.errorClass, message: `upload failed: ${progress}` };
  }

  /** The run record (when the store takes it), profile freshness (given the job's state, once it was read), and old run records pruned. */
  async record(result: RunResult, jobState: JobState | undefined): Promise<void> {
    const { config, logger } = this.context;
    const ended = this.context.clock.now();
    const file = this.tally.file;
    // A file of any scenario (a scenario column alone) concerns profiles only if it held some.
    const holdsProfiles = !config.rules.anyScenario || (file?.byScenario["employee-profile"]?.records ?? 0) > 0;
    if (jobState !== undefined && result.outcome !== RUN_OUTCOME.locked && holdsProfiles) {
      warnIfProfileStale(config.rules, { jobId: config.jobId, file: this.fileName, fileSha256: file?.sha256, deliveredInFull: result.outcome === RUN_OUTCOME.delivered, at: ended }, jobState, logger);
    }
    const record: RunRecordOfVersions = {
      version: 2,
      runId: this.context.runId,
      startedAt: isoOf(this.context.started),
      endedAt: isoOf(ended),
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
      earlierVersion: this.tally.earlierVersion,
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

  /** The summary event: always the run's last line. */
  summarise(result: RunResult, tokenRequests: number): void {
    const { config } = this.context;
    const file = this.tally.file;
    this.tally.tokenRequests = tokenRequests;
    const seconds = (this.context.clock.now() - this.context.started) / 1000;
    const details = `${plural(this.tally.retries, "retry", "retries")}, ${plural(this.tally.tokenRequests, "token request")}, ${seconds.toFixed(1)} s`;
    const duplicates =
      (this.tally.possiblyDuplicated > 0 ? `; ${plural(this.tally.possiblyDuplicated, "record")} possibly duplicated` : "") +
      (this.tally.notSaved > 0 ? `; ${plural(this.tally.notSaved, "record")} not saved by the service` : "");
    this.context.logger.info(LOG_EVENT.summary, `${result.message} (${details})${duplicates}`, {
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
      earlierVersion: this.tally.earlierVersion,
      errorClass: result.errorClass,
      durationSeconds: seconds,
    });
  }
}
