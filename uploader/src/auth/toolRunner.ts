/**
 * Runs command-line tools (`az` for the uploader's Storage token on a laptop;
 * `az`, `pulumi`, `git` for the deployment tools) and parses their JSON. On
 * Windows `az` is a batch file (az.cmd), which Node refuses to spawn without a
 * shell since 20.12.2 (CVE-2024-27980): there it runs as one command line,
 * `cmd.exe /d /s /c "<line>"`, every argument allow-listed and quoted where it
 * has spaces, from %SystemRoot% so no file in the working folder can shadow
 * the tool. The platform and environment are injected, so Linux tests run the
 * Windows path (with a stand-in cmd.exe).
 */
import { execFile, type ExecFileException, type ExecFileOptionsWithStringEncoding } from "node:child_process";

/** Starts a tool's process and reports how it ended, as node's execFile does (the default). */
export type ExecFile = (
  file: string,
  args: readonly string[],
  options: ExecFileOptionsWithStringEncoding,
  callback: (error: ExecFileException | null, stdout: string, stderr: string) => void,
) => void;

export interface ToolRunnerOptions {
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Node's execFile unless given: the tests give one that starts tools from a small helper process. */
  readonly execFile?: ExecFile;
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

/** What one run of a tool said. */
export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What cmd.exe leaves alone inside double quotes: no % ! ^ & | < > ( ) " or line breaks. */
const WINDOWS_SAFE_ARGUMENT = /^[A-Za-z0-9 ._:/@=?$,+\-[\]{}'*~#]*$/;
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/** One argument of a cmd.exe command line: quoted when it has spaces; refused when cmd.exe could read it as anything but text. */
export function quoteForCmd(argument: string): string {
  if (!WINDOWS_SAFE_ARGUMENT.test(argument)) throw new ToolError(`refusing to pass ${JSON.stringify(argument)} through cmd.exe: it holds a character cmd.exe would reinterpret`, "failed");
  return argument === "" || argument.includes(" ") ? `"${argument}"` : argument;
}

/** The executable and arguments that start `<tool> <args>` on the platform. */
export function toolInvocation(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, tool: string, args: readonly string[]): { file: string; args: string[]; windowsVerbatimArguments: boolean } {
  if (platform !== "win32") return { file: tool, args: [...args], windowsVerbatimArguments: false };
  // cmd.exe /s /c "<line>" strips the outer quotes and runs the line as typed; /d skips AutoRun commands.
  const line = [tool, ...args].map(quoteForCmd).join(" ");
  return { file: env.ComSpec ?? "cmd.exe", args: ["/d", "/s", "/c", `"${line}"`], windowsVerbatimArguments: true };
}

/** What to call a tool in a message, so the fix is plain. */
const TOOL_TITLES: Readonly<Record<string, string>> = { az: "the Azure CLI (az)", pulumi: "the Pulumi CLI (pulumi)" };

/** cmd.exe's "is not recognized" (exit 9009) and a POSIX shell's 127 mean the tool is not there. */
const missingTool = (error: ExecFileException, stderr: string) =>
  error.code === "ENOENT" || error.code === 127 || error.code === 9009 || /is not recognized as an internal or external command|command not found|: not found/i.test(stderr);

export class ToolRunner {
  constructor(private readonly options: ToolRunnerOptions) {}

  /** `<tool> <args>` run to its end, whatever its exit code; a tool that is not installed throws ToolError("missing"). */
  exec(tool: string, args: readonly string[]): Promise<ToolResult> {
    const { platform, env, timeoutMs = 120_000, signal, execFile: startTool = execFile } = this.options;
    return new Promise((resolve, reject) => {
      let invocation: ReturnType<typeof toolInvocation>;
      try {
        invocation = toolInvocation(platform, env, tool, args);
      } catch (error) {
        return reject(error);
      }
      startTool(
        invocation.file,
        invocation.args,
        {
          env,
          timeout: timeoutMs,
          signal,
          maxBuffer: MAX_OUTPUT_BYTES,
          windowsHide: true,
          windowsVerbatimArguments: invocation.windowsVerbatimArguments,
          encoding: "utf8",
          cwd: platform === "win32" ? (env.SystemRoot ?? env.SYSTEMROOT ?? "C:\\Windows") : undefined,
        },
        (error, stdout, stderr) => {
          if (error !== null && missingTool(error, stderr)) return reject(new ToolError(`${TOOL_TITLES[tool] ?? tool} is not installed or not on PATH`, "missing"));
          if (error !== null && typeof error.code !== "number") return reject(new ToolError(`${tool} ${args.slice(0, 2).join(" ")} failed: ${error.killed ? "timed out" : error.message}`, "failed"));
          resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
        },
      );
    });
  }

  /** stdout of `<tool> <args>`; a non-zero exit throws ToolError with stderr's first line. */
  async run(tool: string, args: readonly string[]): Promise<string> {
    const result = await this.exec(tool, args);
    if (result.code === 0) return result.stdout;
    const firstLine = result.stderr.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? `exit code ${result.code}`;
    throw new ToolError(`${tool} ${args.slice(0, 2).join(" ")} failed: ${firstLine}`, "failed");
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
