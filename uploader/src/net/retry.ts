import type { Clock } from "../core/clock";
import { StoppedError, stopReasonOf, throwIfStopped } from "../core/stop";

/**
 * The run's one retry policy: exponential backoff with full jitter,
 * `Retry-After` honoured (seconds or HTTP date) and capped. Sign-in and
 * upload go through the same loop, `withRetries`; only their judgement of an
 * attempt's outcome differs.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Base of the exponential backoff. */
  readonly baseDelayMs: number;
  /** Cap on any single wait, Retry-After included. */
  readonly maxDelayMs: number;
}

export const DEFAULT_MAX_DELAY_MS = 5 * 60 * 1000;

/** Storage blips are short: four tries at most, waits of at most 0.5, 1 and 2 s (with jitter). */
export const STORAGE_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 4_000 };

/**
 * Waiting for a job's lock: no count ends the wait (the lock's own judgement does: the holder's heartbeat seen, its
 * lease lapsed, the run stopped); each look comes after the wait its verdict names, at most a second.
 */
export const LOCK_WAIT_RETRY: RetryPolicy = { maxRetries: Number.POSITIVE_INFINITY, baseDelayMs: 1_000, maxDelayMs: 1_000 };

/** A job state write that failed (a disk freeing up, a storage blip): three more tries, waits of at most 0.25, 0.5 and 1 s (with jitter). */
export const STATE_WRITE_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 1_000 };

/** Statuses the ingestion service and Entra may recover from; every other non-2xx is final. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** Milliseconds to wait after failed attempt number `attempt` (0-based). */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What one attempt's outcome means: done, worth another try (after `retryAfterMs` if the server said), or final. */
export type Verdict<T> =
  | { readonly kind: "done"; readonly value: T }
  | { readonly kind: "retry"; readonly reason: string; readonly retryAfterMs?: number; readonly within?: RetryWindow }
  | { readonly kind: "fail"; readonly error: Error };

/**
 * A failure worth retrying for a short while only (a proxy that refuses may be
 * restarting; one that keeps refusing is misconfigured): no attempt starts
 * later than `ms` after the loop's first, and then `giveUp` is thrown.
 */
export interface RetryWindow {
  readonly ms: number;
  readonly giveUp: (attempts: number, elapsedMs: number) => Error;
}

/**
 * A bound on a whole loop, timed on its clock from its first attempt: no wait
 * starts after which one more attempt, taking up to `attemptMs` (its request
 * timeout), could end later than `totalMs`.
 */
export interface RetryBudget {
  readonly totalMs: number;
  readonly attemptMs: number;
}

export interface RetryLoop {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  /** Once aborted, no further attempt and no backoff sleep starts (StoppedError). */
  readonly stop: AbortSignal;
  /** The first attempt runs even when `stop` is already aborted: for work that records what has already happened (a checkpoint), never for a request. */
  readonly firstAttemptDespiteStop?: boolean;
  readonly random?: () => number;
  /** Told before each wait, for the log and the run's retry count. */
  readonly onRetry?: (reason: string, waitMs: number) => void;
  /** The error to throw when the retries (or the budget) are spent. */
  readonly exhausted: (attempts: number, lastReason: string, elapsedMs: number) => Error;
  readonly budget?: RetryBudget;
}

export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<Verdict<T>>, loop: RetryLoop): Promise<T> {
  const started = loop.clock.now();
  for (let attemptNumber = 0; ; attemptNumber++) {
    if (attemptNumber > 0 || loop.firstAttemptDespiteStop !== true) throwIfStopped(loop.stop);
    const verdict = await attempt(attemptNumber);
    if (verdict.kind === "done") return verdict.value;
    if (verdict.kind === "fail") throw verdict.error;
    const attempts = attemptNumber + 1;
    const elapsedMs = loop.clock.now() - started;
    if (attemptNumber >= loop.policy.maxRetries) throw loop.exhausted(attempts, verdict.reason, elapsedMs);
    const waitMs = backoffDelayMs(attemptNumber, loop.policy, verdict.retryAfterMs, loop.random);
    if (verdict.within !== undefined && elapsedMs + waitMs > verdict.within.ms) throw verdict.within.giveUp(attempts, elapsedMs);
    if (loop.budget !== undefined && elapsedMs + waitMs + loop.budget.attemptMs > loop.budget.totalMs) throw loop.exhausted(attempts, verdict.reason, elapsedMs);
    loop.onRetry?.(verdict.reason, waitMs);
    if (waitMs === 0) continue; // at once (a lock just taken over): no sleep, which a clock may only end when time moves
    await loop.clock.sleep(waitMs, loop.stop).catch(() => {
      throw new StoppedError(stopReasonOf(loop.stop));
    });
  }
}
