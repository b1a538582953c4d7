import { ContainerClient, type AnonymousCredential } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import { UploadError } from "../errors";
import type { BlobLocation } from "../storage/blobUrl";
import { isStatus, storageError } from "../storage/errors";
import { STORAGE_PIPELINE } from "../storage/pipeline";
import { type Checkpoint, type RunLock, type RunRecord, type StateStore, runRecordName } from "./stateStore";

/** A killed run's lock frees itself this long after its last renewal. */
export const LOCK_LEASE_SECONDS = 30;
const LOCK_RENEW_MS = 10_000;
const LOCK_RENEW_TIMEOUT_MS = 5_000;
/** Past this since the last renewal, the lease may lapse before the next one: stop sending. */
const LOCK_TRUSTED_MS = (LOCK_LEASE_SECONDS - 10) * 1000;

/**
 * State in a Blob container (the job's `hr-state`): checkpoints written only
 * over the version this run last saw (ETag), a blob lease as the run lock,
 * and one small blob per run record.
 */
export function blobStateStore(location: BlobLocation, credential: TokenCredential | AnonymousCredential): StateStore {
  const container = new ContainerClient(location.url, credential, STORAGE_PIPELINE);
  const etags = new Map<string, string>();
  const fail = (what: string) => (error: unknown) => {
    throw storageError(error, `${location.name}/${what}`);
  };
  const readJson = async <T>(name: string): Promise<{ value: T; etag: string } | undefined> => {
    try {
      // One GET gives the body and the ETag of that very version.
      const response = await container.getBlockBlobClient(name).download();
      const parts: Buffer[] = [];
      for await (const part of response.readableStreamBody as AsyncIterable<Buffer>) parts.push(part);
      return { value: JSON.parse(Buffer.concat(parts).toString("utf8")) as T, etag: response.etag ?? "" };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw storageError(error, `${location.name}/${name}`);
    }
  };
  const writeJson = (name: string, value: object, conditions: { ifMatch?: string; ifNoneMatch?: string }) => {
    const body = JSON.stringify(value, null, 2);
    return container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
      conditions,
      blobHTTPHeaders: { blobContentType: "application/json" },
    });
  };

  return {
    location: location.name,
    async loadCheckpoint(key) {
      const found = await readJson<Checkpoint>(`checkpoints/${key}.json`);
      if (found) etags.set(key, found.etag);
      return found?.value;
    },
    async saveCheckpoint(key, checkpoint) {
      const known = etags.get(key);
      try {
        const { etag } = await writeJson(`checkpoints/${key}.json`, checkpoint, known ? { ifMatch: known } : { ifNoneMatch: "*" });
        etags.set(key, etag ?? "");
      } catch (error) {
        if (isStatus(error, 409, 412)) {
          throw new UploadError("another run changed this file's checkpoint meanwhile; stopped so that nothing is sent twice (rerun to resume from its state)");
        }
        throw storageError(error, `${location.name}/checkpoints`);
      }
    },
    async saveRunRecord(record) {
      await writeJson(`runs/${runRecordName(record)}`, record, { ifNoneMatch: "*" }).catch(fail("runs"));
    },
    async listRunRecords() {
      const names: string[] = [];
      try {
        for await (const blob of container.listBlobsFlat({ prefix: "runs/" })) names.push(blob.name);
      } catch (error) {
        fail("runs")(error);
      }
      const records = await Promise.all(names.map(async (name) => (await readJson<RunRecord>(name))?.value));
      return records.filter((record): record is RunRecord => record !== undefined).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
    acquireLock: (key) => acquireLease(container, `locks/${key}`, location.name),
  };
}

async function acquireLease(container: ContainerClient, name: string, locationName: string): Promise<RunLock | undefined> {
  const blob = container.getBlockBlobClient(name);
  await blob.upload("", 0, { conditions: { ifNoneMatch: "*" } }).catch((error: unknown) => {
    if (!isStatus(error, 409, 412)) throw storageError(error, `${locationName}/locks`);
  });
  const lease = blob.getBlobLeaseClient();
  try {
    await lease.acquireLease(LOCK_LEASE_SECONDS);
  } catch (error) {
    if (isStatus(error, 409)) return undefined;
    throw storageError(error, `${locationName}/locks`);
  }
  // Held only while renewals keep succeeding: a stalled renewal must not let the lease lapse unnoticed.
  let renewedAt = Date.now();
  const renewal = setInterval(() => {
    const sent = Date.now(); // the lease runs from when the service renewed it, at the latest from now
    lease
      .renewLease({ abortSignal: AbortSignal.timeout(LOCK_RENEW_TIMEOUT_MS) })
      .then(() => (renewedAt = sent))
      .catch(() => undefined);
  }, LOCK_RENEW_MS);
  renewal.unref();
  return {
    assertHeld() {
      if (Date.now() - renewedAt > LOCK_TRUSTED_MS) {
        throw new UploadError("lost the run lock (it could not be renewed); stopped so that no other run's work is doubled");
      }
    },
    async release() {
      clearInterval(renewal);
      await lease.releaseLease().catch(() => undefined); // an unreleased lease expires by itself
    },
  };
}
