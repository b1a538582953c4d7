/**
 * The lock port: what a store's run lock promises (one run per job) and what
 * it is told. The local lock file and the Blob lease implement it.
 */
import type { Clock } from "../core/clock";
import { UploadError } from "../core/errors";

/** Held while a run works for one connector job: a second run for the same job stands down. */
/** Blob leases last 15 to 60 seconds (or forever, which a killed run must never leave behind); the CLI checks --lock-lease against them. */
export const MIN_LEASE_SECONDS = 15;
export const MAX_LEASE_SECONDS = 60;

export interface RunLock {
  /** Throws (exit 5) when the lock was lost: checked before every request attempt. */
  assertHeld(): void;
  release(): Promise<void>;
}

export interface LockOptions {
  readonly clock: Clock;
  /** A killed holder's lock lapses this long after its last heartbeat (Blob lease duration). */
  readonly leaseMs: number;
  /** Waiting for a dead holder's lock ends early when the run is stopped. */
  readonly stop: AbortSignal;
  /** Told once when the lock is lost while held (renewals failing, taken over). */
  readonly onLost: (detail: string) => void;
  /** Told once, when the run starts waiting to judge a holder it cannot see (its heartbeat, or its lease lapsing): who holds it. */
  readonly onWait?: (holder: string) => void;
}

/** Why a run stopped when its lock was lost (exit 5), said the same whichever lock and whoever notices. */
export function lostLockError(detail: string): UploadError {
  return new UploadError(`lost the run lock (${detail}); stopped so that no other run's work is doubled`);
}

/** Throws (exit 5) once any of a run's locks is lost: checked before the run writes under its job's names (a request, the kept copy). */
export function assertAllHeld(locks: readonly RunLock[]): void {
  for (const lock of locks) lock.assertHeld();
}

/** Whether every lock of a run is still held. */
export function allHeld(locks: readonly RunLock[]): boolean {
  try {
    assertAllHeld(locks);
    return true;
  } catch {
    return false;
  }
}
