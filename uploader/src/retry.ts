import type { Clock } from "./clock";
import { StoppedError, stopReasonOf, throwIfStopped } from "./stop";

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
  | { readonly kind: "retry"; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly kind: "fail"; readonly error: Error };

export interface RetryLoop {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  /** Once aborted, no further attempt and no backoff sleep starts (StoppedError). */
  readonly stop: AbortSignal;
  readonly random?: () => number;
  /** Told before each wait, for the log and the run's retry count. */
  readonly onRetry?: (reason: string, waitMs: number) => void;
  /** The error to throw when the retries are spent. */
  readonly exhausted: (attempts: number, lastReason: string) => Error;
}

export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<Verdict<T>>, loop: RetryLoop): Promise<T> {
  for (let attemptNumber = 0; ; attemptNumber++) {
    throwIfStopped(loop.stop);
    const verdict = await attempt(attemptNumber);
    if (verdict.kind === "done") return verdict.value;
    if (verdict.kind === "fail") throw verdict.error;
    if (attemptNumber >= loop.policy.maxRetries) throw loop.exhausted(attemptNumber + 1, verdict.reason);
    const waitMs = backoffDelayMs(attemptNumber, loop.policy, verdict.retryAfterMs, loop.random);
    loop.onRetry?.(verdict.reason, waitMs);
    await loop.clock.sleep(waitMs, loop.stop).catch(() => {
      throw new StoppedError(stopReasonOf(loop.stop));
    });
  }
}
