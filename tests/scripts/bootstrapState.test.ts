/**
 * `npm run bootstrap-state` against a stand-in `az` on PATH (tests/support/fakeAz.sh)
 * that records every invocation and answers with the Azure CLI's JSON shapes and
 * exit codes: it creates what is missing, nothing when run again, and prints the
 * two commands to run next; the Windows path (az.cmd through cmd.exe) runs
 * through an injected platform and a stand-in cmd.exe.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { azureCliOn, BootstrapError, bootstrapStateBackend, type StateBackendOptions } from "../../scripts/lib/stateBackend";
import { quoteForCmd } from "../../uploader/src/toolRunner";
import { runScript as runNpmScript } from "../support/cli";
import { writeFakeCmdExe } from "../support/fakeCmdExe";

const FAKE_AZ = path.join(__dirname, "..", "support", "fakeAz.sh");
const SUBSCRIPTION = "11111111-1111-4111-8111-111111111111";
const USER_ID = "44444444-4444-4444-8444-444444444444";
const SUFFIX = createHash("sha256").update(SUBSCRIPTION).digest("hex").slice(0, 8);
const ACCOUNT = `pulumistate${SUFFIX}`;
const VAULT = `pulumi-state-${SUFFIX}`;
const GOV_OPTIONS: StateBackendOptions = { azureEnvironment: "usgovernment", resourceGroup: "pulumi-state", location: "usgovvirginia", container: "pulumi-state", key: "pulumi-secrets" };

let directory: string;
let bin: string;
let statePath: string;
let logPath: string;

/** The Azure that the stand-in az sees: signed in to the Gov cloud with nothing created, unless overridden. */
function resetAzure(overrides: { cloud?: string; keyForbiddenReads?: number } = {}) {
  rmSync(statePath, { recursive: true, force: true });
  mkdirSync(path.join(statePath, "resources"), { recursive: true });
  const account = { id: SUBSCRIPTION, tenantId: "22222222-2222-4222-8222-222222222222", user: { name: "admin@agency.onmicrosoft.us", type: "user" } };
  writeFileSync(path.join(statePath, "cloud"), `${overrides.cloud ?? "AzureUSGovernment"}\n`);
  writeFileSync(path.join(statePath, "subscription"), `${account.id}\n`);
  writeFileSync(path.join(statePath, "account.json"), `${JSON.stringify(account)}\n`);
  writeFileSync(path.join(statePath, "signed-in-user"), `${USER_ID}\n`);
  writeFileSync(path.join(statePath, "key-forbidden-reads"), `${overrides.keyForbiddenReads ?? 0}\n`);
  writeFileSync(logPath, "");
}

/** Every az invocation since the last reset, as argv arrays. */
const invocations = (): string[][] => readFileSync(logPath, "utf8").split("\n").filter(Boolean).map((line) => line.split("\x1f").slice(0, -1));
/** The role assignments the stand-in holds. */
const roleAssignments = (): object[] => readFileSync(path.join(statePath, "role-assignments"), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as object);
const creations = () => invocations().filter((argv) => argv.includes("create"));
const fakeEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, FAKE_AZ_STATE: statePath, FAKE_AZ_LOG: logPath, ...extra });
/** `npm run bootstrap-state` with the stand-in az first on PATH. */
const runScript = (args: string[], env: NodeJS.ProcessEnv = fakeEnv()) => runNpmScript("bootstrap-state.ts", args, env);

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), "hr-bootstrap-"));
  bin = path.join(directory, "bin");
  mkdirSync(bin);
  copyFileSync(FAKE_AZ, path.join(bin, "az"));
  writeFakeCmdExe(directory);
  statePath = path.join(directory, "azure");
  logPath = path.join(directory, "az.log");
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

  it("creates the group, an Entra-only storage account, its container, a purge-protected RBAC vault and an RSA key, in that order", () => {
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
    ]);
    const [, account, container, , vault, , key] = firstCreations as string[][];
    expect(account).toEqual(expect.arrayContaining(["--name", ACCOUNT, "--allow-shared-key-access", "false", "--allow-blob-public-access", "false", "--min-tls-version", "TLS1_2", "--https-only", "true"]));
    // At rest as the stack's own account: GZRS in usgovvirginia (bf045164), infrastructure encryption (4733ea7b).
    expect(account?.slice(account.indexOf("--sku"), account.indexOf("--sku") + 2)).toEqual(["--sku", "Standard_GZRS"]);
    expect(account?.slice(account.indexOf("--require-infrastructure-encryption"), account.indexOf("--require-infrastructure-encryption") + 2)).toEqual(["--require-infrastructure-encryption", "true"]);
    expect(container).toEqual(expect.arrayContaining(["--storage-account", ACCOUNT, "--name", "pulumi-state", "--public-access", "off"]));
    expect(vault).toEqual(expect.arrayContaining(["--name", VAULT, "--enable-rbac-authorization", "true", "--enable-purge-protection", "true"]));
    expect(key).toEqual(expect.arrayContaining(["--vault-name", VAULT, "--name", "pulumi-secrets", "--kty", "RSA", "--size", "3072"]));
    expect(invocations()).toContainEqual(expect.arrayContaining(["blob-service-properties", "update", "--enable-versioning", "true"]));
  });

  it("grants the signed-in user data access to the state and the key, on those two resources only", () => {
    expect(roleAssignments()).toEqual([
      { principalId: USER_ID, principalType: "User", role: "Storage Blob Data Contributor", scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/pulumi-state/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}` },
      { principalId: USER_ID, principalType: "User", role: "Key Vault Crypto Officer", scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/pulumi-state/providers/Microsoft.KeyVault/vaults/${VAULT}` },
    ]);
  });

  it("ends with the Gov variables and the two commands to run next", () => {
    expect(first.stdout.trimEnd().split("\n").slice(-6)).toEqual([
      `  export AZURE_STORAGE_ACCOUNT=${ACCOUNT}`,
      "  export AZURE_STORAGE_DOMAIN=blob.core.usgovcloudapi.net",
      "  export ARM_ENVIRONMENT=usgovernment",
      "  export AZURE_KEYVAULT_AUTH_VIA_CLI=true",
      "  pulumi login azblob://pulumi-state",
      `  pulumi stack init gov --secrets-provider "azurekeyvault://${VAULT}.vault.usgovcloudapi.net/keys/pulumi-secrets"`,
    ]);
  });

  it("creates nothing when run again, and prints the same commands", async () => {
    writeFileSync(logPath, "");
    const again = await runScript([]);
    expect(again.code).toBe(0);
    expect(creations()).toEqual([]);
    expect(again.stdout).toContain(`storage account ${ACCOUNT} exists`);
    expect(again.stdout).toContain('role "Key Vault Crypto Officer" already granted');
    expect(again.stdout.split("\n").slice(-3)).toEqual(first.stdout.split("\n").slice(-3));
  });
});

describe("npm run bootstrap-state refuses", () => {
  it("an Azure CLI set to another cloud, before creating anything", async () => {
    resetAzure({ cloud: "AzureCloud" });
    const result = await runScript([]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe("bootstrap-state: the Azure CLI is set to AzureCloud, not AzureUSGovernment (Azure Government): az cloud set --name AzureUSGovernment && az login\n");
    expect(invocations()).toEqual([["cloud", "show", "--query", "name", "--output", "tsv"]]);
  });

  it("a name Azure would refuse, without calling az", async () => {
    resetAzure();
    const result = await runScript(["--storage-account", "Pulumi_State"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('storageAccount "Pulumi_State" must be 3-24 lowercase letters and digits');
    expect(invocations()).toEqual([]);
  });

  it("to run without the Azure CLI, saying where to get it", async () => {
    const result = await runScript([], { ...fakeEnv(), PATH: directory });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/the Azure CLI \(az\) is not installed or not on PATH/);
  });
});

describe("bootstrapStateBackend", () => {
  const host = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv, sleeps: number[] = []) => ({
    az: azureCliOn(platform, env),
    log: () => undefined,
    platform,
    sleep: async (ms: number) => void sleeps.push(ms),
    propagation: { attempts: 3, delayMs: 15_000 },
  });

  it("runs az.cmd through cmd.exe on Windows and prints PowerShell", async () => {
    resetAzure();
    const backend = await bootstrapStateBackend(GOV_OPTIONS, host("win32", { ...fakeEnv(), ComSpec: path.join(directory, "cmd.exe"), SystemRoot: directory, PATH: bin }));
    expect(creations()).toHaveLength(7);
    expect(backend.nextSteps[0]).toBe(`$env:AZURE_STORAGE_ACCOUNT = "${ACCOUNT}"`);
    expect(backend.nextSteps.slice(-2)).toEqual(["pulumi login azblob://pulumi-state", `pulumi stack init gov --secrets-provider "azurekeyvault://${VAULT}.vault.usgovcloudapi.net/keys/pulumi-secrets"`]);
  });

  it("waits while Key Vault refuses a role assignment it has not seen yet", async () => {
    resetAzure({ keyForbiddenReads: 2 });
    const sleeps: number[] = [];
    const backend = await bootstrapStateBackend(GOV_OPTIONS, host("linux", fakeEnv(), sleeps));
    expect(sleeps).toEqual([15_000, 15_000]);
    expect(backend.keyUrl).toBe(`azurekeyvault://${VAULT}.vault.usgovcloudapi.net/keys/pulumi-secrets`);
    expect(creations().at(-1)).toEqual(expect.arrayContaining(["keyvault", "key", "create"]));
  });

  it("gives up with Key Vault's refusal once the attempts are spent", async () => {
    resetAzure({ keyForbiddenReads: 5 });
    const attempt = bootstrapStateBackend(GOV_OPTIONS, host("linux", fakeEnv()));
    await expect(attempt).rejects.toThrow(BootstrapError);
    await expect(attempt).rejects.toThrow(/az keyvault key show failed: ERROR: \(Forbidden\) Caller is not authorized/);
  });

  it("makes the state geo-redundant by the stack's rule: GRS in a region without GZRS", async () => {
    resetAzure();
    await bootstrapStateBackend({ ...GOV_OPTIONS, location: "usgovarizona" }, host("linux", fakeEnv()));
    const account = creations().find((argv) => argv.join(" ").startsWith("storage account create")) ?? [];
    expect(account.slice(account.indexOf("--sku"), account.indexOf("--sku") + 2)).toEqual(["--sku", "Standard_GRS"]);
  });

  it("leaves the Gov variables out in commercial Azure", async () => {
    resetAzure({ cloud: "AzureCloud" });
    const backend = await bootstrapStateBackend({ ...GOV_OPTIONS, azureEnvironment: "public", location: "eastus" }, host("linux", fakeEnv()));
    expect(backend.nextSteps).toEqual([
      `export AZURE_STORAGE_ACCOUNT=${ACCOUNT}`,
      "export AZURE_KEYVAULT_AUTH_VIA_CLI=true",
      "pulumi login azblob://pulumi-state",
      `pulumi stack init gov --secrets-provider "azurekeyvault://${VAULT}.vault.azure.net/keys/pulumi-secrets"`,
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
