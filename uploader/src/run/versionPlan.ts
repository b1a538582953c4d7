import { DAY_MS } from "../core/clock";
import { plural } from "../core/text";
import { RecordRanges } from "../csv/recordRanges";
import type { JobState, KeptCopy } from "../state/stateStore";

/*
 * The run's plan, in two pure stages, so that every case is one row of a table: what the run does with the versions
 * before it, from what it knows when it starts (versionPlan), then what of the file at hand it sends, once it has read
 * and hashed it (contentPlan). Nothing here reads a file, the clock or the state store.
 */

/** What a run knows when it starts, before it reads the file at hand. */
export interface VersionFacts {
  /** The version an earlier run left partly delivered, if any. */
  readonly pending?: { readonly fingerprint: string };
  /** The file at hand: not opened (gone, unreadable), or opened, with what it is to the pending version. */
  readonly current: { readonly opened: false } | { readonly opened: true; readonly fingerprint: string; readonly extendsPending: boolean };
  /** The pending version's kept copy, as opening it found it (only looked at when there is a pending version). */
  readonly keptCopy?: KeptCopy["kind"];
  readonly force: boolean;
}

export type VersionStep =
  /** Stop before sending anything: the state cannot be believed or the kept copy cannot be read now. */
  | { readonly kind: "refuse"; readonly reason: "kept-copy-unavailable" | "kept-copy-replaced" }
  /** Deliver the rest of the pending version from its kept copy. */
  | { readonly kind: "finish-pending" }
  /** The kept copy is gone and the file is another version: the pending version's rest can never be sent (said, counted). */
  | { readonly kind: "abandon-pending" }
  /** The file is the pending version with records appended: deliver it as that version's continuation, by records. */
  | { readonly kind: "resume-append" }
  /** Read, keep and deliver the file at hand (a pending version of the same bytes is resumed by records). */
  | { readonly kind: "deliver-current" }
  /** The file could not be opened: its error ends the run (after the pending version, if there was one to finish). */
  | { readonly kind: "file-unreadable" };

export function versionPlan(facts: VersionFacts): VersionStep[] {
  const { pending, current, keptCopy, force } = facts;
  const then: VersionStep = current.opened ? { kind: "deliver-current" } : { kind: "file-unreadable" };
  if (pending === undefined) return [then];
  const isPending = current.opened && current.fingerprint === pending.fingerprint;
  // --force sends the whole file again; the pending version is superseded when the file holds all of it.
  if (force && (isPending || (current.opened && current.extendsPending))) return [then];
  if (keptCopy === "unavailable") return [{ kind: "refuse", reason: "kept-copy-unavailable" }];
  if (keptCopy === "replaced") return [{ kind: "refuse", reason: "kept-copy-replaced" }];
  if (isPending) return keptCopy === "present" ? [{ kind: "finish-pending" }] : [then]; // a lost copy of this very file is kept again from it
  if (current.opened && current.extendsPending) return [{ kind: "resume-append" }];
  return [keptCopy === "present" ? { kind: "finish-pending" } : { kind: "abandon-pending" }, then];
}

export interface ResendRules {
  readonly force: boolean;
  readonly resendAfterDays: number;
}

/** What a run knows of the file at hand once it has read it (deliver-current or resume-append). */
export interface ContentFacts {
  /** The job's state, a format-1 delivery of this content already recorded in it. */
  readonly state: JobState | undefined;
  readonly file: { readonly sha256: string; readonly name: string };
  /** versionPlan's resume-append: the file is the pending version with records appended. */
  readonly appended: boolean;
  /** What a format-1 checkpoint (hr-upload 0.1) of this content says was delivered, when it was not all. */
  readonly legacyDelivered?: RecordRanges;
  readonly rules: ResendRules;
  readonly now: number;
}

export type ContentStep =
  /** Delivered in full within the resend window: nothing is sent. */
  | { readonly kind: "nothing-to-do"; readonly message: string }
  /** The pending version, appended to: it goes on as this file, by records. */
  | { readonly kind: "extend-pending"; readonly delivered: RecordRanges; readonly message: string }
  /** The pending version's very bytes, whose kept copy was lost: kept again from the file, resumed by records. */
  | { readonly kind: "keep-again"; readonly delivered: RecordRanges; readonly message: string }
  /** A new version (or --force): delivered from `delivered` on (empty but for a format-1 checkpoint's progress). */
  | { readonly kind: "start-version"; readonly delivered: RecordRanges; readonly message?: string };

/**
 * One version per delivery, content-addressed: the same bytes under any name are one version. A version being
 * delivered is resumed by records; one delivered in full is not sent again within `resendAfterDays` unless forced.
 */
export function contentPlan(facts: ContentFacts): ContentStep {
  const { state, file, rules, now } = facts;
  const pending = state?.pending;
  if (facts.appended && pending !== undefined) {
    return {
      kind: "extend-pending",
      delivered: RecordRanges.of(pending.delivered),
      message: `resuming ${pending.file}: it was appended to since ${pending.recordsDelivered} of its ${plural(pending.recordsTotal, "record")} were delivered; the rest and the appended records follow, nothing is sent twice`,
    };
  }
  if (pending?.sha256 === file.sha256 && !rules.force) {
    return {
      kind: "keep-again",
      delivered: RecordRanges.of(pending.delivered),
      message: `resuming: ${pending.recordsDelivered} of ${pending.recordsTotal} records of this version were delivered by ${pending.runs === 1 ? "an earlier run" : `${pending.runs} earlier runs`}`,
    };
  }
  const delivery = state?.deliveries.find((earlier) => earlier.sha256 === file.sha256);
  if (rules.force) {
    return { kind: "start-version", delivered: RecordRanges.EMPTY, message: delivery ? `--force: sending again content delivered in full on ${delivery.completedAt}` : undefined };
  }
  if (delivery !== undefined && (now - Date.parse(delivery.completedAt)) / DAY_MS < rules.resendAfterDays) {
    const same = delivery.file === file.name ? "" : ` (as ${delivery.file})`;
    return { kind: "nothing-to-do", message: `already delivered in full to this job on ${delivery.completedAt}${same}; nothing to do (--force sends it again)` };
  }
  if (facts.legacyDelivered !== undefined) {
    return { kind: "start-version", delivered: facts.legacyDelivered, message: `resuming the upload a format-1 checkpoint recorded: ${facts.legacyDelivered.count} records were delivered` };
  }
  if (delivery !== undefined) {
    return { kind: "start-version", delivered: RecordRanges.EMPTY, message: `sending again: the last full delivery of this content (${delivery.completedAt}) is older than ${rules.resendAfterDays} days` };
  }
  const seen = state?.files[file.name];
  return { kind: "start-version", delivered: RecordRanges.EMPTY, message: seen && seen.sha256 !== file.sha256 ? "the file changed since the last run: sending the new version" : undefined };
}
