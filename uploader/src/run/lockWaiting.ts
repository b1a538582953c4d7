import { EXIT_CODES } from "../core/errors";
import { throwIfStopped } from "../core/stop";
import type { LockOptions, RunLock } from "../lock/runLock";
import type { Logger } from "../observe/log";
import { RUN_OUTCOME } from "../observe/logEvents";
import type { RunResult } from "./runReport";
import type { UploadConfig } from "./uploadConfig";

/** What a run or reset says, once, when it starts waiting for a job's lock that a holder it cannot judge may hold. */
export function sayWaitingForLock(logger: Logger, leaseMs: number): (holder: string) => void {
  return (holder) => logger.info("waiting-for-lock", `another run may hold this job (${holder}); waiting up to ${Math.round(leaseMs / 1000)} s for its heartbeat or for its lock to lapse`, { holder });
}

/**
 * Takes the job's locks into `held` (released by the caller, whatever happens): the machine's first, since a run of this
 * job with another state folder on this machine is as much a second run, then the state store's. When a live run holds
 * one, the result of standing down; when the run is stopped while waiting, StoppedError.
 */
export async function takeJobLocks(config: Pick<UploadConfig, "machineLocks" | "state">, jobKey: string, options: LockOptions, held: RunLock[]): Promise<RunResult | undefined> {
  const take = async (acquire: () => Promise<RunLock | undefined>, where: string, location: string): Promise<RunResult | undefined> => {
    const lock = await acquire();
    if (lock !== undefined) {
      held.push(lock);
      return undefined;
    }
    throwIfStopped(options.stop);
    return { outcome: RUN_OUTCOME.locked, exitCode: EXIT_CODES.ok, message: `another run is working ${where} (its lock in ${location} is held and renewed); standing down` };
  };
  const { machineLocks, state } = config;
  return (
    (machineLocks && (await take(() => machineLocks.acquire(jobKey, options), "on this machine", machineLocks.location))) ??
    (await take(() => state.acquireLock(jobKey, options), "for this connector job", state.location))
  );
}
