import { execFile } from "node:child_process";

/** When process `pid` started, as a string equal for one process and different for another given its PID later; undefined when the OS does not tell. */
export type StartTimeLookup = (pid: number) => Promise<string | undefined>;

/**
 * Long enough for a cold Windows PowerShell start on a busy machine (1-3 s is usual), short enough that a lock
 * decision never hangs: a lookup that times out tells nothing, and the PID alone decides (see Platform.isRunning).
 */
const LOOKUP_TIMEOUT_MS = 10_000;

/**
 * Node has no API for a process's start time, so Windows and macOS are asked through a tool of the OS:
 *
 * - Windows: `Get-CimInstance Win32_Process` in Windows PowerShell 5.1 (part of every supported Windows), its
 *   CreationDate as a FILETIME (UTC, 100 ns). CIM rather than `Get-Process`, whose StartTime is empty for another
 *   account's processes without elevation, and the machine-wide lock folder is shared by every account; `wmic` is
 *   deprecated and absent from new Windows installs. Run by its full path under %SystemRoot%, so nothing on PATH
 *   can shadow it.
 * - macOS: `ps -o lstart=` in the C locale and UTC, so every run writes one process's start the same way whatever
 *   its own locale or time zone (1 s resolution: a PID reused within the second its first owner started is not told apart).
 */
export function startTimeLookup(os: "win32" | "darwin", env: NodeJS.ProcessEnv): StartTimeLookup {
  if (os === "darwin") return (pid) => firstLine("/bin/ps", ["-o", "lstart=", "-p", String(pid)], { PATH: "/usr/bin:/bin", LC_ALL: "C", TZ: "UTC" }, LSTART);
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? "C:\\Windows";
  const powershell = `${systemRoot}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
  return (pid) =>
    firstLine(
      powershell,
      ["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", `$p = Get-CimInstance -ClassName Win32_Process -Filter 'ProcessId = ${Math.trunc(pid)}'; if ($p) { $p.CreationDate.ToFileTimeUtc() }`],
      { SystemRoot: systemRoot, PATH: `${systemRoot}\\System32` },
      FILETIME,
    );
}

/** `ps -o lstart` in the C locale ("Mon Dec  7 04:53:31 2026") and a FILETIME: anything else (a stub, an error text) tells nothing. */
const LSTART = /^[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \d{4}$/;
const FILETIME = /^\d{1,20}$/;

/** The tool's first line of output when it ran and said something of the expected shape; undefined otherwise (not found, failed, timed out). */
function firstLine(file: string, args: string[], env: NodeJS.ProcessEnv, shape: RegExp): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: LOOKUP_TIMEOUT_MS, windowsHide: true, encoding: "utf8" }, (error, stdout) => {
      const line = stdout.split(/\r?\n/).map((text) => text.trim()).find((text) => text !== "");
      resolve(error === null && line !== undefined && shape.test(line) ? line : undefined);
    });
  });
}
