import type { BlockBlobClient } from "@azure/storage-blob";
import { isoOf, type Clock } from "../core/clock";
import { NEVER_CANCELLED, withRequestSignal } from "../core/stop";
import { isStatus, stateWriteError } from "../storage/errors";
import { keepHeld, type LockHolding } from "./heartbeat";
import { lookAgain, waitForLock } from "./lockWait";
import { MAX_LEASE_SECONDS, MIN_LEASE_SECONDS, type LockOptions, type RunLock } from "./runLock";

const RENEW_TIMEOUT_MS = 5_000;

/**
 * The run lock across replicas: a lease on `locks/<job>`, timed by the storage
 * service's clock. The holder renews it and writes a heartbeat (a metadata
 * update) every sixth of the lease; a waiter that sees the heartbeat knows the
 * holder is alive and stands down, while a killed holder's lease simply lapses
 * and is taken. The holder trusts its lease only while renewals succeed, so it
 * stops sending before the lease could lapse under it.
 */
export async function acquireBlobLease(blob: BlockBlobClient, itemName: string, options: LockOptions): Promise<RunLock | undefined> {
  const { clock } = options;
  const leaseSeconds = Math.min(MAX_LEASE_SECONDS, Math.max(MIN_LEASE_SECONDS, Math.round(options.leaseMs / 1000)));
  const leaseMs = leaseSeconds * 1000;
  const heartbeatMs = Math.floor(leaseMs / 6);
  const fail = (error: unknown) => stateWriteError(error, itemName);
  await blob.upload("", 0, { conditions: { ifNoneMatch: "*" } }).catch((error: unknown) => {
    if (!isStatus(error, 409, 412)) throw fail(error);
  });
  const lease = blob.getBlobLeaseClient();
  let watched: { etag: string | undefined; since: number } | undefined;
  return waitForLock(async () => {
    try {
      const acquiredAt = clock.now();
      await lease.acquireLease(leaseSeconds);
      return { kind: "done", value: await holdLease(blob, lease, acquiredAt, leaseMs, heartbeatMs, options) };
    } catch (error) {
      if (!isStatus(error, 409)) throw fail(error);
    }
    const { etag, metadata } = await blob.getProperties().catch((error: unknown) => {
      throw fail(error);
    });
    // The holder's lease may be longer than ours: wait out the longer of the two.
    const holderLeaseMs = Math.max(leaseMs, Number(metadata?.leaseseconds ?? 0) * 1000);
    if (watched === undefined) {
      options.onWait?.(`the lease on ${itemName}`);
      watched = { etag, since: clock.now() };
    }
    else if (etag !== watched.etag) return { kind: "done", value: undefined }; // a heartbeat: the holder is alive
    // A dead holder's lease lapses within one lease period; one that outlasts it is held by a live run (one that writes no heartbeat).
    else if (clock.now() - watched.since > holderLeaseMs + heartbeatMs) return { kind: "done", value: undefined };
    return lookAgain("held", Math.min(heartbeatMs, 1000));
  }, options);
}

/** Holds the lease acquired at `acquiredAt`; resolves once its first heartbeat is written, so a waiter sees a live holder from the start. */
async function holdLease(
  blob: BlockBlobClient,
  lease: ReturnType<BlockBlobClient["getBlobLeaseClient"]>,
  acquiredAt: number,
  leaseMs: number,
  heartbeatMs: number,
  options: LockOptions,
): Promise<RunLock> {
  const { clock } = options;
  // The lease runs from when the service renewed it, at the latest from when we asked.
  let renewedAt = acquiredAt;
  // Past this since the last renewal, the lease may lapse before the next one: stop sending.
  const trustedForMs = leaseMs - 2 * heartbeatMs;
  const bounded = renewalBound(clock);
  const holding: LockHolding = {
    async beat(lost) {
      const askedAt = clock.now();
      try {
        await bounded((abortSignal) => lease.renewLease({ abortSignal }));
        renewedAt = askedAt;
        await bounded((abortSignal) => blob.setMetadata({ heartbeat: isoOf(askedAt), leaseseconds: String(leaseMs / 1000) }, { conditions: { leaseId: lease.leaseId }, abortSignal }));
      } catch (error) {
        // 409/412: the lease is gone (broken, or taken after lapsing); anything else may pass.
        if (isStatus(error, 409, 412)) lost("its lease was broken or taken by another run");
      }
    },
    check(lost) {
      if (clock.now() - renewedAt > trustedForMs) lost("its lease could not be renewed in time");
    },
    giveBack: () => bounded((abortSignal) => lease.releaseLease({ abortSignal })).then(() => undefined, () => undefined), // an unreleased lease lapses by itself
  };
  return keepHeld(clock, heartbeatMs, holding, options.onLost, true);
}

/** A lease call that takes longer than RENEW_TIMEOUT_MS (timed on the run's clock) is abandoned: the next beat tries again. */
function renewalBound(clock: Clock): <T>(call: (signal: AbortSignal) => Promise<T>) => Promise<T> {
  return (call) => withRequestSignal(NEVER_CANCELLED.halt, RENEW_TIMEOUT_MS, clock, ({ signal }) => call(signal));
}
