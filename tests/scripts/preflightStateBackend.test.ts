/**
 * Preflight's `state-backend` check: a backend bootstrap-state made (through the stateful
 * stand-in az) passes, read back through the same az; one made before bootstrap-state
 * learned the stack's rules (the documented JSON shapes, answered by a fake az) fails on
 * each rule it lacks, each with its fix.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CHECK_IDS, runPreflight, type CheckId, type PreflightStack } from "../../scripts/lib/preflight/checks";
import { keyVaultSecretsProvider } from "../../scripts/lib/preflight/stateBackendCheck";
import { HttpClient } from "../../scripts/lib/oci/http";
import { DEFAULT_IMAGE_BASE } from "../../scripts/lib/imageBase";
import { azureCliOn } from "../../scripts/lib/stateBackend/azSteps";
import { bootstrapStateBackend, type StateBackendOptions } from "../../scripts/lib/stateBackend/bootstrap";
import { ToolRunner } from "../../uploader/src/auth/toolRunner";
import { DEFAULT_STATE_NAMES, FAKE_SUBSCRIPTION, FakeAzure, GOV_BOOTSTRAP } from "../support/fakeAzure";
import { writeFakeAz } from "../support/fakeCli";
import { helperExecFile } from "../support/toolProcesses";

const { account: ACCOUNT, vault: VAULT } = DEFAULT_STATE_NAMES;
const GROUP_ID = `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/pulumi-state`;
const SUBNET_ID = `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/agency-network/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints`;
const STACK: PreflightStack = {
  project: "hr-connector",
  name: "gov",
  network: "private",
  vnetAddressSpace: "10.42.0.0/24",
  cloud: "gcch",
  azureEnvironment: "usgovernment",
  entraEnvironment: "usgovernment",
  location: "usgovvirginia",
  imageBase: DEFAULT_IMAGE_BASE,
  projectBackendUrl: `azblob://pulumi-state?storage_account=${ACCOUNT}`,
};
/** Every check but the login and this one: they make no call. */
const OTHERS = new Set<CheckId>(CHECK_IDS.filter((id) => id !== "cli-login" && id !== "state-backend"));

let directory: string;
let azure: FakeAzure;
let http: HttpClient;
beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), "hr-preflight-state-"));
  azure = new FakeAzure(directory);
  http = new HttpClient({ proxy: { noProxy: [] } });
});
afterAll(async () => {
  await http.close();
  rmSync(directory, { recursive: true, force: true });
});

/** The state-backend lines, as `status: title` (and the fix of a failure). */
async function stateBackendLines(stack: PreflightStack, env: NodeJS.ProcessEnv): Promise<string[]> {
  const lines = await runPreflight(stack, { types: [], unmapped: [] }, { runner: new ToolRunner({ platform: "linux", env, execFile: helperExecFile }), http, proxy: { noProxy: [] } }, OTHERS);
  return lines.filter((line) => line.id === "state-backend").map((line) => `${line.status}: ${line.title}${line.fix === undefined ? "" : ` | fix: ${line.fix}`}`);
}

/** bootstrap-state in this process, against the stateful stand-in az. */
const bootstrapHere = (options: StateBackendOptions) =>
  bootstrapStateBackend(options, { az: azureCliOn("linux", azure.env(), helperExecFile), log: () => undefined, platform: "linux", sleep: async () => undefined, propagation: { attempts: 1, delayMs: 0 }, scratchDirectory: directory });

describe("preflight's state-backend check", () => {
  it("passes a private backend bootstrap-state made, every rule read back through az", async () => {
    azure.reset();
    const backend = await bootstrapHere({ ...GOV_BOOTSTRAP, privateEndpoint: SUBNET_ID });
    const lines = await stateBackendLines({ ...STACK, secretsProvider: backend.keyUrl }, azure.env());
    expect(lines).toEqual([
      `passed: state account ${ACCOUNT} is geo-redundant (Standard_GZRS)`,
      `passed: state account ${ACCOUNT} has infrastructure encryption`,
      `passed: state account ${ACCOUNT} is encrypted with a customer-managed key`,
      `passed: state account ${ACCOUNT} sends its blob reads, writes and deletes to Log Analytics`,
      `passed: state account ${ACCOUNT} is closed to public networks, reached through a private endpoint`,
      `passed: state key vault ${VAULT} sends its audit events to Log Analytics`,
      `passed: state key vault ${VAULT} is closed to public networks, reached through a private endpoint`,
      `passed: key pulumi-secrets of ${VAULT} rotates after P1Y; the stack's secrets provider names version 0123456789abcdef0123456789abcdef`,
    ]);
  });

  it("passes a public stack's backend without private endpoints, and fails a private stack's, with the flag that adds them", async () => {
    azure.reset();
    const backend = await bootstrapHere(GOV_BOOTSTRAP);
    const publicStack = await stateBackendLines({ ...STACK, network: "public", secretsProvider: backend.keyUrl }, azure.env());
    expect(publicStack.filter((line) => !line.startsWith("passed"))).toEqual([]);
    expect(publicStack).toContain(`passed: state account ${ACCOUNT} is open to public networks, as the stack with network: public (--private-endpoint of bootstrap-state closes it)`);
    const privateStack = await stateBackendLines({ ...STACK, secretsProvider: backend.keyUrl }, azure.env());
    expect(privateStack.filter((line) => !line.startsWith("passed"))).toEqual([
      `failed: state account ${ACCOUNT} is open to public networks, while the stack has network: private | fix: npm run bootstrap-state -- (with the names it was made with) --private-endpoint <subnet ID>, from a machine inside that subnet's network`,
      `failed: state key vault ${VAULT} is open to public networks, while the stack has network: private | fix: npm run bootstrap-state -- (with the names it was made with) --private-endpoint <subnet ID>, from a machine inside that subnet's network`,
    ]);
  });

  describe("on a backend an earlier bootstrap-state made", () => {
    const ACCOUNT_ID = `${GROUP_ID}/providers/Microsoft.Storage/storageAccounts/hrstate`;
    const VAULT_ID = `${GROUP_ID}/providers/Microsoft.KeyVault/vaults/hr-state-vault`;
    /** `az storage account show` and `az keyvault show` as Azure answers them for such a backend (the parts read, and a few beside). */
    const earlier = (rotation: object) => ({
      "account show --output json": { id: FAKE_SUBSCRIPTION, name: "gov", tenantId: "22222222-2222-4222-8222-222222222222", user: { name: "admin@agency.onmicrosoft.us", type: "user" } },
      "storage account show --name hrstate --output json": {
        id: ACCOUNT_ID,
        kind: "StorageV2",
        name: "hrstate",
        sku: { name: "Standard_LRS", tier: "Standard" },
        encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: null, services: { blob: { enabled: true, keyType: "Account" } } },
        publicNetworkAccess: "Enabled",
        privateEndpointConnections: [],
      },
      [`monitor diagnostic-settings list --resource ${ACCOUNT_ID}/blobServices/default --output json`]: [],
      "keyvault show --name hr-state-vault --output json": { id: VAULT_ID, name: "hr-state-vault", properties: { enableRbacAuthorization: true, publicNetworkAccess: "Enabled", privateEndpointConnections: null } },
      [`monitor diagnostic-settings list --resource ${VAULT_ID} --output json`]: { value: [{ name: "partial", logs: [{ category: "AzurePolicyEvaluationDetails", enabled: true }] }] },
      "keyvault key rotation-policy show --vault-name hr-state-vault --name pulumi-secrets --output json": rotation,
    });
    const DEFAULT_POLICY = { id: "https://hr-state-vault.vault.usgovcloudapi.net/keys/pulumi-secrets/rotationpolicy", lifetimeActions: [{ action: { type: "Notify" }, trigger: { timeBeforeExpiry: "P30D" } }], attributes: { expiryTime: null } };
    const VERSIONLESS = "azurekeyvault://hr-state-vault.vault.usgovcloudapi.net/keys/pulumi-secrets";
    const run = (rotation: object, secretsProvider: string) => {
      const tools = mkdtempSync(path.join(directory, "tools-"));
      writeFakeAz(tools, earlier(rotation));
      return stateBackendLines({ ...STACK, projectBackendUrl: "azblob://pulumi-state", stateStorageAccount: "hrstate", secretsProvider }, { PATH: `${tools}:${process.env.PATH}` });
    };

    it("fails each rule it lacks, each with its fix, the account named by AZURE_STORAGE_ACCOUNT", async () => {
      expect(await run(DEFAULT_POLICY, VERSIONLESS)).toEqual([
        "failed: state account hrstate is Standard_LRS, not geo-redundant (built-in bf045164) | fix: az storage account update --name hrstate --sku Standard_GRS (or ask for a conversion to GZRS in the portal)",
        "failed: state account hrstate has no infrastructure encryption (built-in 4733ea7b; set at creation only) | fix: npm run bootstrap-state -- --storage-account <a new name>, then move each stack (pulumi stack export, pulumi login to the new account, pulumi stack import)",
        "failed: state account hrstate is encrypted with Microsoft-managed keys, not a customer-managed key (built-in 6fac406b) | fix: npm run bootstrap-state -- (with the names it was made with)",
        "failed: state account hrstate sends no resource logs of its blobs (AU-2, AU-12) | fix: npm run bootstrap-state -- (with the names it was made with) (--log-workspace <ID> for the agency's workspace)",
        "failed: state account hrstate is open to public networks, while the stack has network: private | fix: npm run bootstrap-state -- (with the names it was made with) --private-endpoint <subnet ID>, from a machine inside that subnet's network",
        "failed: state key vault hr-state-vault sends no audit events (built-in cf820ca0) | fix: npm run bootstrap-state -- (with the names it was made with) (--log-workspace <ID> for the agency's workspace)",
        "failed: state key vault hr-state-vault is open to public networks, while the stack has network: private | fix: npm run bootstrap-state -- (with the names it was made with) --private-endpoint <subnet ID>, from a machine inside that subnet's network",
        `failed: key pulumi-secrets of hr-state-vault, the stack's secrets provider, has no rotation policy | fix: first pin the stack to a version: pulumi stack change-secrets-provider "${VERSIONLESS}/<version>" with the version that encrypts the stack now (before any rotation: the current one, az keyvault key show); then npm run bootstrap-state -- --key-rotation P1Y`,
      ]);
    });

    it("fails a rotating key the secrets provider names without a version: the next rotation would lock the stack's secrets", async () => {
      const rotating = { ...DEFAULT_POLICY, lifetimeActions: [{ action: { type: "Rotate" }, trigger: { timeAfterCreate: "P1Y" } }] };
      expect((await run(rotating, VERSIONLESS)).at(-1)).toBe(
        `failed: key pulumi-secrets of hr-state-vault rotates after P1Y, but the stack's secrets provider names no version: after a rotation Pulumi cannot decrypt the stack's secrets | fix: pulumi stack change-secrets-provider "${VERSIONLESS}/<version>" with the version that encrypts the stack now (before any rotation: the current one, az keyvault key show)`,
      );
      expect((await run(rotating, `${VERSIONLESS}/abc123`)).at(-1)).toBe("passed: key pulumi-secrets of hr-state-vault rotates after P1Y; the stack's secrets provider names version abc123");
    });
  });

  it("has nothing to check on a backend that is no storage account, or a stack without a Key Vault secrets provider", async () => {
    azure.reset();
    expect(await stateBackendLines({ ...STACK, projectBackendUrl: "file:///srv/pulumi-state" }, azure.env())).toEqual([
      "passed: the Pulumi backend is not an Azure storage account (file:///srv/pulumi-state): nothing of bootstrap-state's to check",
    ]);
    expect(azure.calls("storage")).toEqual([]);
    // A backend URL with a password in it (Pulumi's postgres:// backend) is printed without it, nor its options.
    expect(await stateBackendLines({ ...STACK, projectBackendUrl: "postgres://pulumi:s3cret-pw@db.agency.example:5432/state?sslmode=require" }, azure.env())).toEqual([
      "passed: the Pulumi backend is not an Azure storage account (postgres://db.agency.example:5432/state): nothing of bootstrap-state's to check",
    ]);
    await bootstrapHere(GOV_BOOTSTRAP);
    const passphrase = await stateBackendLines({ ...STACK, network: "public", secretsProvider: "passphrase" }, azure.env());
    expect(passphrase.at(-1)).toBe("passed: the stack file names no azurekeyvault secrets provider (it names passphrase): no state key vault to check");
    expect(await stateBackendLines({ ...STACK, projectBackendUrl: "azblob://pulumi-state" }, azure.env())).toEqual([
      "failed: cannot tell the state account: the backend URL names none and AZURE_STORAGE_ACCOUNT is not set | fix: set AZURE_STORAGE_ACCOUNT as bootstrap-state printed it",
    ]);
  });

  it("needs the Azure CLI login, and says what it could not read", async () => {
    const tools = mkdtempSync(path.join(directory, "tools-"));
    writeFakeAz(tools, { "account show --output json": { exit: 1, stderr: "ERROR: Please run 'az login' to setup account." } });
    expect(await stateBackendLines(STACK, { PATH: `${tools}:${process.env.PATH}` })).toEqual([
      "failed: the state backend's account and vault: not checked without an Azure CLI login | fix: az login, then run preflight again",
    ]);
    azure.reset();
    expect(await stateBackendLines(STACK, azure.env())).toEqual([
      `failed: cannot read the state backend: az storage account failed: ERROR: (ResourceNotFound) The Resource 'Microsoft.Storage/storageAccounts/${ACCOUNT}' was not found. | fix: az login with an account that may read the state's resource group (Reader), az account set --subscription <the state's subscription>, then run preflight again`,
    ]);
  });
});

describe("keyVaultSecretsProvider", () => {
  it("reads the vault, key and version of Pulumi's azurekeyvault URL, and nothing of another provider's", () => {
    expect(keyVaultSecretsProvider("azurekeyvault://v1.vault.usgovcloudapi.net/keys/k1/0a1b")).toEqual({ vault: "v1", key: "k1", version: "0a1b", versionless: "azurekeyvault://v1.vault.usgovcloudapi.net/keys/k1" });
    expect(keyVaultSecretsProvider("azurekeyvault://v1.vault.azure.net/keys/k1")).toEqual({ vault: "v1", key: "k1", version: undefined, versionless: "azurekeyvault://v1.vault.azure.net/keys/k1" });
    expect(keyVaultSecretsProvider("passphrase")).toBeUndefined();
    expect(keyVaultSecretsProvider(undefined)).toBeUndefined();
  });
});
