import type { Logger } from "../observe/log";

/** What a run or reset says, once, when it starts waiting for a job's lock that a holder it cannot judge may hold. */
export function sayWaitingForLock(logger: Logger, leaseMs: number): (holder: string) => void {
  return (holder) => logger.info("waiting-for-lock", `another run may hold this job (${holder}); waiting up to ${Math.round(leaseMs / 1000)} s for its heartbeat or for its lock to lapse`, { holder });
}
