/**
 * Data at rest in every shape of the Gov stack: geo-redundant storage with infrastructure encryption and a
 * customer-managed key, a Premium registry under a customer-managed key, both keys rotated by policy and used by an
 * identity granted wrap/unwrap on each key only; saved and alert queries in the stack's own storage account.
 */
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, hrAccount, STACK_SHAPES, TYPE, named, ofType, only, runGov } from "./harness";



const KEY = "azure-native:keyvault:Key";
const LINKED_STORAGE = "azure-native:operationalinsights:LinkedStorageAccount";
const CRYPTO_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

describe.each(Object.entries(STACK_SHAPES))("a Gov stack with %s", (_shape, overrides) => {
  let run: OfflineRun;
  beforeAll(async () => {
    run = await runGov(overrides);
  });
  const encryptionIdentity = () => named(run, TYPE.identity, "hr-connector-encryption");
  const vaultUri = () => only(run, TYPE.vault).state.properties.vaultUri as string;

  it("keeps two RSA 3072 keys in the stack's vault, for wrapping only, rotated yearly and expiring after two years", () => {
    const keys = ofType(run, KEY);
    expect(keys.map((key) => key.inputs.keyName)).toEqual(["hr-storage", "hr-registry"]);
    for (const key of keys) {
      expect(key.inputs.vaultName).toBe(only(run, TYPE.vault).state.name);
      expect(key.inputs.properties).toEqual({
        kty: "RSA",
        keySize: 3072,
        keyOps: ["wrapKey", "unwrapKey"],
        rotationPolicy: {
          attributes: { expiryTime: "P2Y" },
          lifetimeActions: [
            { action: { type: "rotate" }, trigger: { timeAfterCreate: "P1Y" } },
            { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
          ],
        },
      });
    }
  });

  it("lets the encryption identity wrap and unwrap with each key, granted on the key alone, before storage and registry exist", () => {
    const grants = ofType(run, TYPE.roleAssignment).filter((grant) => grant.inputs.principalId === encryptionIdentity().state.principalId);
    expect(grants.map((grant) => [grant.inputs.scope, String(grant.inputs.roleDefinitionId).split("/").pop()])).toEqual(ofType(run, KEY).map((key) => [key.id, CRYPTO_USER]));
    const ready = `${TYPE.grantPropagation}::hr-connector-encryption-grants`;
    expect(named(run, TYPE.grantPropagation, "hr-connector-encryption-grants").dependencies).toEqual(expect.arrayContaining(grants.map((grant) => `${TYPE.roleAssignment}::${grant.name}`)));
    expect(hrAccount(run).dependencies).toContain(ready);
    expect(only(run, TYPE.registry).dependencies).toContain(ready);
  });

  it("makes storage geo-redundant (GZRS in usgovvirginia), infrastructure-encrypted and encrypted with its key", () => {
    const account = hrAccount(run).inputs;
    expect(account.sku).toEqual({ name: "Standard_GZRS" });
    expect(account.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [encryptionIdentity().id] });
    expect(account.encryption).toEqual({
      requireInfrastructureEncryption: true,
      keySource: "Microsoft.Keyvault",
      keyVaultProperties: { keyName: "hr-storage", keyVaultUri: vaultUri() },
      encryptionIdentity: { encryptionUserAssignedIdentity: encryptionIdentity().id },
      services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
    });
  });

  it("makes the registry Premium, encrypted with its versionless key through the identity", () => {
    const registry = only(run, TYPE.registry).inputs;
    expect(registry.sku).toEqual({ name: "Premium" });
    expect(registry.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: { [encryptionIdentity().id]: {} } });
    expect(registry.encryption).toEqual({ status: "enabled", keyVaultProperties: { keyIdentifier: `${vaultUri()}keys/hr-registry`, identity: encryptionIdentity().state.clientId } });
  });

  it("keeps saved queries and log alert queries in the stack's storage account", () => {
    expect(only(run, TYPE.workspace).inputs.forceCmkForQuery).toBe(true);
    const linked = ofType(run, LINKED_STORAGE).map((link) => [link.inputs.dataSourceType, link.inputs.workspaceName, link.inputs.storageAccountIds]);
    expect(linked).toEqual(["Query", "Alerts"].map((type) => [type, only(run, TYPE.workspace).state.name, [hrAccount(run).id]]));
  });
});

it("falls back to GRS where GZRS is not offered", async () => {
  const run = await runGov({ connectorJobId: CONNECTOR_JOB_ID, "azure-native:location": "usgovarizona" });
  expect(hrAccount(run).inputs.sku).toEqual({ name: "Standard_GRS" });
});
