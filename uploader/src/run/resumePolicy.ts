import { RecordRanges } from "../csv/recordRanges";
import type { JobState, PendingVersion } from "../state/stateStore";
import { DAY_MS } from "../core/clock";
import { plural } from "../core/text";

export interface ResendRules {
  readonly force: boolean;
  readonly resendAfterDays: number;
}

/** What to do with the file this run read, given the job's state. */
export type Decision =
  | { readonly send: false; readonly message: string }
  | { readonly send: true; readonly delivered: RecordRanges; readonly message?: string };

/**
 * One version per delivery, content-addressed: the same bytes under any name
 * are one version. A version being delivered is resumed by records; one
 * delivered in full is not sent again within `resendAfterDays` unless forced.
 */
export function decide(state: JobState | undefined, file: { sha256: string; name: string }, rules: ResendRules, now: number): Decision {
  const pending = state?.pending;
  if (pending?.sha256 === file.sha256 && !rules.force) {
    return {
      send: true,
      delivered: RecordRanges.of(pending.delivered),
      message: `resuming: ${pending.recordsDelivered} of ${pending.recordsTotal} records of this version were delivered by ${pending.runs === 1 ? "an earlier run" : `${pending.runs} earlier runs`}`,
    };
  }
  const delivery = state?.deliveries.find((earlier) => earlier.sha256 === file.sha256);
  if (rules.force) {
    return { send: true, delivered: RecordRanges.EMPTY, message: delivery ? `--force: sending again content delivered in full on ${delivery.completedAt}` : undefined };
  }
  if (delivery !== undefined) {
    const ageDays = (now - Date.parse(delivery.completedAt)) / DAY_MS;
    if (ageDays < rules.resendAfterDays) {
      const same = delivery.file === file.name ? "" : ` (as ${delivery.file})`;
      return { send: false, message: `already delivered in full to this job on ${delivery.completedAt}${same}; nothing to do (--force sends it again)` };
    }
    return { send: true, delivered: RecordRanges.EMPTY, message: `sending again: the last full delivery of this content (${delivery.completedAt}) is older than ${rules.resendAfterDays} days` };
  }
  const seen = state?.files[file.name];
  return { send: true, delivered: RecordRanges.EMPTY, message: seen && seen.sha256 !== file.sha256 ? "the file changed since the last run: sending the new version" : undefined };
}

/** The pending version, appended to, resumed by records. */
export function resumeAppended(pending: PendingVersion): Decision {
  return {
    send: true,
    delivered: RecordRanges.of(pending.delivered),
    message: `resuming ${pending.file}: it was appended to since ${pending.recordsDelivered} of its ${plural(pending.recordsTotal, "record")} were delivered; the rest and the appended records follow, nothing is sent twice`,
  };
}
