import { CorruptStateError, UploadError } from "../core/errors";
import type { Logger } from "../observe/log";
import { LOG_EVENT } from "../observe/logEvents";
import type { ByteSource } from "../source/byteSource";
import type { PendingVersion, PinnedCopy, StateStore } from "../state/stateStore";
import { plural } from "../core/text";
import type { CheckpointWriter } from "../state/checkpointWriter";
import { abandonVersion } from "../state/jobState";

/**
 * The copy of a version kept so that its delivery can be finished whatever
 * happens to the file: what each state of it means for the run. Only a copy
 * that is surely gone lets the version go; one that cannot be read now stops
 * the run; one that is not the version is corrupt state.
 */

/** The copy is there (or may be) but cannot be read now: the run stops, leaving it and the version as they are. */
export function keptCopyUnavailable(pending: PendingVersion, location: string, reason: string): UploadError {
  return new UploadError(`the copy of ${pending.file} kept in ${location} (${pending.pinned.name}) cannot be read now (${reason}); nothing was abandoned or overwritten: rerun once it can be read`);
}

/** A kept copy that is not the bytes it was kept as: corrupt state, never a reason to give the version up. */
export function keptCopyCorrupt(pending: PendingVersion, location: string, problem: string, resetCommand: string): CorruptStateError {
  return new CorruptStateError(
    `${location}: ${pending.pinned.name}`,
    `the copy of ${pending.file} kept for the version under way (sha256 ${pending.sha256.slice(0, 12)}...) is not that version: ${problem}; clear it with ${resetCommand}`,
  );
}

/** The kept copy is gone and the file is another version: the rest of the pending version can never be sent, and that is said. */
export async function abandonPending(pending: PendingVersion, writer: CheckpointWriter, logger: Logger, location: string): Promise<void> {
  const inFlight = pending.inFlight.reduce((sum, chunk) => sum + chunk.recordCount, 0);
  const neverDelivered = pending.recordsTotal - pending.recordsDelivered - inFlight;
  logger.warn(
    LOG_EVENT.abandoned,
    `${plural(neverDelivered, "record")} of ${pending.file} (sha256 ${pending.sha256.slice(0, 12)}...) were never delivered, and ${plural(inFlight, "record")} may not have been: the copy kept in ${location} is gone and the file has changed since`,
    { file: pending.file, fileSha256: pending.sha256, recordsNeverDelivered: neverDelivered, recordsInFlight: inFlight },
  );
  await writer.commit(abandonVersion);
}

/** The copy just kept, opened to send from: the chunks are read from it, never from a file that may change. */
export async function readBack(state: StateStore, pinned: PinnedCopy, file: string): Promise<ByteSource> {
  const reopened = await state.openPinned(pinned);
  if (reopened.kind !== "present") throw new UploadError(`the copy of ${file} just kept in ${state.keptIn(pinned)} cannot be read back (${reopened.kind === "unavailable" ? reopened.reason : reopened.kind})`);
  return reopened.source;
}
