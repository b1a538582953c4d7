/**
 * Checks, before a 20-minute `pulumi up`, what would make it fail: the Azure
 * CLI's cloud, resource providers, the pinned SDK's API versions in the region,
 * Container Apps jobs in the region, the deployer's right to create role
 * assignments and app registrations, the Pulumi backend, with network: private
 * whether this machine reaches the registry privately, and TLS to the hosts
 * involved (through HTTPS_PROXY if set). One line each, ✓ or ✗ with the fix.
 *
 *   npm run preflight -- --stack <name> [--skip <check>]...
 *
 * Exit codes: 0 every check passed; 2 usage or stack file problem; 3 a check failed.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { loadConfig, type ConfigSource } from "../infra/config";
import hrConnector from "../infra/index";
import { PROJECT, runOffline } from "../infra/offline/run";
import { readStackFile } from "../infra/offline/stackFile";
import { HttpClient, proxySettingsFrom } from "./lib/oci/http";
import { CHECK_IDS, CHECK_SUMMARIES, runPreflight, type CheckId, type CheckLine, type PreflightStack } from "./lib/preflight/checks";
import { resourceTypesOf, type StackResourceTypes } from "./lib/preflight/resourceTypes";
import { ToolRunner } from "../uploader/src/toolRunner";

const ROOT = path.resolve(__dirname, "..");
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

function stackFromFile(stackName: string): { stack: PreflightStack; values: Record<string, string> } {
  const file = path.join(ROOT, `Pulumi.${stackName}.yaml`);
  if (!existsSync(file)) throw new UsageError(`${path.relative(process.cwd(), file)} does not exist (copy Pulumi.gov.yaml to start one)`);
  const { values } = readStackFile(file);
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
  const { resources } = await runOffline(stackName, secondPass, hrConnector);
  return resourceTypesOf(resources);
}

function print(line: CheckLine): void {
  const mark = { passed: "✓", failed: "✗", skipped: "–" }[line.status];
  console.log(`${mark} ${line.title}`);
  if (line.status === "failed" && line.fix) console.log(`    fix: ${line.fix}`);
}

async function main(): Promise<number> {
  let args;
  let stackFile;
  try {
    const { values } = parseArgs({ options: { stack: { type: "string" }, skip: { type: "string", multiple: true, default: [] }, help: { type: "boolean", default: false } } });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (values.stack === undefined) throw new UsageError("--stack <name> is required");
    const unknown = (values.skip as string[]).filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
    if (unknown.length > 0) throw new UsageError(`--skip ${unknown.join(", ")}: known checks are ${CHECK_IDS.join(", ")}`);
    args = { stack: values.stack, skip: new Set(values.skip as CheckId[]) };
    stackFile = stackFromFile(args.stack);
  } catch (error) {
    console.error(`npm run preflight: ${(error as Error).message} (see --help)`);
    return 2;
  }

  const { stack, values } = stackFile;
  console.log(`Preflight for stack ${stack.name}: ${stack.cloud}, ${stack.location}, azure-native:environment ${stack.azureEnvironment}, azuread:environment ${stack.entraEnvironment}`);
  const proxy = proxySettingsFrom(process.env);
  const http = new HttpClient({ proxy, timeoutMs: 15_000 });
  try {
    const shown = await runPreflight(stack, await stackResourceTypes(stack.name, values), { runner: new ToolRunner({ platform: process.platform, env: process.env }), http, proxy }, args.skip);
    shown.forEach(print);
    const failed = shown.filter((line) => line.status === "failed").length;
    const skipped = shown.filter((line) => line.status === "skipped").length;
    console.log(
      failed === 0
        ? `\nAll ${shown.length - skipped} checks passed${skipped > 0 ? ` (${skipped} skipped)` : ""}: pulumi up --stack ${stack.name}`
        : `\n${failed} of ${shown.length} checks failed: fix them, then run preflight again.`,
    );
    return failed === 0 ? 0 : 3;
  } finally {
    await http.close();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
