import { StoppedError } from "../core/stop";
import { LOCK_WAIT_RETRY, withRetries, type Verdict } from "../net/retry";
import type { LockOptions, RunLock } from "./runLock";

/** One look at a held lock: taken (the lock), stood down from (undefined), or to look at again after `retryAfterMs`. */
export type LockLook = Verdict<RunLock | undefined>;

export const lookAgain = (reason: string, retryAfterMs: number): LockLook => ({ kind: "retry", reason, retryAfterMs });

/**
 * Looks at a lock until it is taken or stood down from, through the run's one retry loop (LOCK_WAIT_RETRY): a stop
 * ends the wait (no further look, the sleep cut short) as standing down, which the run then reports as stopped.
 */
export async function waitForLock(look: () => Promise<LockLook>, options: LockOptions): Promise<RunLock | undefined> {
  try {
    return await withRetries(look, { policy: LOCK_WAIT_RETRY, clock: options.clock, stop: options.stop, exhausted: (_tries, reason) => new Error(`stopped waiting for the lock (${reason})`) });
  } catch (error) {
    if (error instanceof StoppedError) return undefined;
    throw error;
  }
}
