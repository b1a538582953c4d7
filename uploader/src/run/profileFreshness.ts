import type { FileRules } from "../csv/fileRules";
import type { Logger } from "../observe/log";
import { LOG_EVENT } from "../observe/logEvents";
import type { JobState } from "../state/stateStore";
import { DAY_MS } from "../core/clock";

/** The service deletes employee profiles not refreshed for 30 days; warn with ten days to spare. */
export const PROFILE_STALE_AFTER_DAYS = 20;

export interface ThisRun {
  readonly jobId: string;
  readonly file: string;
  /** Undefined when the run never read the file. */
  readonly fileSha256?: string;
  readonly deliveredInFull: boolean;
  readonly at: number;
}

/**
 * For employee-profile uploads: warns (the `profile-stale` event an alert
 * rule watches) when the job's last full delivery is 20 days old, or the file
 * itself has not changed for 20 days, judged from the job's state (which
 * remembers both), never from the history of run records.
 */
export function warnIfProfileStale(rules: FileRules, run: ThisRun, state: JobState, logger: Logger): void {
  if (!rules.scenarios.some((scenario) => scenario.id === "employee-profile")) return;
  const daysSince = (iso: string) => Math.floor((run.at - Date.parse(iso)) / DAY_MS);

  if (!run.deliveredInFull) {
    const last = state.deliveries[0];
    const days = daysSince(last?.completedAt ?? state.firstRunAt);
    if (days >= PROFILE_STALE_AFTER_DAYS) {
      logger.warn(
        LOG_EVENT.profileStale,
        `employee-profile data for job ${run.jobId} ${last ? `was last delivered in full ${days} days ago` : `has not been delivered in full in ${days} days`}; the service deletes profiles not refreshed for 30 days`,
        { jobId: run.jobId, reason: "not-delivered", days },
      );
    }
  }

  const seen = state.files[run.file];
  if (run.fileSha256 === undefined || seen?.sha256 !== run.fileSha256) return;
  const days = daysSince(seen.since);
  if (days >= PROFILE_STALE_AFTER_DAYS) {
    logger.warn(
      LOG_EVENT.profileStale,
      `the employee-profile file ${run.file} has not changed for ${days} days; have the HR system refresh it (the service deletes profiles not refreshed for 30 days)`,
      { jobId: run.jobId, reason: "unchanged", days },
    );
  }
}
