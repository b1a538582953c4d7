/** `npm run plan`'s command line (scripts/plan.ts), apart from the process: the tests run it in-process. */
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { ScriptIo } from "./scriptIo";
import type { PlanArgs } from "./planReport";
import { existingStackFile } from "../../infra/offline/stackFile";
import { REPOSITORY_ROOT } from "./repositoryRoot";

const HELP = `npm run plan [-- --stack <name>] [--set <key>=<value>]... [--controls <file>]

Runs the program offline (no Azure, no Pulumi CLI) with Pulumi.<name>.yaml (default: gov) and prints
every resource \`pulumi up\` would create with the settings a reviewer checks, the role assignments and
the stack outputs.

  --stack <name>       the stack file to read (Pulumi.<name>.yaml)
  --set <key>=<value>  a config value on top of the file, as the program reads it: project keys bare
                       (connectorJobId=<guid>, network=private), others with their namespace
                       (azure-native:location=usgovarizona); structured keys take JSON (connectors=[...])
  --controls <file>    also run the policy pack and write the NIST SP 800-53 control-implementation table

Exit codes: 0 printed (and the table written); 2 usage, stack file or config problem.`;

/** The arguments, or undefined after --help; whatever it throws is a usage problem, named. */
function parsePlanArgs(argv: string[], cwd: string): PlanArgs | undefined {
  const parsed = parseArgs({ args: argv, options: { stack: { type: "string", default: "gov" }, set: { type: "string", multiple: true, default: [] }, controls: { type: "string" }, help: { type: "boolean", default: false } } }).values;
  if (parsed.help) return undefined;
  const stack = parsed.stack as string;
  const stackFile = existingStackFile(REPOSITORY_ROOT, stack, cwd);
  const set = parsed.set as string[];
  const malformed = set.find((assignment) => !/^[^=]+=/.test(assignment));
  if (malformed !== undefined) throw new Error(`--set ${malformed}: expected <key>=<value>`);
  return { stack, stackFile, stackFileName: path.relative(REPOSITORY_ROOT, stackFile), set, controls: parsed.controls };
}

/** `npm run plan`: resolves to its exit code (0 printed, 2 usage, stack file or config problem). */
export async function planCli(argv: string[], io: ScriptIo): Promise<number> {
  let args;
  try {
    args = parsePlanArgs(argv, io.cwd);
  } catch (error) {
    io.stderr(`npm run plan: ${(error as Error).message} (see --help)`);
    return 2;
  }
  if (args === undefined) {
    io.stdout(HELP);
    return 0;
  }
  const { printPlan } = await import("./planReport");
  return printPlan(args, io);
}
