/**
 * Runs command-line tools (`az` for the uploader's Storage token on a laptop;
 * `az`, `pulumi`, `git` for the deployment tools) and parses their JSON. On Windows `az` is a batch file (az.cmd), which Node refuses to
 * spawn without a shell since 20.12.2 (CVE-2024-27980): there the command
 * runs as one string through cmd.exe, every argument allow-listed and quoted,
 * from %SystemRoot% so no file in the working folder can shadow it. The
 * platform and environment are injected, so Linux tests exercise that path.
 */
import { exec, execFile, type ExecFileException } from "node:child_process";

export interface ToolRunnerOptions {
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export class ToolError extends Error {
  override readonly name = "ToolError";
  constructor(
    message: string,
    /** "missing": the tool is not installed or not on PATH. */
    readonly kind: "missing" | "failed",
  ) {
    super(message);
  }
}

/** What cmd.exe leaves alone inside double quotes: no % ! ^ & | < > ( ) " or line breaks. */
const WINDOWS_SAFE_ARGUMENT = /^[A-Za-z0-9 ._:/@=?$,+\-[\]{}'*~#]*$/;
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

export class ToolRunner {
  constructor(private readonly options: ToolRunnerOptions) {}

  /** stdout of `<tool> <args>`; a non-zero exit or a missing tool throws ToolError with stderr's first line. */
  run(tool: string, args: readonly string[]): Promise<string> {
    const { platform, env, timeoutMs = 120_000, signal } = this.options;
    return new Promise((resolve, reject) => {
      const done = (error: ExecFileException | null, stdout: string, stderr: string) => {
        if (error === null) return resolve(stdout);
        // ENOENT from execFile; from a shell, exit 127 (sh: "not found") or cmd.exe's "is not recognized".
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT" || error.code === 127 || /is not recognized as an internal or external command|command not found|: not found/i.test(stderr);
        const firstLine = stderr.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? (error.killed ? "timed out" : `exit code ${String(error.code)}`);
        reject(new ToolError(missing ? `${tool} is not installed or not on PATH` : `${tool} ${args.slice(0, 2).join(" ")} failed: ${firstLine}`, missing ? "missing" : "failed"));
      };
      const common = { env, timeout: timeoutMs, signal, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: "utf8" as const };
      if (platform === "win32") {
        const unsafe = args.find((arg) => !WINDOWS_SAFE_ARGUMENT.test(arg));
        if (unsafe !== undefined) return reject(new ToolError(`refusing to pass "${unsafe}" to ${tool} through cmd.exe`, "failed"));
        const command = [tool, ...args.map((arg) => `"${arg}"`)].join(" ");
        exec(command, { ...common, cwd: env.SystemRoot ?? env.SYSTEMROOT ?? "C:\\Windows" }, done);
      } else {
        execFile(tool, args, common, done);
      }
    });
  }

  async json<T>(tool: string, args: readonly string[]): Promise<T> {
    const stdout = await this.run(tool, args);
    try {
      return JSON.parse(stdout) as T;
    } catch {
      throw new ToolError(`${tool} ${args.slice(0, 2).join(" ")} did not print JSON`, "failed");
    }
  }
}

/** An Entra access token from the Azure CLI's login, with its expiry when az says it. */
export interface AzureCliToken {
  readonly token: string;
  /** Milliseconds since the epoch; undefined when az did not say. */
  readonly expiresOnTimestamp?: number;
}

/**
 * `az account get-access-token [--resource R]` in the CLI's current cloud: for
 * Azure Resource Manager (what ACR's exchange accepts) or Storage. Errors say
 * what to do (install, az login, az cloud set for Gov).
 */
export async function azureCliToken(runner: ToolRunner, resource?: string): Promise<AzureCliToken> {
  const args = ["account", "get-access-token", "--output", "json", ...(resource === undefined ? [] : ["--resource", resource])];
  let answer: { accessToken?: string; expires_on?: number; expiresOn?: string };
  try {
    answer = await runner.json<typeof answer>("az", args);
  } catch (error) {
    if (error instanceof ToolError && error.kind === "missing") throw new ToolError("the Azure CLI (az) is not installed or not on PATH: install it and run az login", "missing");
    throw new ToolError(`${(error as Error).message} (run az login; for Azure Government first az cloud set --name AzureUSGovernment)`, "failed");
  }
  if (typeof answer.accessToken !== "string" || answer.accessToken === "") throw new ToolError("az account get-access-token returned no token", "failed");
  const expiresOn = answer.expires_on !== undefined ? answer.expires_on * 1000 : Date.parse(answer.expiresOn ?? "");
  return { token: answer.accessToken, expiresOnTimestamp: Number.isNaN(expiresOn) ? undefined : expiresOn };
}
