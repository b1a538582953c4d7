import type * as path from "node:path";

/**
 * What the uploader needs to know about the machine and this process: a port.
 * The CLI edge builds the real one (cli/systemPlatform.ts) from the process;
 * tests inject another (a Windows one on Linux CI), so nothing below the edge
 * reads process.platform or /proc.
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
  /**
   * Process `pid` among all processes of its host, beyond its PID: "<scope>/<start time>", the scope being the PID
   * namespace on Linux and the OS elsewhere; undefined when the OS does not tell.
   */
  processTagOf(pid: number): Promise<string | undefined>;
  /** Whether `pid` (tagged `tag` when it was recorded) still runs; undefined when this process cannot tell (it lives in another PID namespace). */
  isRunning(pid: number, tag: string | undefined): Promise<boolean | undefined>;
}
