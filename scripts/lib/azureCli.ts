/**
 * The Azure CLI as a child process, with the platform injected: on Windows `az`
 * is `az.cmd`, a batch file that Node starts only through cmd.exe, so the
 * arguments are quoted for cmd.exe there (and refused where cmd.exe would
 * reinterpret them); elsewhere `az` is started directly, without a shell.
 */
import { execFile } from "node:child_process";

export interface AzureCliHost {
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
}

export interface AzResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `az` could not be started at all. */
export class AzureCliUnavailable extends Error {}

/** Runs one `az` command. */
export type AzureCli = (args: readonly string[]) => Promise<AzResult>;

/** Creating a storage account or a vault takes a minute or two; nothing the script runs takes ten. */
const AZ_TIMEOUT_MS = 10 * 60 * 1000;
/** Arguments cmd.exe passes through unchanged without quotes. */
const PLAIN_ARGUMENT = /^[\w.:/=@,+~-]+$/;

/** One argument of a cmd.exe command line: quoted when it has spaces; refused when cmd.exe would expand or split it anyway. */
export function quoteForCmd(argument: string): string {
  if (PLAIN_ARGUMENT.test(argument)) return argument;
  if (/["%!^\r\n]/.test(argument)) throw new Error(`cannot pass ${JSON.stringify(argument)} to az.cmd through cmd.exe: it holds a character cmd.exe would reinterpret`);
  return `"${argument}"`;
}

/** The executable, arguments and options that start `az args` on the host. */
export function azInvocation(host: AzureCliHost, args: readonly string[]): { file: string; args: string[]; windowsVerbatimArguments: boolean } {
  if (host.platform !== "win32") return { file: "az", args: [...args], windowsVerbatimArguments: false };
  // cmd.exe /s /c "<line>" strips the outer quotes and runs the line as typed.
  const line = ["az.cmd", ...args].map(quoteForCmd).join(" ");
  return { file: host.env.ComSpec ?? "cmd.exe", args: ["/d", "/s", "/c", `"${line}"`], windowsVerbatimArguments: true };
}

export function azureCli(host: AzureCliHost): AzureCli {
  return (args) => {
    const invocation = azInvocation(host, args);
    return new Promise((resolve, reject) => {
      execFile(
        invocation.file,
        invocation.args,
        { env: host.env, timeout: AZ_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, windowsVerbatimArguments: invocation.windowsVerbatimArguments },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") {
            reject(error.code === "ENOENT" ? new AzureCliUnavailable("the Azure CLI (az) is not installed or not on PATH: https://learn.microsoft.com/cli/azure/install-azure-cli") : error);
            return;
          }
          resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
        },
      );
    });
  };
}
