import { CorruptStateError, InvalidCsvError } from "../core/errors";
import { plural } from "../core/text";
import { validRecords } from "../csv/chunking";
import { keptCopyCorrupt } from "../keep/keptCopy";
import type { Logger } from "../observe/log";
import { LOG_EVENT } from "../observe/logEvents";
import type { CheckpointWriter } from "../state/checkpointWriter";
import { takeOverVersion } from "../state/jobState";
import type { PendingVersion } from "../state/stateStore";
import type { Inspection } from "../validation/inspect";
import { reportInvalidRecords } from "../validation/report";
import type { Tally } from "./runReport";

/*
 * A version an earlier run left unfinished, taken over by this run: its kept copy checked before anything of it is
 * sent, and the chunks its run left in flight sent again and named.
 */

/** What the messages about a pending version need: how to clear the job, and where they go. */
interface PendingContext {
  readonly resetCommand: string;
  readonly logger: Logger;
}

/** The kept copy read back is the version's bytes and, with these settings, sendable: else the run stops and says how to clear it. */
export function admitKeptCopy(
  pending: PendingVersion,
  inspection: Inspection,
  isCurrent: boolean,
  context: PendingContext & { readonly keptIn: string; readonly skipInvalid: boolean; readonly byScenario: boolean },
): void {
  const { logger, resetCommand, keptIn } = context;
  if (inspection.sha256 !== pending.sha256) throw keptCopyCorrupt(pending, keptIn, `its SHA-256 is ${inspection.sha256.slice(0, 12)}..., not the version's`, resetCommand);
  if (inspection.invalid > 0 && !context.skipInvalid) {
    reportInvalidRecords(logger, inspection, context.byScenario);
    throw new InvalidCsvError(`the unfinished version of ${pending.file} kept from an earlier run has ${plural(inspection.invalid, "invalid record")} with these settings; rerun with the settings it was sent with (or --skip-invalid), or clear it with ${resetCommand}`);
  }
  if (inspection.invalid > 0) {
    logger.warn("skipping-invalid", `--skip-invalid: ${plural(inspection.invalid, "invalid record")} of the unfinished version of ${pending.file} will not be sent`, { invalid: inspection.invalid, file: pending.file });
  }
  const progress = `${pending.recordsDelivered} of ${plural(pending.recordsTotal, "record")} were delivered by earlier runs`;
  logger.info(
    "resume",
    isCurrent ? `resuming ${pending.file}: ${progress}` : `finishing ${pending.file} (sha256 ${pending.sha256.slice(0, 12)}...) first, from the copy kept in ${keptIn}: ${progress}; the file has changed since`,
    { file: pending.file, fileSha256: pending.sha256, recordsDelivered: pending.recordsDelivered, recordsTotal: pending.recordsTotal },
  );
}

/** Takes the pending version over: records its run left in flight are sent again, and named. */
export async function adoptPending(writer: CheckpointWriter, inspection: Inspection, context: PendingContext & { readonly stateOf: string; readonly tally: Tally }): Promise<void> {
  const pending = writer.current.pending as PendingVersion;
  const ordinals = (inspection.index as NonNullable<Inspection["index"]>).count;
  if ([...pending.delivered, ...pending.inFlight.flatMap((mark) => mark.records)].some(([, end]) => end > ordinals)) {
    throw new CorruptStateError(context.stateOf, `its checkpoint names records past the ${plural(ordinals, "record")} of ${pending.file}; clear it with ${context.resetCommand}`);
  }
  if (pending.inFlight.length > 0) {
    const records = pending.inFlight.reduce((sum, chunk) => sum + chunk.recordCount, 0);
    const lines = pending.inFlight.map((chunk) => chunk.firstLine).sort((a, b) => a - b);
    context.tally.possiblyDuplicated += records;
    context.logger.warn(
      LOG_EVENT.possiblyDuplicated,
      `${plural(pending.inFlight.length, "chunk")} (${plural(records, "record")}, starting at line ${lines.join(", ")}) ${pending.inFlight.length === 1 ? "was" : "were"} being sent when an earlier run stopped: sending ${pending.inFlight.length === 1 ? "it" : "them"} again, so the service may hold ${pending.inFlight.length === 1 ? "it" : "them"} twice`,
      { file: pending.file, chunks: pending.inFlight.length, records, firstLines: lines },
    );
  }
  await writer.commit((state) => takeOverVersion(state, validRecords(inspection.index as NonNullable<Inspection["index"]>).count, pending.fingerprint));
}
