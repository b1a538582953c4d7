import { ContainerClient, type BlockBlobClient } from "@azure/storage-blob";
import { CorruptStateError, HrError, StateWriteError, UploadError, UsageError } from "../core/errors";
import { openBlobFile } from "../source/blobSource";
import { KEPT_CONTAINER, siblingContainer, type BlobLocation } from "../storage/blobUrl";
import { isStatus, stateWriteError, storageError, storageErrorCode } from "../storage/errors";
import type { BlobAccess } from "../storage/pipeline";
import { acquireBlobLease } from "../lock/blobLease";
import { legacyCheckpointKeysOf, parseState } from "./shapes";
import {
  CHANGED_MEANWHILE,
  KEPT_PREFIX,
  keptCopyName,
  newestRunRecordNames,
  readEach,
  runRecordName,
  type JobState,
  type KeptCopy,
  type LegacyCheckpoint,
  type PinnedCopy,
  type PinWriter,
  type RunRecord,
  type StateStore,
} from "./stateStore";

/** Kept copies are staged in blocks of this size as the file streams past. */
const PIN_BLOCK_BYTES = 8 * 1024 * 1024;
/** Metadata of the empty blob a discard commits to drop staged blocks: never a kept copy, whatever a stopped or retried discard leaves. */
const DISCARDED = { hruploaddiscarded: "1" } as const;
const isDiscarded = (metadata: Record<string, string> | undefined) => metadata?.hruploaddiscarded === DISCARDED.hruploaddiscarded;

/** A container and how to reach it. */
export interface BlobContainerAccess {
  readonly location: BlobLocation;
  readonly access: BlobAccess;
}

/**
 * State in a Blob container (the job's `hr-state`): job states written only
 * over the version this run last saw (ETag), a lease per job as the run lock,
 * and one small blob per run record. Kept copies of versions being delivered
 * (HR rows) go to `keptApart` (`--kept-container`), by default to `hr-kept`
 * in the same account, which `status` never reads;
 * copies an earlier version kept under `pinned/` in the state container are
 * still read and deleted there.
 */
export function blobStateStore(state: BlobContainerAccess, keptApart?: BlobContainerAccess): StateStore {
  const { location, access } = state;
  const container = new ContainerClient(location.url, access.credential, access.pipeline);
  const keptCopies = keptApart ?? { location: siblingContainer(location, KEPT_CONTAINER), access };
  const keptLocation = keptCopies.location;
  const kept = new ContainerClient(keptLocation.url, keptCopies.access.credential, keptCopies.access.pipeline);
  const itemName = (name: string) => `${location.name}/${name}`;
  /** Where a kept copy is: `kept/<job>.csv` is `<job>.csv` in hr-kept, anything else (`pinned/`) is in the state container. */
  const keptBlob = (copy: PinnedCopy) => {
    if (!copy.name.startsWith(KEPT_PREFIX)) return { blob: container.getBlockBlobClient(copy.name), printable: itemName(copy.name), where: location.name, blobAccess: access };
    const name = copy.name.slice(KEPT_PREFIX.length);
    return { blob: kept.getBlockBlobClient(name), printable: `${keptLocation.name}/${name}`, where: keptLocation.name, blobAccess: keptCopies.access };
  };
  const etags = new Map<string, string>();
  const failedWriting = (printable: string) => (error: unknown) => {
    const failure = stateWriteError(error, printable);
    throw failure.errorClass === "auth" || failure instanceof StateWriteError ? failure : new StateWriteError(printable, failure.message);
  };
  const writeFailed = (name: string) => failedWriting(itemName(name));

  const readText = async (name: string): Promise<{ text: string; etag: string } | undefined> => {
    try {
      // One GET gives the body and the ETag of that very version.
      const response = await container.getBlockBlobClient(name).download();
      const parts: Buffer[] = [];
      for await (const part of response.readableStreamBody as AsyncIterable<Buffer>) parts.push(part);
      return { text: Buffer.concat(parts).toString("utf8"), etag: response.etag ?? "" };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw storageError(error, itemName(name));
    }
  };
  const readState = async <T>(name: string, what: Parameters<typeof parseState>[1]): Promise<{ value: T; etag: string } | undefined> => {
    const found = await readText(name);
    if (found === undefined) return undefined;
    const parsed = parseState<T>(found.text, what);
    if ("problem" in parsed) throw new CorruptStateError(itemName(name), parsed.problem);
    return { value: parsed.value, etag: found.etag };
  };
  const writeJson = (name: string, value: object, conditions: { ifMatch?: string; ifNoneMatch?: string }) => {
    const body = JSON.stringify(value, null, 2);
    return container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), { conditions, blobHTTPHeaders: { blobContentType: "application/json" } });
  };
  const names = async (prefix: string): Promise<string[]> => {
    const found: string[] = [];
    try {
      for await (const blob of container.listBlobsFlat({ prefix })) found.push(blob.name.slice(prefix.length));
    } catch (error) {
      throw storageError(error, itemName(prefix));
    }
    return found;
  };
  const deleteIfExists = (name: string) =>
    container
      .getBlockBlobClient(name)
      .deleteIfExists()
      .then(() => undefined, writeFailed(name));

  return {
    location: location.name,
    keptContainer: keptApart?.location.name,
    async loadJobState(jobKey) {
      const found = await readState<JobState>(`jobs/${jobKey}.json`, "job state");
      if (found) etags.set(jobKey, found.etag);
      return found?.value;
    },
    async saveJobState(jobKey, state) {
      const name = `jobs/${jobKey}.json`;
      const known = etags.get(jobKey);
      try {
        const { etag } = await writeJson(name, state, known ? { ifMatch: known } : { ifNoneMatch: "*" });
        etags.set(jobKey, etag ?? "");
      } catch (error) {
        if (!isStatus(error, 409, 412)) writeFailed(name)(error);
        // The SDK retries a write whose answer was lost: a conflict may be our own write landing twice.
        const current = await readText(name).catch(() => undefined);
        const parsed = current && parseState<JobState>(current.text, "job state");
        if (current && parsed && "value" in parsed && parsed.value.revision === state.revision && parsed.value.writtenBy === state.writtenBy) {
          etags.set(jobKey, current.etag);
          return;
        }
        throw new UploadError(CHANGED_MEANWHILE);
      }
    },
    async deleteJobState(jobKey) {
      await deleteIfExists(`jobs/${jobKey}.json`);
      etags.delete(jobKey);
    },
    async listJobStates() {
      const jobs = (await names("jobs/")).filter((file) => file.endsWith(".json"));
      const { items, unreadable } = await readEach(jobs, async (name) => (await readState<JobState>(`jobs/${name}`, "job state"))?.value);
      return { states: items, unreadable };
    },
    acquireLock: (jobKey, options) => acquireBlobLease(container.getBlockBlobClient(`locks/${jobKey}`), itemName(`locks/${jobKey}`), options),
    async createPin(jobKey) {
      const copy = { name: keptCopyName(jobKey) };
      const { blob, printable } = keptBlob(copy);
      return blobPin(blob, copy.name, failedWriting(printable));
    },
    async openPinned(copy) {
      const { blob, printable, blobAccess } = keptBlob(copy);
      try {
        return { kind: "present", source: await openBlobFile({ url: blob.url, name: printable, hasSas: false }, blobAccess, copy.etag) };
      } catch (error) {
        const cause = (error as Error).cause;
        // A sign-in that failed is the run's own failure (exit 4); Storage refusing this blob (401/403) is a copy that cannot be read now.
        if (error instanceof HrError && error.errorClass === "auth" && !isStatus(cause, 401, 403)) throw error;
        // The copy's container missing is a setting to fix (a mistyped --kept-container), not a copy gone: nothing is abandoned for it.
        if (isStatus(cause, 404) && storageErrorCode(cause) !== "ContainerNotFound") return { kind: "gone" };
        // Not the ETag kept: written over (which no run does), or gone, which Storage may answer the same way (Azurite does).
        // What a discard left under the name (an empty blob, marked) holds no copy either: gone.
        if (isStatus(cause, 412))
          return blob.getProperties().then(
            ({ metadata }): KeptCopy => ({ kind: isDiscarded(metadata) ? "gone" : "replaced" }),
            (failure: unknown): KeptCopy => (isStatus(failure, 404) ? { kind: "gone" } : { kind: "unavailable", reason: storageError(failure, printable).message }),
          );
        return { kind: "unavailable", reason: error instanceof HrError ? error.message : (error as Error).name };
      }
    },
    keptIn: (copy) => keptBlob(copy).where,
    async deletePinned(copy) {
      const { blob, printable, where } = keptBlob(copy);
      await blob.deleteIfExists().catch((error: unknown) => {
        // No such container: a copy kept elsewhere (a mistyped or missing --kept-container), which this cannot delete.
        if (storageErrorCode(error) === "ContainerNotFound") {
          throw new UsageError(`the container of kept copies ${where} does not exist, so the kept copy ${printable} was not deleted; give the run's --kept-container`);
        }
        failedWriting(printable)(error);
      });
    },
    // By listing, which status needs anyway: a SAS or a reader identity may list without reading the container's properties.
    exists: () =>
      container
        .listBlobsFlat()
        .byPage({ maxPageSize: 1 })
        .next()
        .then(
          () => true,
          (error: unknown) => {
            if (isStatus(error, 404)) return false;
            throw storageError(error, location.name);
          },
        ),
    async saveRunRecord(record) {
      const name = `runs/${runRecordName(record)}`;
      await writeJson(name, record, { ifNoneMatch: "*" }).catch(writeFailed(name));
    },
    async listRunRecords(limit) {
      const newest = newestRunRecordNames(await names("runs/"), limit);
      const { items, unreadable } = await readEach(newest, async (name) => (await readState<RunRecord>(`runs/${name}`, "run record"))?.value);
      return { records: items, unreadable };
    },
    // hr-state's lifecycle rule deletes old run records: a run never lists the whole history.
    pruneRunRecords: async () => 0,
    loadLegacyCheckpoint: async (key) => (await readState<LegacyCheckpoint>(`checkpoints/${key}.json`, "legacy checkpoint"))?.value,
    deleteLegacyCheckpoint: (key) => deleteIfExists(`checkpoints/${key}.json`),
    legacyCheckpointsOf: async (jobId) => legacyCheckpointKeysOf(await names("checkpoints/"), async (name) => (await readText(`checkpoints/${name}`))?.text, jobId),
  };
}

/**
 * A kept copy staged as uncommitted blocks while the file streams past;
 * committed only if the version is to be delivered. Staged blocks hold HR
 * rows, so a copy not kept drops them at once: committing an empty block list
 * discards every uncommitted block of the name, and the empty blob it leaves
 * (marked DISCARDED) is deleted. That commit is made only where no blob is
 * committed under the name (If-None-Match: *), so a kept copy is never written
 * over; its name's staged blocks then go with the next commit or deletion
 * there. A marked blob found there is this discard's own (a retried commit
 * that had landed) or an earlier one's, stopped before its delete.
 */
function blobPin(blob: BlockBlobClient, name: string, writeFailed: (error: unknown) => never): PinWriter {
  const blockIds: string[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Drops what is not staged yet; staged blocks stay under the name (discard drops them). */
  const release = async () => {
    pending = [];
    pendingBytes = 0;
  };
  const stageBlock = async () => {
    if (pendingBytes === 0) return;
    const block = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const id = Buffer.from(String(blockIds.length).padStart(8, "0")).toString("base64");
    blockIds.push(id);
    await blob.stageBlock(id, block, block.length).catch(writeFailed);
  };
  return {
    async write(bytes) {
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= PIN_BLOCK_BYTES) await stageBlock();
    },
    async keep() {
      await stageBlock();
      const { etag } = await blob.commitBlockList(blockIds, { blobHTTPHeaders: { blobContentType: "text/csv" } }).catch(writeFailed);
      return { name, etag };
    },
    release,
    async discard() {
      await release();
      if (blockIds.length === 0) return;
      const emptyOver = (conditions: { ifNoneMatch: string } | { ifMatch: string }) => blob.commitBlockList([], { conditions, metadata: DISCARDED }).then(({ etag }) => etag as string);
      const emptied = await emptyOver({ ifNoneMatch: "*" }).catch(async (error: unknown) => {
        if (!isStatus(error, 409, 412)) throw error;
        const there = await blob.getProperties();
        // A discard's own leftover is emptied again, which drops this run's blocks whether or not a delete would (Azurite's does); else a kept copy holds the name.
        return isDiscarded(there.metadata) ? emptyOver({ ifMatch: there.etag as string }) : undefined;
      });
      if (emptied !== undefined) await blob.delete({ conditions: { ifMatch: emptied } });
    },
  };
}
