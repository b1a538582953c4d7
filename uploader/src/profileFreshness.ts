import type { FileRules } from "./csv/fileRules";
import type { Logger } from "./log";
import { LOG_EVENT, RUN_OUTCOME } from "./logEvents";
import type { RunRecord } from "./state/stateStore";

/** The service deletes employee profiles not refreshed for 30 days; warn with ten days to spare. */
export const PROFILE_STALE_AFTER_DAYS = 20;
const DAY_MS = 86_400_000;

export interface ThisRun {
  readonly jobId: string;
  readonly file: string;
  /** Undefined when the run never read the file. */
  readonly fileSha256?: string;
  readonly deliveredInFull: boolean;
  readonly at: Date;
}

/**
 * For employee-profile uploads: warns (the `profile-stale` event an alert
 * rule watches) when the job's last full delivery is 20 days old, or the file
 * itself has not changed for 20 days, judged from the earlier run records.
 */
export function warnIfProfileStale(rules: FileRules, run: ThisRun, history: readonly RunRecord[], logger: Logger): void {
  if (!rules.scenarios.some((scenario) => scenario.id === "employee-profile")) return;
  const daysSince = (iso: string) => Math.floor((run.at.getTime() - Date.parse(iso)) / DAY_MS);
  const jobRuns = history.filter((record) => record.jobId.toLowerCase() === run.jobId.toLowerCase());

  if (!run.deliveredInFull) {
    const last = jobRuns.find((record) => record.outcome === RUN_OUTCOME.delivered); // history is newest first
    const since = last?.endedAt ?? jobRuns.at(-1)?.startedAt;
    if (since !== undefined && daysSince(since) >= PROFILE_STALE_AFTER_DAYS) {
      const days = daysSince(since);
      logger.warn(
        LOG_EVENT.profileStale,
        `employee-profile data for job ${run.jobId} ${last ? `was last delivered in full ${days} days ago` : `has not been delivered in full in ${days} days`}; the service deletes profiles not refreshed for 30 days`,
        { jobId: run.jobId, reason: "not-delivered", days },
      );
    }
  }

  if (run.fileSha256 === undefined) return;
  // The current content's streak: consecutive earlier runs of this file that read the same bytes.
  let unchangedSince: string | undefined;
  for (const record of jobRuns.filter((candidate) => candidate.file === run.file && candidate.fileSha256 !== undefined)) {
    if (record.fileSha256 !== run.fileSha256) break;
    unchangedSince = record.startedAt;
  }
  if (unchangedSince !== undefined && daysSince(unchangedSince) >= PROFILE_STALE_AFTER_DAYS) {
    const days = daysSince(unchangedSince);
    logger.warn(
      LOG_EVENT.profileStale,
      `the employee-profile file ${run.file} has not changed for ${days} days; have the HR system refresh it (the service deletes profiles not refreshed for 30 days)`,
      { jobId: run.jobId, reason: "unchanged", days },
    );
  }
}
