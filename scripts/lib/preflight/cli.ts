/**
 * `npm run preflight`'s command line, apart from the process it runs in (scripts/preflight.ts):
 * arguments, environment, platform and output are given, so the tests run it in-process.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { loadConfig, type ConfigSource } from "../../../infra/config";
import { PROJECT, existingStackFile, readStackFile } from "../../../infra/offline/stackFile";
import { HttpClient, proxySettingsFrom, type ProxySettings } from "../oci/http";
import { CHECK_IDS, CHECK_SUMMARIES, runPreflight, type CheckId, type CheckLine, type PreflightStack } from "./checks";
import { resourceTypesOf, type StackResourceTypes } from "./resourceTypes";
import { ToolRunner } from "../../../uploader/src/auth/toolRunner";
import type { ScriptIo } from "../scriptIo";

const ROOT = path.resolve(__dirname, "..", "..", "..");
/** Stand-ins so the offline run registers what the second pass creates (jobs, alerts, action group). */
const PLACEHOLDER_JOB_ID = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
const PLACEHOLDER_ALERT_EMAIL = "preflight@example.gov";

/** Summaries' continuation lines start under their first line's text. */
const CHECK_LIST = CHECK_IDS.map((id) => `  ${id.padEnd(20)} ${CHECK_SUMMARIES[id].replace(/\n/g, `\n${" ".repeat(23)}`)}`).join("\n");

const HELP = `npm run preflight -- --stack <name> [--skip <check>]...

Reads Pulumi.<name>.yaml and, with your Azure CLI login (az login), checks what would make
\`pulumi up\` fail. Run it first, on the machine you deploy from.

Checks (--skip takes these names, for one you have verified another way; a skipped check is not run):
${CHECK_LIST}

Exit codes: 0 every check passed; 2 usage or stack file problem; 3 a check failed.`;

class UsageError extends Error {}

function stackFromFile(stackName: string, cwd: string, env: NodeJS.ProcessEnv): { stack: PreflightStack; values: Record<string, string> } {
  const { values, secretsProvider } = readStackFile(existingStackFile(ROOT, stackName, cwd));
  const source = (namespace: string): ConfigSource => ({ get: (key) => values[`${namespace}:${key}`] });
  let config;
  try {
    config = loadConfig(source(PROJECT), source("azure-native"), source("azuread"));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const project = parseYaml(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; backend?: { url?: string } };
  return {
    values,
    stack: {
      project: project.name,
      name: stackName,
      cloud: config.cloud,
      azureEnvironment: values["azure-native:environment"] ?? "public",
      entraEnvironment: config.entraEnvironment,
      location: config.location,
      imageBase: config.imageBase,
      image: config.image,
      network: config.network,
      vnetAddressSpace: config.vnetAddressSpace,
      projectBackendUrl: project.backend?.url,
      secretsProvider,
      stateStorageAccount: env.AZURE_STORAGE_ACCOUNT,
    },
  };
}

/** Runs the program offline as the second pass would (every job and alert), to learn the types it creates. */
async function stackResourceTypes(stackName: string, values: Record<string, string>): Promise<StackResourceTypes> {
  const secondPass = { ...values };
  const connectors = values[`${PROJECT}:connectors`];
  const list = connectors === undefined ? [] : (JSON.parse(connectors) as Record<string, unknown>[]);
  if (list.length > 0) {
    secondPass[`${PROJECT}:connectors`] = JSON.stringify(list.map((entry, index) => ({ connectorJobId: PLACEHOLDER_JOB_ID(index), ...entry })));
  } else {
    secondPass[`${PROJECT}:connectorJobId`] ??= PLACEHOLDER_JOB_ID(0);
  }
  secondPass[`${PROJECT}:alertEmail`] ??= PLACEHOLDER_ALERT_EMAIL;
  // Pulumi and the program load for this run only: --help and a usage error do without them (about 1.5 s of CPU).
  const [{ default: hrConnector }, { runOffline }] = await Promise.all([import("../../../infra/index"), import("../../../infra/offline/run")]);
  const { resources } = await runOffline(stackName, secondPass, hrConnector);
  return resourceTypesOf(resources);
}

function lineOf(line: CheckLine): string {
  const mark = { passed: "✓", failed: "✗", skipped: "–" }[line.status];
  return line.status === "failed" && line.fix ? `${mark} ${line.title}\n    fix: ${line.fix}` : `${mark} ${line.title}`;
}

/** Runs preflight; resolves to its exit code: 0 every check passed, 2 usage or stack file problem, 3 a check failed. */
export async function preflightCli(argv: string[], context: ScriptIo): Promise<number> {
  const { stdout, stderr } = context;
  let args;
  let stackFile;
  let proxy: ProxySettings;
  try {
    const { values } = parseArgs({ args: argv, options: { stack: { type: "string" }, skip: { type: "string", multiple: true, default: [] }, help: { type: "boolean", default: false } } });
    if (values.help) {
      stdout(HELP);
      return 0;
    }
    if (values.stack === undefined) throw new UsageError("--stack <name> is required");
    const unknown = (values.skip as string[]).filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
    if (unknown.length > 0) throw new UsageError(`--skip ${unknown.join(", ")}: known checks are ${CHECK_IDS.join(", ")}`);
    args = { stack: values.stack, skip: new Set(values.skip as CheckId[]) };
    stackFile = stackFromFile(args.stack, context.cwd, context.env);
    proxy = proxySettingsFrom(context.env);
  } catch (error) {
    stderr(`npm run preflight: ${(error as Error).message} (see --help)`);
    return 2;
  }

  const { stack, values } = stackFile;
  stdout(`Preflight for stack ${stack.name}: ${stack.cloud}, ${stack.location}, azure-native:environment ${stack.azureEnvironment}, azuread:environment ${stack.entraEnvironment}`);
  const http = new HttpClient({ proxy, timeoutMs: 15_000, extraCa: context.extraCa });
  try {
    const runner = new ToolRunner({ platform: context.platform, env: context.env, execFile: context.execFile });
    const shown = await runPreflight(stack, await stackResourceTypes(stack.name, values), { runner, http, proxy }, args.skip);
    shown.forEach((line) => stdout(lineOf(line)));
    const failed = shown.filter((line) => line.status === "failed").length;
    const skipped = shown.filter((line) => line.status === "skipped").length;
    stdout(
      failed === 0
        ? `\nAll ${shown.length - skipped} checks passed${skipped > 0 ? ` (${skipped} skipped)` : ""}: pulumi up --stack ${stack.name}`
        : `\n${failed} of ${shown.length} checks failed: fix them, then run preflight again.`,
    );
    return failed === 0 ? 0 : 3;
  } finally {
    await http.close();
  }
}
