/**
 * The Azure CLI steps bootstrap-state is made of: run a command and read its JSON, find a
 * resource or learn it is missing, create only what is missing. Every failure is a
 * BootstrapError naming the command and az's first line, never a stack trace.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { ToolRunner, type ExecFile, type ToolResult } from "../../../uploader/src/auth/toolRunner";

/** Runs one `az` command to its end, whatever it answers. */
export type AzureCli = (args: readonly string[]) => Promise<ToolResult>;

/** `az` on a machine (the Windows way on Windows: az.cmd through cmd.exe); creating a vault takes minutes, nothing takes ten. */
export function azureCliOn(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, execFile?: ExecFile): AzureCli {
  const runner = new ToolRunner({ platform, env, timeoutMs: 10 * 60 * 1000, execFile });
  return (args) => runner.exec("az", args);
}

/** Thrown for what the deployer must fix (wrong cloud, a refusal by Azure); the message says how. */
export class BootstrapError extends Error {}

export const firstLine = (text: string) => text.trim().split("\n").find((line) => line.trim() !== "")?.trim() ?? "(no message)";
export const notFound = (result: ToolResult) => result.code === 3 || /NotFound|could not be found|was not found/i.test(result.stderr);

export interface AzSteps {
  /** stdout of a command that must succeed. */
  run(args: string[]): Promise<string>;
  json<T>(args: string[]): Promise<T>;
  /** What `show` finds, or undefined when there is none. */
  existing<T>(args: string[]): Promise<T | undefined>;
  /** What `show` finds, else what `create` makes; logs which. */
  ensure<T>(what: string, show: string[], create: string[]): Promise<T>;
  /**
   * A JSON argument as `@<file>` (az reads the file): cmd.exe, which runs az on Windows, would
   * reinterpret the quotes of JSON given inline.
   */
  jsonFile(name: string, value: unknown): string;
}

export function azSteps(az: AzureCli, log: (line: string) => void, scratchDirectory: string): AzSteps {
  const failure = (args: string[], result: ToolResult) => new BootstrapError(`az ${args.slice(0, 3).join(" ")} failed: ${firstLine(result.stderr)}`);
  const steps: AzSteps = {
    async run(args) {
      const result = await az(args);
      if (result.code !== 0) throw failure(args, result);
      return result.stdout;
    },
    async json<T>(args: string[]) {
      return JSON.parse(await steps.run([...args, "--output", "json"])) as T;
    },
    async existing<T>(args: string[]) {
      const result = await az([...args, "--output", "json"]);
      if (result.code === 0) return JSON.parse(result.stdout) as T;
      if (notFound(result)) return undefined;
      throw failure(args, result);
    },
    async ensure<T>(what: string, show: string[], create: string[]) {
      const found = await steps.existing<T>(show);
      log(found === undefined ? `creating ${what}` : `${what} exists`);
      return found ?? (await steps.json<T>(create));
    },
    jsonFile(name, value) {
      const file = path.join(scratchDirectory, `${name}.json`);
      writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
      return `@${file}`;
    },
  };
  return steps;
}
