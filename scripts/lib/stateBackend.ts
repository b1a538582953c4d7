/**
 * A self-managed Pulumi backend inside the agency's Azure subscription: a storage
 * account and container for the stack state, a Key Vault and key encrypting the
 * stack's secrets. Each step looks first and creates only what is missing, so the
 * bootstrap can run again at any time. Everything goes through the Azure CLI the
 * deployer is signed in with.
 */
import { createHash } from "node:crypto";
import { AZURE_ENVIRONMENTS, type AzureEnvironmentName } from "../../infra/azureEnvironments";
import { geoRedundantSku } from "../../infra/geoRedundancy";
import { ToolRunner, type ToolResult } from "../../uploader/src/toolRunner";

/** Runs one `az` command to its end, whatever it answers. */
export type AzureCli = (args: readonly string[]) => Promise<ToolResult>;
type AzResult = ToolResult;

/** `az` on a machine (the Windows way on Windows: az.cmd through cmd.exe); creating a vault takes minutes, nothing takes ten. */
export function azureCliOn(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): AzureCli {
  const runner = new ToolRunner({ platform, env, timeoutMs: 10 * 60 * 1000 });
  return (args) => runner.exec("az", args);
}

export interface StateBackendOptions {
  readonly azureEnvironment: AzureEnvironmentName;
  readonly resourceGroup: string;
  readonly location: string;
  /** Default: derived from the subscription, so a rerun finds the same names. */
  readonly storageAccount?: string;
  readonly container: string;
  readonly vault?: string;
  readonly key: string;
}

export interface StateBackendHost {
  readonly az: AzureCli;
  readonly log: (line: string) => void;
  /** Shell of the printed commands. */
  readonly platform: NodeJS.Platform;
  /** Waits between attempts while new role assignments propagate to the Key Vault data plane. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly propagation: { readonly attempts: number; readonly delayMs: number };
}

export interface StateBackend {
  readonly storageAccount: string;
  readonly container: string;
  readonly vault: string;
  readonly keyUrl: string;
  /** The environment variables and the two commands to run next, for the host's shell. */
  readonly nextSteps: string[];
}

/** Thrown for what the deployer must fix (wrong cloud, a refusal by Azure); the message says how. */
export class BootstrapError extends Error {}

const ROLE = { blobDataContributor: "Storage Blob Data Contributor", cryptoOfficer: "Key Vault Crypto Officer" } as const;
/** RSA 3072: NIST SP 800-57 strength beyond 2030; Pulumi wraps each stack's data key with it. */
const KEY_SIZE = "3072";
/** How long deleted state blobs and versions stay recoverable. */
const STATE_RECOVERY_DAYS = "30";

const NAME_RULES: Record<"storageAccount" | "container" | "vault" | "key", [RegExp, string]> = {
  storageAccount: [/^[a-z0-9]{3,24}$/, "3-24 lowercase letters and digits"],
  container: [/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "3-63 lowercase letters, digits and single hyphens"],
  vault: [/^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, "3-24 letters, digits and single hyphens, starting with a letter"],
  key: [/^[a-zA-Z0-9-]{1,127}$/, "letters, digits and hyphens"],
};

/** Why a name Azure would refuse is refused; undefined when it is fine. */
export function nameProblem(kind: keyof typeof NAME_RULES, name: string): string | undefined {
  const [rule, description] = NAME_RULES[kind];
  return rule.test(name) ? undefined : `${kind} "${name}" must be ${description}`;
}

const firstLine = (text: string) => text.trim().split("\n").find((line) => line.trim() !== "")?.trim() ?? "(no message)";
const notFound = (result: AzResult) => result.code === 3 || /NotFound|could not be found|was not found/i.test(result.stderr);
const forbidden = (result: AzResult) => /Forbidden|AuthorizationFailed|does not have (secrets|keys) \w+ permission|Caller is not authorized/i.test(result.stderr);

export async function bootstrapStateBackend(options: StateBackendOptions, host: StateBackendHost): Promise<StateBackend> {
  const { az, log } = host;
  const environment = AZURE_ENVIRONMENTS[options.azureEnvironment];

  const run = async (args: string[]): Promise<string> => {
    const result = await az(args);
    if (result.code !== 0) throw new BootstrapError(`az ${args.slice(0, 3).join(" ")} failed: ${firstLine(result.stderr)}`);
    return result.stdout;
  };
  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await run([...args, "--output", "json"])) as T;
  /** The resource `show` finds, or undefined when there is none. */
  const existing = async <T>(args: string[]): Promise<T | undefined> => {
    const result = await az([...args, "--output", "json"]);
    if (result.code === 0) return JSON.parse(result.stdout) as T;
    if (notFound(result)) return undefined;
    throw new BootstrapError(`az ${args.slice(0, 3).join(" ")} failed: ${firstLine(result.stderr)}`);
  };
  const ensure = async <T>(what: string, show: string[], create: string[]): Promise<T> => {
    const found = await existing<T>(show);
    log(found === undefined ? `creating ${what}` : `${what} exists`);
    return found ?? (await json<T>(create));
  };

  const cloud = (await run(["cloud", "show", "--query", "name", "--output", "tsv"])).trim();
  if (cloud !== environment.cliCloudName) {
    throw new BootstrapError(`the Azure CLI is set to ${cloud}, not ${environment.cliCloudName} (${environment.title}): az cloud set --name ${environment.cliCloudName} && az login`);
  }
  const account = await existing<{ id: string; user: { name: string; type: string } }>(["account", "show"]);
  if (account === undefined) throw new BootstrapError(`the Azure CLI is not signed in: az login`);
  const principalType = account.user.type === "servicePrincipal" ? "ServicePrincipal" : "User";
  const principalId = (
    await run(principalType === "User" ? ["ad", "signed-in-user", "show", "--query", "id", "--output", "tsv"] : ["ad", "sp", "show", "--id", account.user.name, "--query", "id", "--output", "tsv"])
  ).trim();

  const suffix = createHash("sha256").update(account.id).digest("hex").slice(0, 8);
  const storageAccount = options.storageAccount ?? `pulumistate${suffix}`;
  const vaultName = options.vault ?? `pulumi-state-${suffix}`;
  const group = ["--resource-group", options.resourceGroup];
  log(`subscription ${account.id}, signed in as ${account.user.name}`);

  const grant = async (role: string, scope: string) => {
    const assignments = await json<unknown[]>(["role", "assignment", "list", "--assignee", principalId, "--role", role, "--scope", scope]);
    if (assignments.length > 0) {
      log(`role "${role}" already granted to ${account.user.name}`);
      return;
    }
    log(`granting "${role}" to ${account.user.name}`);
    await json(["role", "assignment", "create", "--assignee-object-id", principalId, "--assignee-principal-type", principalType, "--role", role, "--scope", scope]);
  };

  await ensure(`resource group ${options.resourceGroup}`, ["group", "show", "--name", options.resourceGroup], ["group", "create", "--name", options.resourceGroup, "--location", options.location]);

  // Entra sign-in only: the state holds every resource's settings, and the deployer's Azure login is the key to it.
  // At rest as the stack's own account: geo-redundant (bf045164) and under infrastructure encryption (4733ea7b), set at creation only.
  const storage = await ensure<{ id: string }>(
    `storage account ${storageAccount}`,
    ["storage", "account", "show", "--name", storageAccount, ...group],
    [
      "storage", "account", "create", "--name", storageAccount, ...group, "--location", options.location, "--sku", geoRedundantSku(options.location), "--kind", "StorageV2",
      "--https-only", "true", "--min-tls-version", "TLS1_2", "--allow-blob-public-access", "false", "--allow-shared-key-access", "false",
      "--require-infrastructure-encryption", "true",
    ],
  );
  log(`keeping ${STATE_RECOVERY_DAYS} days of state versions and deleted blobs`);
  await json([
    "storage", "account", "blob-service-properties", "update", "--account-name", storageAccount, ...group, "--enable-versioning", "true",
    "--enable-delete-retention", "true", "--delete-retention-days", STATE_RECOVERY_DAYS, "--enable-container-delete-retention", "true", "--container-delete-retention-days", STATE_RECOVERY_DAYS,
  ]);
  await ensure(
    `container ${options.container}`,
    ["storage", "container-rm", "show", "--storage-account", storageAccount, ...group, "--name", options.container],
    ["storage", "container-rm", "create", "--storage-account", storageAccount, ...group, "--name", options.container, "--public-access", "off"],
  );
  await grant(ROLE.blobDataContributor, storage.id);

  const vault = await ensure<{ id: string }>(
    `key vault ${vaultName}`,
    ["keyvault", "show", "--name", vaultName, ...group],
    ["keyvault", "create", "--name", vaultName, ...group, "--location", options.location, "--enable-rbac-authorization", "true", "--enable-purge-protection", "true", "--retention-days", "90"],
  );
  await grant(ROLE.cryptoOfficer, vault.id);

  // A new role assignment takes a few minutes to reach Key Vault's data plane: retry what it refuses meanwhile.
  const keyShow = ["keyvault", "key", "show", "--vault-name", vaultName, "--name", options.key, "--output", "json"];
  for (let attempt = 1; ; attempt++) {
    const result = await az(keyShow);
    if (result.code === 0) {
      log(`key ${options.key} exists`);
      break;
    }
    if (forbidden(result) && attempt < host.propagation.attempts) {
      log(`Key Vault refuses the new role assignment so far; retrying in ${Math.round(host.propagation.delayMs / 1000)} s (attempt ${attempt} of ${host.propagation.attempts})`);
      await host.sleep(host.propagation.delayMs);
      continue;
    }
    if (!notFound(result)) throw new BootstrapError(`az keyvault key show failed: ${firstLine(result.stderr)}`);
    log(`creating key ${options.key}`);
    await json(["keyvault", "key", "create", "--vault-name", vaultName, "--name", options.key, "--kty", "RSA", "--size", KEY_SIZE, "--ops", "wrapKey", "unwrapKey", "encrypt", "decrypt"]);
    break;
  }

  const keyUrl = `azurekeyvault://${vaultName}.${environment.hosts.vault}/keys/${options.key}`;
  return { storageAccount, container: options.container, vault: vaultName, keyUrl, nextSteps: nextSteps(options, { storageAccount, keyUrl }, host.platform) };
}

/** The variables the Pulumi CLI needs for this backend, then the two commands, in the host's shell syntax. */
function nextSteps(options: StateBackendOptions, backend: { storageAccount: string; keyUrl: string }, platform: NodeJS.Platform): string[] {
  const environment = AZURE_ENVIRONMENTS[options.azureEnvironment];
  const variables: [string, string][] = [
    ["AZURE_STORAGE_ACCOUNT", backend.storageAccount],
    ...(options.azureEnvironment === "public" ? [] : ([["AZURE_STORAGE_DOMAIN", environment.hosts.blob], ["ARM_ENVIRONMENT", options.azureEnvironment]] as [string, string][])),
    ["AZURE_KEYVAULT_AUTH_VIA_CLI", "true"],
  ];
  const set = platform === "win32" ? ([name, value]: [string, string]) => `$env:${name} = "${value}"` : ([name, value]: [string, string]) => `export ${name}=${value}`;
  return [...variables.map(set), `pulumi login azblob://${options.container}`, `pulumi stack init gov --secrets-provider "${backend.keyUrl}"`];
}
