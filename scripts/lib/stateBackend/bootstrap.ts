/**
 * A self-managed Pulumi backend inside the agency's Azure subscription: a storage
 * account and container for the stack state, a Key Vault and key encrypting the
 * stack's secrets, to the stack's own rules for data at rest, keys, logs and network.
 * Each step looks first and creates only what is missing, so the bootstrap can run
 * again at any time. Everything goes through the Azure CLI the deployer is signed in with.
 */
import { createHash } from "node:crypto";
import { AZURE_ENVIRONMENTS, type AzureEnvironmentName } from "../../../infra/azureEnvironments";
import { SERVICE_KEY_ROTATION } from "../../../infra/encryptionKeys";
import { geoRedundantSku } from "../../../infra/geoRedundancy";
import { azSteps, BootstrapError, firstLine, type AzureCli } from "./azSteps";
import { ensureKey, keyVersion, secretsKeyRotation, untilPropagated, type Propagation } from "./keys";
import { ensureResourceLogs, ensureWorkspace } from "./logs";
import { closePublicAccess, ensurePrivateEndpoints } from "./network";

export interface StateBackendOptions {
  readonly azureEnvironment: AzureEnvironmentName;
  readonly resourceGroup: string;
  readonly location: string;
  /** Default: derived from the subscription, so a rerun finds the same names. */
  readonly storageAccount?: string;
  readonly container: string;
  readonly vault?: string;
  readonly key: string;
  /** The state account's customer-managed key, in the same vault. */
  readonly storageKey: string;
  /** ISO 8601 duration after which the secrets key rotates, or "none". */
  readonly keyRotation: string;
  /** Give an existing secrets key the rotation policy too (its stacks are pinned to a version). */
  readonly rotateExistingKey: boolean;
  /** A subnet's resource ID: private endpoints there, public network access off. */
  readonly privateEndpoint?: string;
  /** A Log Analytics workspace's resource ID for the resource logs; default: one made beside the state. */
  readonly logWorkspace?: string;
}

export interface StateBackendHost {
  readonly az: AzureCli;
  readonly log: (line: string) => void;
  /** Shell of the printed commands. */
  readonly platform: NodeJS.Platform;
  /** Waits between attempts while new role assignments propagate to the Key Vault data plane. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly propagation: { readonly attempts: number; readonly delayMs: number };
  /** A folder of this run for the JSON files az reads (rotation policies, log categories). */
  readonly scratchDirectory: string;
}

export interface StateBackend {
  readonly storageAccount: string;
  readonly container: string;
  readonly vault: string;
  /** The secrets provider's URL, naming the key's current version (see keys.ts for why). */
  readonly keyUrl: string;
  /** The environment variables and the two commands to run next, for the host's shell. */
  readonly nextSteps: string[];
}

const ROLE = { blobDataContributor: "Storage Blob Data Contributor", cryptoOfficer: "Key Vault Crypto Officer", encryptionUser: "Key Vault Crypto Service Encryption User" } as const;
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

export async function bootstrapStateBackend(options: StateBackendOptions, host: StateBackendHost): Promise<StateBackend> {
  const { az, log } = host;
  const environment = AZURE_ENVIRONMENTS[options.azureEnvironment];
  const steps = azSteps(az, log, host.scratchDirectory);
  const { run, json, existing, ensure } = steps;
  const propagation: Propagation = { ...host.propagation, sleep: host.sleep };

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

  const grant = async (role: string, scope: string, who: { id: string; type: string; name: string }) => {
    const assignments = await json<unknown[]>(["role", "assignment", "list", "--assignee", who.id, "--role", role, "--scope", scope]);
    if (assignments.length > 0) {
      log(`role "${role}" already granted to ${who.name}`);
      return;
    }
    log(`granting "${role}" to ${who.name}`);
    await json(["role", "assignment", "create", "--assignee-object-id", who.id, "--assignee-principal-type", who.type, "--role", role, "--scope", scope]);
  };
  const deployer = { id: principalId, type: principalType, name: account.user.name };

  await ensure(`resource group ${options.resourceGroup}`, ["group", "show", "--name", options.resourceGroup], ["group", "create", "--name", options.resourceGroup, "--location", options.location]);

  // Entra sign-in only: the state holds every resource's settings, and the deployer's Azure login is the key to it.
  // At rest as the stack's own account: geo-redundant (bf045164) and under infrastructure encryption (4733ea7b), set at creation only.
  const storage = await ensure<{ id: string; encryption?: { keySource?: string } }>(
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
  await grant(ROLE.blobDataContributor, storage.id, deployer);

  const vault = await ensure<{ id: string }>(
    `key vault ${vaultName}`,
    ["keyvault", "show", "--name", vaultName, ...group],
    ["keyvault", "create", "--name", vaultName, ...group, "--location", options.location, "--enable-rbac-authorization", "true", "--enable-purge-protection", "true", "--retention-days", "90"],
  );
  await grant(ROLE.cryptoOfficer, vault.id, deployer);

  const rotation = options.keyRotation === "none" ? undefined : secretsKeyRotation(options.keyRotation);
  const keySpec = { vault: vaultName, rotateExisting: options.rotateExistingKey };
  const secretsKey = await ensureKey({ ...keySpec, name: options.key, ops: ["wrapKey", "unwrapKey", "encrypt", "decrypt"], rotation }, az, steps, propagation, log);

  // The state under a customer-managed key (6fac406b, SC-12) that a user-assigned identity may only wrap and unwrap with, as the stack's account.
  await ensureKey({ ...keySpec, name: options.storageKey, ops: ["wrapKey", "unwrapKey"], rotation: SERVICE_KEY_ROTATION, rotateExisting: true }, az, steps, propagation, log);
  if (storage.encryption?.keySource?.toLowerCase() !== "microsoft.keyvault") {
    const identity = await ensure<{ id: string; principalId: string }>(
      `identity ${storageAccount}-encryption`,
      ["identity", "show", "--name", `${storageAccount}-encryption`, ...group],
      ["identity", "create", "--name", `${storageAccount}-encryption`, ...group, "--location", options.location],
    );
    await grant(ROLE.encryptionUser, `${vault.id}/keys/${options.storageKey}`, { id: identity.principalId, type: "ServicePrincipal", name: `identity ${storageAccount}-encryption` });
    log(`encrypting storage account ${storageAccount} with key ${options.storageKey}`);
    const update = [
      "storage", "account", "update", "--name", storageAccount, ...group, "--identity-type", "UserAssigned", "--user-identity-id", identity.id,
      "--encryption-key-source", "Microsoft.Keyvault", "--encryption-key-vault", `https://${vaultName}.${environment.hosts.vault}/`, "--encryption-key-name", options.storageKey,
      "--key-vault-user-identity-id", identity.id, "--output", "json",
    ];
    const result = await untilPropagated("Storage", () => az(update), (answer) => /access|permission|Forbidden|not authorized/i.test(answer.stderr), propagation, log);
    if (result.code !== 0) throw new BootstrapError(`az storage account update failed: ${firstLine(result.stderr)}`);
  } else {
    log(`storage account ${storageAccount} is encrypted with a customer-managed key`);
  }

  const workspace = await ensureWorkspace(options.logWorkspace, `pulumi-state-logs-${suffix}`, group, options.location, steps);
  await ensureResourceLogs(`key vault ${vaultName}`, vault.id, "keyVault", workspace, steps, log);
  await ensureResourceLogs(`the blob service of ${storageAccount}`, `${storage.id}/blobServices/default`, "blobService", workspace, steps, log);

  if (options.privateEndpoint !== undefined) {
    const targets = [
      { name: storageAccount, resourceId: storage.id, service: "blob" as const },
      { name: vaultName, resourceId: vault.id, service: "vault" as const },
    ];
    await ensurePrivateEndpoints(targets, options.privateEndpoint, environment, group, options.location, steps);
    await closePublicAccess(storageAccount, vaultName, group, steps, log);
  }

  const keyUrl = `azurekeyvault://${vaultName}.${environment.hosts.vault}/keys/${options.key}/${keyVersion(secretsKey)}`;
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
