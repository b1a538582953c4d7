import type { Clock } from "../core/clock";
import { CorruptStateError, EXIT_CODES, UploadError } from "../core/errors";
import type { Logger } from "../observe/log";
import { sayWaitingForLock } from "./lockWaiting";
import { LOG_EVENT } from "../observe/logEvents";
import { plural } from "../core/text";
import { jobKeyOf, legacyCheckpointKey, type JobState, type StateStore } from "../state/stateStore";
import { NEVER_CANCELLED } from "../core/stop";

export interface ResetConfig {
  readonly state: StateStore;
  readonly jobId: string;
  /** Files whose format-1 checkpoints (kept per file) go too. */
  readonly csvNames: readonly string[];
  readonly lockLeaseMs: number;
}

/**
 * `hr-upload reset`: shows what one job's delivery state holds, then removes
 * it, the copy of an unfinished version kept beside it, and its format-1
 * checkpoints. The next upload sends the file in full, as a new version.
 */
export async function runReset(config: ResetConfig, logger: Logger, clock: Clock): Promise<number> {
  const { state, jobId } = config;
  const jobKey = jobKeyOf(jobId);
  // The job's lock, as a run takes it: a live run is never reset under it; one silent for a lease (stalled, on another
  // machine) is taken over, and its state writes are fenced from then on, so nothing it writes lands after the reset.
  const lock = await state.acquireLock(jobKey, {
    clock,
    leaseMs: config.lockLeaseMs,
    stop: NEVER_CANCELLED.stop,
    onLost: () => undefined,
    onWait: sayWaitingForLock(logger, config.lockLeaseMs),
  });
  if (lock === undefined) throw new UploadError(`a run is working for job ${jobId} now (its lock in ${state.location} is held); reset it when that run has ended`);
  try {
    let held: JobState | undefined;
    try {
      held = await state.loadJobState(jobKey);
      describeHeld(jobId, held, state.location, logger);
    } catch (error) {
      if (!(error instanceof CorruptStateError)) throw error;
      logger.info("reset-state", `${error.item} is corrupt (${error.problem}); its content cannot be shown`, { item: error.item });
    }
    if (held?.pending !== undefined) await state.deletePinned(held.pending.pinned);
    await state.deleteJobState(jobKey);
    const legacy = [...new Set([...(await state.legacyCheckpointsOf(jobId)), ...config.csvNames.map((name) => legacyCheckpointKey(jobId, name))])];
    for (const key of legacy) await state.deleteLegacyCheckpoint(key);
    logger.info(LOG_EVENT.summary, `job ${jobId}: delivery state removed from ${state.location}; its next upload sends the file in full`, {
      outcome: "reset",
      exitCode: EXIT_CODES.ok,
      jobId,
      location: state.location,
      legacyCheckpoints: legacy.length,
    });
    return EXIT_CODES.ok;
  } finally {
    await lock.release();
  }
}

function describeHeld(jobId: string, held: JobState | undefined, location: string, logger: Logger): void {
  if (held === undefined) {
    logger.info("reset-state", `job ${jobId} has no delivery state in ${location}`);
    return;
  }
  const pending = held.pending;
  if (pending !== undefined) {
    const inFlight = pending.inFlight.reduce((sum, chunk) => sum + chunk.recordCount, 0);
    logger.info(
      "reset-state",
      `unfinished: ${pending.file} (sha256 ${pending.sha256.slice(0, 12)}...), ${pending.recordsDelivered} of ${plural(pending.recordsTotal, "record")} delivered since ${pending.startedAt}${inFlight > 0 ? `, ${plural(inFlight, "record")} in flight when a run stopped` : ""}; the rest will not be sent unless the file is uploaded again`,
      { file: pending.file, fileSha256: pending.sha256, recordsDelivered: pending.recordsDelivered, recordsTotal: pending.recordsTotal, recordsInFlight: inFlight },
    );
  }
  for (const delivery of held.deliveries.slice(0, 3)) {
    logger.info("reset-state", `delivered in full ${delivery.completedAt}: ${delivery.file} (sha256 ${delivery.sha256.slice(0, 12)}...), ${plural(delivery.records, "record")}`, {
      file: delivery.file,
      fileSha256: delivery.sha256,
      completedAt: delivery.completedAt,
      records: delivery.records,
    });
  }
}
