import { StateWriteError, UsageError } from "../core/errors";
import type { Platform } from "../core/platform";
import { acquireLocalLock } from "./localLock";
import type { LockOptions, RunLock } from "./runLock";

/**
 * One run per connector job on a machine, whatever state folder each run is
 * given: the state store's lock only keeps apart the runs that share a state
 * folder, so a manual run with another --checkpoint-dir beside the scheduled
 * one would send everything twice. This lock lives in one folder of the
 * machine, keyed by the job alone, and is judged like a state folder's lock
 * (a live holder is never taken over, a dead one at once).
 */
export interface MachineLocks {
  readonly location: string;
  acquire(jobKey: string, options: LockOptions): Promise<RunLock | undefined>;
}

/**
 * One folder for every account of the machine: %ProgramData%\hr-upload\locks on Windows; /tmp on macOS, whose
 * TMPDIR is per user (/var/folders/…); elsewhere hr-upload-locks in the OS's temporary folder (TMPDIR, normally /tmp).
 */
export function defaultMachineLockDir(env: NodeJS.ProcessEnv, platform: Pick<Platform, "os" | "tmpdir" | "path">): string {
  if (platform.os === "win32") return platform.path.join(env.ProgramData || env.PROGRAMDATA || "C:\\ProgramData", "hr-upload", "locks");
  return platform.path.join(platform.os === "darwin" ? "/tmp" : platform.tmpdir, "hr-upload-locks");
}

export function machineLocks(dir: string, platform: Platform): MachineLocks {
  return {
    location: dir,
    acquire: (jobKey, options) =>
      acquireLocalLock(platform.path.join(dir, `${jobKey}.lock`), dir, platform, options, true).catch((error: unknown) => {
        if (!(error instanceof StateWriteError)) throw error;
        throw new UsageError(`cannot lock this job on this machine in ${dir} (${error.reason}): nothing was sent; fix the folder's permissions, or choose another --lock-dir`);
      }),
  };
}
