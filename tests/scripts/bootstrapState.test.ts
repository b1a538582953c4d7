/**
 * `npm run bootstrap-state` against a stand-in `az` on PATH (tests/support/fakeAz.sh)
 * that records every invocation and answers with the Azure CLI's JSON shapes and
 * exit codes: it creates what is missing, nothing when run again, and prints the
 * two commands to run next; the Windows path (az.cmd through cmd.exe) runs
 * through an injected platform and a stand-in cmd.exe. The first run is the script itself
 * (tsx, as `npm run` starts it); the others run its command line in this process.
 *
 * Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 16: the script itself, and a stand-in az (a shell script) for every call.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SERVICE_KEY_ROTATION } from "../../infra/encryptionKeys";
import { azureCliOn, BootstrapError } from "../../scripts/lib/stateBackend/azSteps";
import { bootstrapStateBackend } from "../../scripts/lib/stateBackend/bootstrap";
import { quoteForCmd } from "../../uploader/src/auth/toolRunner";
import { bootstrapStateCli } from "../../scripts/lib/stateBackend/cli";
import { runScript as runNpmScript, runScriptHere } from "../support/cli";
import { writeFakeCmdExe } from "../support/fakeCmdExe";
import { helperExecFile } from "../support/toolProcesses";
import { DEFAULT_STATE_NAMES, FAKE_SUBSCRIPTION, FAKE_USER_ID, FakeAzure, GOV_BOOTSTRAP, type FakeAzureState } from "../support/fakeAzure";

const SUBSCRIPTION = FAKE_SUBSCRIPTION;
const USER_ID = FAKE_USER_ID;
const { suffix: SUFFIX, account: ACCOUNT, vault: VAULT } = DEFAULT_STATE_NAMES;
const KEY_VERSION = "0123456789abcdef0123456789abcdef";
const KEY_URL = `azurekeyvault://${VAULT}.vault.usgovcloudapi.net/keys/pulumi-secrets/${KEY_VERSION}`;
const GROUP_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/pulumi-state`;
const ACCOUNT_ID = `${GROUP_ID}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`;
const VAULT_ID = `${GROUP_ID}/providers/Microsoft.KeyVault/vaults/${VAULT}`;
const WORKSPACE_ID = `${GROUP_ID}/providers/Microsoft.OperationalInsights/workspaces/pulumi-state-logs-${SUFFIX}`;
const SUBNET_ID = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/agency-network/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints";

let directory: string;
let azure: FakeAzure;

const resetAzure = (overrides?: FakeAzureState) => azure.reset(overrides);
const invocations = () => azure.invocations();
const calls = (prefix: string) => azure.calls(prefix);
const creations = () => invocations().filter((argv) => argv.includes("create"));
const roleAssignments = () => azure.lines<object>("role-assignments");
const diagnosticSettings = () => azure.lines<{ resource: string; workspaceId: string; logs: unknown }>("diagnostic-settings");
/** The value after `flag` in one invocation. */
const flag = (argv: readonly string[] | undefined, name: string) => argv?.[argv.indexOf(name) + 1];
/** The rotation policy the stand-in holds for a key of the state vault. */
const rotationPolicy = (key: string): unknown => azure.resource(`rotation__${VAULT}__${key}`);
const fakeEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => azure.env(extra);
/** `npm run bootstrap-state` with the stand-in az first on PATH, as a child process. */
const runScript = (args: string[], env: NodeJS.ProcessEnv = fakeEnv()) => runNpmScript("bootstrap-state.ts", args, env);
/** The same command line in this process. */
const runHere = (args: string[], env: NodeJS.ProcessEnv = fakeEnv()) => runScriptHere(bootstrapStateCli, args, { env, platform: "linux" });

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), "hr-bootstrap-"));
  azure = new FakeAzure(directory);
  writeFakeCmdExe(directory);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("npm run bootstrap-state in Azure Government", () => {
  let first: Awaited<ReturnType<typeof runScript>>;
  let firstCreations: string[][];
  beforeAll(async () => {
    resetAzure();
    first = await runScript([]);
    firstCreations = creations();
  });

  it("creates the group, an Entra-only storage account, its container, a purge-protected RBAC vault, the keys, the key's identity and the log workspace, in that order", () => {
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(firstCreations.map((argv) => argv.slice(0, argv.indexOf("create") + 1).join(" "))).toEqual([
      "group create",
      "storage account create",
      "storage container-rm create",
      "role assignment create",
      "keyvault create",
      "role assignment create",
      "keyvault key create",
      "keyvault key create",
      "identity create",
      "role assignment create",
      "monitor log-analytics workspace create",
      "monitor diagnostic-settings create",
      "monitor diagnostic-settings create",
    ]);
    const [, account, container, , vault, , key, storageKey] = firstCreations as string[][];
    expect(account).toEqual(expect.arrayContaining(["--name", ACCOUNT, "--allow-shared-key-access", "false", "--allow-blob-public-access", "false", "--min-tls-version", "TLS1_2", "--https-only", "true"]));
    // At rest as the stack's own account: GZRS in usgovvirginia (bf045164), infrastructure encryption (4733ea7b).
    expect(flag(account, "--sku")).toBe("Standard_GZRS");
    expect(flag(account, "--require-infrastructure-encryption")).toBe("true");
    expect(container).toEqual(expect.arrayContaining(["--storage-account", ACCOUNT, "--name", "pulumi-state", "--public-access", "off"]));
    expect(vault).toEqual(expect.arrayContaining(["--name", VAULT, "--enable-rbac-authorization", "true", "--enable-purge-protection", "true"]));
    expect(key).toEqual(expect.arrayContaining(["--vault-name", VAULT, "--name", "pulumi-secrets", "--kty", "RSA", "--size", "3072"]));
    expect(storageKey?.slice(storageKey.indexOf("--name"))).toEqual(["--name", "pulumi-state-storage", "--kty", "RSA", "--size", "3072", "--ops", "wrapKey", "unwrapKey", "--output", "json"]);
    expect(invocations()).toContainEqual(expect.arrayContaining(["blob-service-properties", "update", "--enable-versioning", "true"]));
  });

  it("puts the state under its own customer-managed key (6fac406b), through a user-assigned identity that may only wrap and unwrap with it", () => {
    const identity = `${GROUP_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${ACCOUNT}-encryption`;
    const [update, ...others] = calls("storage account update");
    expect(others).toEqual([]);
    expect(update?.slice(3)).toEqual([
      "--name", ACCOUNT, "--resource-group", "pulumi-state", "--identity-type", "UserAssigned", "--user-identity-id", identity,
      "--encryption-key-source", "Microsoft.Keyvault", "--encryption-key-vault", `https://${VAULT}.vault.usgovcloudapi.net/`, "--encryption-key-name", "pulumi-state-storage",
      "--key-vault-user-identity-id", identity, "--output", "json",
    ]);
    expect(roleAssignments()).toContainEqual({ principalId: "55555555-5555-4555-8555-555555555555", principalType: "ServicePrincipal", role: "Key Vault Crypto Service Encryption User", scope: `${VAULT_ID}/keys/pulumi-state-storage` });
    // The grant is made before Storage is told to use the key.
    const order = invocations().map((argv) => argv.slice(0, 3).join(" "));
    expect(order.lastIndexOf("role assignment create")).toBeLessThan(order.indexOf("storage account update"));
  });

  it("gives both keys a rotation policy: the secrets key rotates yearly with no expiry, the storage key as the stack's keys", () => {
    expect(rotationPolicy("pulumi-secrets")).toEqual({ lifetimeActions: [{ action: { type: "Rotate" }, trigger: { timeAfterCreate: "P1Y" } }] });
    expect(rotationPolicy("pulumi-state-storage")).toEqual(SERVICE_KEY_ROTATION);
  });

  it("sends the vault's audit events and the state container's reads, writes and deletes to a workspace beside the state", () => {
    expect(flag(calls("monitor log-analytics workspace create")[0], "--retention-time")).toBe("365");
    expect(diagnosticSettings()).toEqual([
      { resource: VAULT_ID, name: "to-log-analytics", workspaceId: WORKSPACE_ID, logs: [{ category: "AuditEvent", enabled: true }] },
      {
        resource: `${ACCOUNT_ID}/blobServices/default`,
        name: "to-log-analytics",
        workspaceId: WORKSPACE_ID,
        logs: [{ category: "StorageRead", enabled: true }, { category: "StorageWrite", enabled: true }, { category: "StorageDelete", enabled: true }],
      },
    ]);
    expect(flag(calls("monitor diagnostic-settings create")[1], "--export-to-resource-specific")).toBe("true");
  });

  it("leaves public network access as it is without --private-endpoint", () => {
    expect(calls("network")).toEqual([]);
    expect(calls("keyvault update")).toEqual([]);
  });

  it("grants the signed-in user data access to the state and the key, on those two resources only", () => {
    expect(roleAssignments().filter((assignment) => "principalId" in assignment && assignment.principalId === USER_ID)).toEqual([
      { principalId: USER_ID, principalType: "User", role: "Storage Blob Data Contributor", scope: ACCOUNT_ID },
      { principalId: USER_ID, principalType: "User", role: "Key Vault Crypto Officer", scope: VAULT_ID },
    ]);
  });

  it("ends with the Gov variables and the two commands to run next, the secrets provider pinned to the key's version", () => {
    expect(first.stdout.trimEnd().split("\n").slice(-6)).toEqual([
      `  export AZURE_STORAGE_ACCOUNT=${ACCOUNT}`,
      "  export AZURE_STORAGE_DOMAIN=blob.core.usgovcloudapi.net",
      "  export ARM_ENVIRONMENT=usgovernment",
      "  export AZURE_KEYVAULT_AUTH_VIA_CLI=true",
      "  pulumi login azblob://pulumi-state",
      `  pulumi stack init gov --secrets-provider "${KEY_URL}"`,
    ]);
  });

  it("creates and changes nothing when run again, and prints the same commands", async () => {
    azure.clearLog();
    const again = await runHere([]);
    expect(again.code).toBe(0);
    expect(creations()).toEqual([]);
    expect(invocations().filter((argv) => argv.includes("update") && !argv.includes("blob-service-properties"))).toEqual([]);
    expect(again.stdout).toContain(`storage account ${ACCOUNT} exists`);
    expect(again.stdout).toContain('role "Key Vault Crypto Officer" already granted');
    expect(again.stdout.split("\n").slice(-3)).toEqual(first.stdout.split("\n").slice(-3));
  });
});

describe("npm run bootstrap-state refuses", () => {
  it("an Azure CLI set to another cloud, before creating anything", async () => {
    resetAzure({ cloud: "AzureCloud" });
    const result = await runHere([]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe("bootstrap-state: the Azure CLI is set to AzureCloud, not AzureUSGovernment (Azure Government): az cloud set --name AzureUSGovernment && az login\n");
    expect(invocations()).toEqual([["cloud", "show", "--query", "name", "--output", "tsv"]]);
  });

  it("a name Azure would refuse, without calling az", async () => {
    resetAzure();
    const result = await runHere(["--storage-account", "Pulumi_State"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('storageAccount "Pulumi_State" must be 3-24 lowercase letters and digits');
    expect(invocations()).toEqual([]);
  });

  it("a --private-endpoint that is no subnet ID, a --key-rotation that is no duration and a --log-workspace that is no workspace ID, without calling az", async () => {
    resetAzure();
    const result = await runHere(["--private-endpoint", "endpoints", "--key-rotation", "yearly", "--log-workspace", "siem"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      '--key-rotation "yearly" must be an ISO 8601 duration (P1Y, P90D) or none',
      `--log-workspace "siem" must be a Log Analytics workspace's resource ID`,
      '--private-endpoint "endpoints" must be a subnet\'s resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>',
    ]);
    expect(invocations()).toEqual([]);
  });

  it("to run without the Azure CLI, saying where to get it", async () => {
    const result = await runHere([], { ...fakeEnv(), PATH: directory });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/the Azure CLI \(az\) is not installed or not on PATH/);
  });
});

describe("bootstrapStateBackend", () => {
  const host = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv, sleeps: number[] = []) => ({
    az: azureCliOn(platform, env, helperExecFile),
    log: () => undefined,
    platform,
    sleep: async (ms: number) => void sleeps.push(ms),
    propagation: { attempts: 3, delayMs: 15_000 },
    scratchDirectory: directory,
  });

  it("runs az.cmd through cmd.exe on Windows and prints PowerShell", async () => {
    resetAzure();
    const backend = await bootstrapStateBackend(GOV_BOOTSTRAP, host("win32", { ...fakeEnv(), ComSpec: path.join(directory, "cmd.exe"), SystemRoot: directory, PATH: azure.bin }));
    expect(creations()).toHaveLength(13);
    expect(backend.nextSteps[0]).toBe(`$env:AZURE_STORAGE_ACCOUNT = "${ACCOUNT}"`);
    expect(backend.nextSteps.slice(-2)).toEqual(["pulumi login azblob://pulumi-state", `pulumi stack init gov --secrets-provider "${KEY_URL}"`]);
  });

  it("waits while Key Vault refuses a role assignment it has not seen yet", async () => {
    resetAzure({ keyForbiddenReads: 2 });
    const sleeps: number[] = [];
    const backend = await bootstrapStateBackend(GOV_BOOTSTRAP, host("linux", fakeEnv(), sleeps));
    expect(sleeps).toEqual([15_000, 15_000]);
    expect(backend.keyUrl).toBe(KEY_URL);
    expect(calls("keyvault key create")).toHaveLength(2);
  });

  it("waits while Storage refuses the key its identity was just granted, and gives up with Storage's refusal once the attempts are spent", async () => {
    resetAzure({ customerManagedKeyRefusals: 2 });
    const sleeps: number[] = [];
    await bootstrapStateBackend(GOV_BOOTSTRAP, host("linux", fakeEnv(), sleeps));
    expect(sleeps).toEqual([15_000, 15_000]);
    expect(calls("storage account update")).toHaveLength(3);
    resetAzure({ customerManagedKeyRefusals: 3 });
    await expect(bootstrapStateBackend(GOV_BOOTSTRAP, host("linux", fakeEnv()))).rejects.toThrow(
      "az storage account update failed: ERROR: (KeyVaultAuthenticationFailure) The operation failed because the key vault key is not found or access is denied.",
    );
  });

  it("gives up with Key Vault's refusal once the attempts are spent", async () => {
    resetAzure({ keyForbiddenReads: 5 });
    const attempt = bootstrapStateBackend(GOV_BOOTSTRAP, host("linux", fakeEnv()));
    await expect(attempt).rejects.toThrow(BootstrapError);
    await expect(attempt).rejects.toThrow(/az keyvault key show failed: ERROR: \(Forbidden\) Caller is not authorized/);
  });

  it("makes the state geo-redundant by the stack's rule: GRS in a region without GZRS", async () => {
    resetAzure();
    await bootstrapStateBackend({ ...GOV_BOOTSTRAP, location: "usgovarizona" }, host("linux", fakeEnv()));
    expect(flag(calls("storage account create")[0], "--sku")).toBe("Standard_GRS");
  });

  describe("--private-endpoint", () => {
    let order: string[];
    beforeAll(async () => {
      resetAzure();
      await bootstrapStateBackend({ ...GOV_BOOTSTRAP, privateEndpoint: SUBNET_ID }, host("linux", fakeEnv()));
      order = invocations().map((argv) => argv.slice(0, argv.findIndex((word) => word.startsWith("--"))).join(" "));
    });

    it("puts the blob service and the vault behind endpoints in the subnet, named by Azure Government's zones linked to its network", () => {
      const endpoints = calls("network private-endpoint create");
      expect(endpoints.map((argv) => [flag(argv, "--name"), flag(argv, "--subnet"), flag(argv, "--private-connection-resource-id"), flag(argv, "--group-id")])).toEqual([
        [`${ACCOUNT}-blob`, SUBNET_ID, ACCOUNT_ID, "blob"],
        [`${VAULT}-vault`, SUBNET_ID, VAULT_ID, "vault"],
      ]);
      expect(calls("network private-dns zone create").map((argv) => flag(argv, "--name"))).toEqual(["privatelink.blob.core.usgovcloudapi.net", "privatelink.vaultcore.usgovcloudapi.net"]);
      const hub = SUBNET_ID.replace(/\/subnets\/endpoints$/, "");
      expect(calls("network private-dns link vnet create").map((argv) => [flag(argv, "--zone-name"), flag(argv, "--virtual-network"), flag(argv, "--registration-enabled")])).toEqual([
        ["privatelink.blob.core.usgovcloudapi.net", hub, "false"],
        ["privatelink.vaultcore.usgovcloudapi.net", hub, "false"],
      ]);
      expect(calls("network private-endpoint dns-zone-group create").map((argv) => [flag(argv, "--endpoint-name"), flag(argv, "--private-dns-zone")])).toEqual([
        [`${ACCOUNT}-blob`, `${GROUP_ID}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.usgovcloudapi.net`],
        [`${VAULT}-vault`, `${GROUP_ID}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.usgovcloudapi.net`],
      ]);
    });

    it("closes the account and the vault to public networks last, after every step that needs the vault's data plane", () => {
      expect(order.slice(-2)).toEqual(["storage account update", "keyvault update"]);
      expect(flag(calls("storage account update").at(-1), "--public-network-access")).toBe("Disabled");
      expect(flag(calls("keyvault update")[0], "--public-network-access")).toBe("Disabled");
      expect(order.lastIndexOf("keyvault key rotation-policy update")).toBeLessThan(order.length - 2);
    });

    it("then, from outside the network, stops at the vault's firewall at once, saying where to run from", async () => {
      azure.closeKeyVaultFirewall();
      const sleeps: number[] = [];
      const attempt = bootstrapStateBackend({ ...GOV_BOOTSTRAP, privateEndpoint: SUBNET_ID }, host("linux", fakeEnv(), sleeps));
      await expect(attempt).rejects.toThrow(`key vault ${VAULT} refuses this machine's network (its public access is off): run bootstrap-state from inside the network of its private endpoint`);
      expect(sleeps).toEqual([]);
    });
  });

  describe("the secrets key's rotation", () => {
    it("is left off with --key-rotation none, and the storage key still rotates", async () => {
      resetAzure();
      await bootstrapStateBackend({ ...GOV_BOOTSTRAP, keyRotation: "none" }, host("linux", fakeEnv()));
      expect(rotationPolicy("pulumi-secrets")).toBeUndefined();
      expect(rotationPolicy("pulumi-state-storage")).toEqual(SERVICE_KEY_ROTATION);
    });

    it("is not added to a key that exists without one unless asked (its stacks may name it without a version), and is when asked", async () => {
      // The key as an earlier bootstrap left it: no policy.
      resetAzure();
      await bootstrapStateBackend({ ...GOV_BOOTSTRAP, keyRotation: "none" }, host("linux", fakeEnv()));
      const lines: string[] = [];
      await bootstrapStateBackend(GOV_BOOTSTRAP, { ...host("linux", fakeEnv()), log: (line) => void lines.push(line) });
      expect(rotationPolicy("pulumi-secrets")).toBeUndefined();
      expect(lines).toContainEqual(expect.stringMatching(/^key pulumi-secrets has no rotation policy, and gets none from a rerun: .* then run again with --key-rotation$/));
      await bootstrapStateBackend({ ...GOV_BOOTSTRAP, keyRotation: "P90D", rotateExistingKey: true }, host("linux", fakeEnv()));
      expect(rotationPolicy("pulumi-secrets")).toEqual({ lifetimeActions: [{ action: { type: "Rotate" }, trigger: { timeAfterCreate: "P90D" } }] });
    });
  });

  it("sends the resource logs to the workspace --log-workspace names, making none", async () => {
    resetAzure();
    const agencyWorkspace = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/agency-siem";
    await bootstrapStateBackend({ ...GOV_BOOTSTRAP, logWorkspace: agencyWorkspace }, host("linux", fakeEnv()));
    expect(calls("monitor log-analytics")).toEqual([]);
    expect(diagnosticSettings().map((setting) => setting.workspaceId)).toEqual([agencyWorkspace, agencyWorkspace]);
  });

  it("leaves the Gov variables out in commercial Azure", async () => {
    resetAzure({ cloud: "AzureCloud" });
    const backend = await bootstrapStateBackend({ ...GOV_BOOTSTRAP, azureEnvironment: "public", location: "eastus" }, host("linux", fakeEnv()));
    expect(backend.nextSteps).toEqual([
      `export AZURE_STORAGE_ACCOUNT=${ACCOUNT}`,
      "export AZURE_KEYVAULT_AUTH_VIA_CLI=true",
      "pulumi login azblob://pulumi-state",
      `pulumi stack init gov --secrets-provider "azurekeyvault://${VAULT}.vault.azure.net/keys/pulumi-secrets/${KEY_VERSION}"`,
    ]);
  });
});

describe("quoteForCmd", () => {
  it("passes plain arguments, quotes spaced ones and refuses what cmd.exe would expand", () => {
    expect(quoteForCmd("--resource-group")).toBe("--resource-group");
    expect(quoteForCmd("/subscriptions/1/resourceGroups/a")).toBe("/subscriptions/1/resourceGroups/a");
    expect(quoteForCmd("Storage Blob Data Contributor")).toBe('"Storage Blob Data Contributor"');
    for (const unsafe of ['say "hi"', "%PATH%", "a!b", "a^b", "line\nbreak"]) expect(() => quoteForCmd(unsafe)).toThrow(/cmd.exe would reinterpret/);
  });
});
