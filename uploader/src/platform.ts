import { readFileSync, readlinkSync } from "node:fs";
import { homedir, hostname, tmpdir } from "node:os";
import * as path from "node:path";

/**
 * What the uploader needs to know about the machine and this process. The CLI
 * edge builds it from the real process; tests inject another (a Windows one
 * on Linux CI), so nothing below the edge reads process.platform or /proc.
 */
export interface Platform {
  readonly os: NodeJS.Platform;
  /** Path rules of `os` (win32 on Windows): drive letters and UNC paths are resolved as Windows does. */
  readonly path: path.PlatformPath;
  readonly pid: number;
  readonly hostname: string;
  readonly homedir: string;
  /** The OS's temporary folder (TMPDIR on Unix, normally /tmp). */
  readonly tmpdir: string;
  /** This process among all processes of its host, beyond its PID: PID namespace and start time where the OS tells. */
  readonly processTag: string | undefined;
  /** Whether `pid` (tagged `tag` when it was recorded) still runs; undefined when this process cannot tell (it lives in another PID namespace). */
  isRunning(pid: number, tag: string | undefined): boolean | undefined;
}

/** The tag of a process of this PID namespace: "pid:[4026531836]/<start time in ticks>" on Linux; undefined elsewhere. */
export function processTagOf(pid: number): string | undefined {
  const namespace = linuxPidNamespace();
  const start = linuxStartTicks(pid);
  return namespace !== undefined && start !== undefined ? `${namespace}/${start}` : undefined;
}

export function systemPlatform(): Platform {
  const namespace = linuxPidNamespace();
  const ownTag = processTagOf(process.pid);
  return {
    os: process.platform,
    path,
    pid: process.pid,
    hostname: hostname(),
    homedir: homedir(),
    tmpdir: tmpdir(),
    processTag: ownTag,
    isRunning(pid, tag) {
      const [tagNamespace, tagStart] = tag?.split("/") ?? [];
      if (tagNamespace !== undefined && namespace !== undefined && tagNamespace !== namespace) return undefined; // its PID names another process here
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
      }
      // The same PID is the same process only if it started when the recorded one did (PIDs are reused).
      const start = tagStart === undefined ? undefined : linuxStartTicks(pid);
      return start === undefined || start === tagStart;
    },
  };
}

function linuxPidNamespace(): string | undefined {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined off Linux. */
function linuxStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after its ")": the state is field 3.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
