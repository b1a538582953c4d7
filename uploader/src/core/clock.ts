/**
 * Time, injected: the CLI edge passes the system clock (cli/systemClock.ts)
 * down, tests pass their own. Nothing below the edge reads the wall clock or
 * sets a timer directly.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (at once if it already has). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Whole days in milliseconds, for day-counted settings and ages (UTC days: no daylight saving). */
export const DAY_MS = 86_400_000;

/** A time as a timestamp (ISO 8601, UTC). Formats the time it is given: reads no clock. */
export const isoOf = (ms: number): string => new Date(ms).toISOString();

export const isoAt = (clock: Clock): string => isoOf(clock.now());
