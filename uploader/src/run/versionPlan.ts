import type { KeptCopy } from "../state/stateStore";

/**
 * What a run does with the versions before it: a pure function of what it
 * knows when it starts, so that every case (a version left unfinished, its
 * kept copy present, gone or unreadable, the file appended to, replaced,
 * deleted, `--force`) is one row of a table.
 */
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
