import { spawn } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { copyWinePrefix, findWine, startWineServer, stopWineServer, wineEnvironment, winePrefixTemplate, type WineTools } from "../../scripts/lib/wine";
import { hrConnectorCacheDir, windowsNodePath, windowsNodeProblem } from "../../scripts/lib/windowsNode";
import type { CliResult } from "./cli";
import { tempDir } from "./standin";

/** Longest a Windows run may take: Wine's start-up is 1-2 s, the runs themselves a second or two. */
const RUN_TIMEOUT_MS = 30_000;

/**
 * A Windows machine for one test file: a fresh Windows 10 Wine prefix (copied from the cached template,
 * so %LOCALAPPDATA% starts empty) in this test run's temporary folder, and the official Windows build of
 * Node to run there. Fails with the one-line problem when wine64 or node.exe is missing: never skips.
 */
export class WineNode {
  private runs = 0;

  private constructor(
    private readonly tools: WineTools,
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(): Promise<WineNode> {
    const problem = windowsNodeProblem(process.env);
    if (problem !== undefined) throw new Error(problem);
    const tools = findWine(process.env) as WineTools;
    const template = await winePrefixTemplate(tools, process.env, hrConnectorCacheDir(process.env));
    const dir = tempDir("hr-wine-");
    await copyWinePrefix(template, join(dir, "prefix"));
    mkdirSync(join(dir, "server"));
    mkdirSync(join(dir, "output"));
    const machine = new WineNode(tools, dir, wineEnvironment(process.env, join(dir, "prefix"), join(dir, "server")));
    await startWineServer(tools, machine.env); // one for the file, until stop()
    return machine;
  }

  /** The Linux path of a path on drive C: (`C:\HR\employees.csv` is `<prefix>/drive_c/HR/employees.csv`). */
  onLinux(windowsPath: string): string {
    const match = /^C:\\(.*)$/i.exec(windowsPath);
    if (match === null) throw new Error(`${windowsPath} is not on drive C:`);
    return join(this.dir, "prefix", "drive_c", ...(match[1] as string).split("\\").filter((part) => part !== ""));
  }

  /** Copies a Linux file to a path on drive C:, making its folders. */
  put(windowsPath: string, linuxFile: string): void {
    const target = this.onLinux(windowsPath);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(linuxFile, target);
  }

  /**
   * Runs node.exe with `args` under Wine, with `env` besides Wine's own (Windows sets LOCALAPPDATA and the
   * rest from the prefix's profile). stdout and stderr go to files, read after the exit: node.exe under Wine
   * throws EBADF at its first write to a pipe.
   */
  async node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    const base = join(this.dir, "output", String(++this.runs));
    const [stdoutFd, stderrFd] = [openSync(`${base}.stdout`, "w"), openSync(`${base}.stderr`, "w")];
    const child = spawn(this.tools.wine64, [windowsNodePath(process.env), ...args], { env: { ...env, ...this.env }, stdio: ["ignore", stdoutFd, stderrFd] });
    closeSync(stdoutFd);
    closeSync(stderrFd);
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    const code = await new Promise<number | null>((exited, failed) => {
      child.once("error", failed);
      child.once("exit", (exitCode) => exited(exitCode));
    }).finally(() => clearTimeout(timer));
    const result = { code, stdout: readFileSync(`${base}.stdout`, "utf8"), stderr: readFileSync(`${base}.stderr`, "utf8") };
    if (child.signalCode === "SIGKILL") throw new Error(`node.exe ${args.slice(0, 2).join(" ")} did not end within ${RUN_TIMEOUT_MS} ms; its output so far:\n${result.stdout}${result.stderr}`);
    return result;
  }

  /** Stops the prefix's wineserver and every Windows process in it, then removes the prefix. */
  async stop(): Promise<void> {
    await stopWineServer(this.tools, this.env);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
