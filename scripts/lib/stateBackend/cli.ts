/** The command line of `npm run bootstrap-state` (scripts/bootstrap-state.ts) as a function, so the tests can run it in their process. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { AZURE_ENVIRONMENTS, AZURE_ENVIRONMENT_NAMES, azureEnvironmentNamed } from "../../../infra/azureEnvironments";
import { ISO_DURATION } from "../../../infra/encryptionKeys";
import { ToolError } from "../../../uploader/src/auth/toolRunner";
import type { ScriptIo } from "../scriptIo";
import { azureCliOn, BootstrapError } from "./azSteps";
import { bootstrapStateBackend, nameProblem } from "./bootstrap";
import { subnetIdProblem } from "./network";

const HELP = `Usage: npm run bootstrap-state -- [options]

Creates, with the Azure CLI you are signed in with (az login), whatever is missing of:
  a resource group, a storage account (Entra sign-in only, versioned, geo-redundant, infrastructure
  encryption, a customer-managed key) and a container for Pulumi state, a Key Vault (RBAC, purge
  protection) with two RSA keys, one encrypting the stacks' secrets, one the state account, each
  with a rotation policy, resource logs of the account and the vault to Log Analytics, and your
  roles on them (Storage Blob Data Contributor, Key Vault Crypto Officer). With --private-endpoint,
  private endpoints and no public access.
Safe to run again: it looks before it creates. Then it prints the variables and the two commands to run next.

Options:
  --environment <name>      public or usgovernment (default usgovernment); the CLI must be set to that cloud
  --resource-group <name>   default pulumi-state
  --location <region>       default usgovvirginia
  --storage-account <name>  default pulumistate<8 hex digits of your subscription ID>
  --container <name>        default pulumi-state
  --vault <name>            default pulumi-state-<8 hex digits of your subscription ID>
  --key <name>              default pulumi-secrets: the secrets provider's key
  --storage-key <name>      default pulumi-state-storage: the state account's customer-managed key
  --key-rotation <duration> rotate the secrets key after this ISO 8601 duration, or none (default P1Y);
                            the printed URL names the key's version, so stacks keep decrypting. Given
                            explicitly, an existing key without a policy gets one too
  --log-workspace <ID>      resource ID of the Log Analytics workspace for the resource logs
                            (default: a workspace pulumi-state-logs-<8 hex digits> beside the state)
  --private-endpoint <ID>   resource ID of a subnet (in --location): private endpoints for the state
                            account and the vault there, public network access off; run later
                            bootstraps and pulumi from inside that network
  -h, --help                this text

Exit codes: 0 done; 2 a wrong option or name; 3 the Azure CLI is missing, on another cloud, not signed in, or Azure refused a step.`;

const OPTIONS = {
  environment: { type: "string", default: "usgovernment" },
  "resource-group": { type: "string", default: "pulumi-state" },
  location: { type: "string", default: "usgovvirginia" },
  "storage-account": { type: "string" },
  container: { type: "string", default: "pulumi-state" },
  vault: { type: "string" },
  key: { type: "string", default: "pulumi-secrets" },
  "storage-key": { type: "string", default: "pulumi-state-storage" },
  "key-rotation": { type: "string" },
  "log-workspace": { type: "string" },
  "private-endpoint": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const WORKSPACE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;

/** `npm run bootstrap-state`: resolves to its exit code. The edge: flags, environment and platform come from `io` and go no further. */
export async function bootstrapStateCli(argv: string[], io: ScriptIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const azureEnvironment = azureEnvironmentNamed(values.environment);
  const problems = [
    azureEnvironment === undefined ? `--environment "${values.environment}" must be ${AZURE_ENVIRONMENT_NAMES.join(" or ")}` : undefined,
    values["storage-account"] === undefined ? undefined : nameProblem("storageAccount", values["storage-account"]),
    nameProblem("container", values.container),
    values.vault === undefined ? undefined : nameProblem("vault", values.vault),
    nameProblem("key", values.key),
    nameProblem("key", values["storage-key"]),
    values["key-rotation"] === undefined || values["key-rotation"] === "none" || ISO_DURATION.test(values["key-rotation"]) ? undefined : `--key-rotation "${values["key-rotation"]}" must be an ISO 8601 duration (P1Y, P90D) or none`,
    values["log-workspace"] === undefined || WORKSPACE_ID.test(values["log-workspace"]) ? undefined : `--log-workspace "${values["log-workspace"]}" must be a Log Analytics workspace's resource ID`,
    values["private-endpoint"] === undefined ? undefined : subnetIdProblem(values["private-endpoint"]),
  ].filter((problem) => problem !== undefined);
  if (azureEnvironment === undefined || problems.length > 0) {
    io.stderr(problems.join("\n"));
    return 2;
  }

  const scratchDirectory = mkdtempSync(path.join(tmpdir(), "hr-bootstrap-state-"));
  try {
    const backend = await bootstrapStateBackend(
      {
        azureEnvironment,
        resourceGroup: values["resource-group"],
        location: values.location,
        storageAccount: values["storage-account"],
        container: values.container,
        vault: values.vault,
        key: values.key,
        storageKey: values["storage-key"],
        keyRotation: values["key-rotation"] ?? "P1Y",
        rotateExistingKey: values["key-rotation"] !== undefined,
        privateEndpoint: values["private-endpoint"],
        logWorkspace: values["log-workspace"],
      },
      {
        az: azureCliOn(io.platform, io.env, io.execFile),
        log: (line) => io.stdout(line),
        platform: io.platform,
        sleep: (ms) => sleep(ms),
        propagation: { attempts: 20, delayMs: 15_000 },
        scratchDirectory,
      },
    );
    io.stdout(`\nState: container ${backend.container} of storage account ${backend.storageAccount}; secrets: ${backend.keyUrl}`);
    io.stdout(`Next, in the shell that runs pulumi (the variables select the state account, ${AZURE_ENVIRONMENTS[azureEnvironment].title} and your Azure CLI login):\n`);
    for (const line of backend.nextSteps) io.stdout(`  ${line}`);
    return 0;
  } catch (error) {
    if (error instanceof BootstrapError || (error instanceof ToolError && error.kind === "missing")) {
      io.stderr(`bootstrap-state: ${(error as Error).message}`);
      return 3;
    }
    throw error;
  } finally {
    rmSync(scratchDirectory, { recursive: true, force: true });
  }
}
