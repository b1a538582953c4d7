import { forType, resourcePolicy, valueAt, type NistPolicy } from "./define";
import { resourceLogsPolicy } from "./resourceLogs";
import { TYPE } from "./types";

const property = (props: Record<string, unknown>, name: string) => valueAt(props, `properties.${name}`);

export const keyVaultPolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "keyvault-rbac-authorization",
      asks: "Key Vault grants access with Azure RBAC only, no access policies.",
      controls: ["AC-2(1)", "AC-3(7)"],
      azurePolicies: [{ displayName: "Azure Key Vault should use RBAC permission model", definitionId: "12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5" }],
      evidence: [{ type: TYPE.vault, settings: ["properties.enableRbacAuthorization", "properties.accessPolicies"] }],
    },
    forType(TYPE.vault, (props, report) => {
      if (property(props, "enableRbacAuthorization") !== true) report("Key Vault must use the RBAC permission model: set properties.enableRbacAuthorization to true.");
      const accessPolicies = property(props, "accessPolicies");
      if (Array.isArray(accessPolicies) && accessPolicies.length > 0) report("Key Vault must not grant access through access policies: grant Azure roles instead.");
    }),
  ),
  resourcePolicy(
    {
      name: "keyvault-purge-protection",
      asks: "Key Vault has purge protection, so nobody can destroy a deleted secret before its retention ends.",
      controls: ["CP-9"],
      azurePolicies: [{ displayName: "Key vaults should have deletion protection enabled", definitionId: "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53" }],
      evidence: [{ type: TYPE.vault, settings: ["properties.enablePurgeProtection"] }],
    },
    forType(TYPE.vault, (props, report) => {
      if (property(props, "enablePurgeProtection") !== true) report("Key Vault must have purge protection: set properties.enablePurgeProtection to true.");
    }),
  ),
  resourcePolicy(
    {
      name: "keyvault-soft-delete",
      asks: "Key Vault keeps deleted vaults and secrets recoverable for at least 7 days.",
      controls: ["CP-9"],
      azurePolicies: [{ displayName: "Key vaults should have soft delete enabled", definitionId: "1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d" }],
      evidence: [{ type: TYPE.vault, settings: ["properties.enableSoftDelete", "properties.softDeleteRetentionInDays"] }],
    },
    forType(TYPE.vault, (props, report) => {
      const days = property(props, "softDeleteRetentionInDays");
      if (property(props, "enableSoftDelete") === false || (typeof days === "number" && days < 7)) report("Key Vault must have soft delete on, with a retention of 7 to 90 days.");
    }),
  ),
  resourcePolicy(
    {
      name: "keyvault-secret-expiration",
      asks: "Every Key Vault secret has an expiration date.",
      controls: ["IA-5", "SC-12"],
      azurePolicies: [{ displayName: "Key Vault secrets should have an expiration date", definitionId: "98728c90-32c7-4049-8429-847dc0f4fe37" }],
      evidence: [{ type: TYPE.secret, settings: ["secretName", "properties.attributes.expires"] }],
    },
    forType(TYPE.secret, (props, report) => {
      if (typeof property(props, "attributes.expires") !== "number") report("Key Vault secret has no expiration date: set properties.attributes.expires (seconds since 1970) to the end of the credential's life.");
    }),
  ),
  resourcePolicy(
    {
      name: "keyvault-public-network-access",
      asks: "Key Vault accepts no traffic from public networks (advisory: it depends on the agency's network; `network: private` does it).",
      controls: ["AC-4", "SC-7", "SC-7(3)"],
      azurePolicies: [{ displayName: "Azure Key Vault should have firewall enabled or public network access disabled", definitionId: "55615ac9-af46-4a59-874e-391cc3dfb490" }],
      evidence: [{ type: TYPE.vault, settings: ["properties.publicNetworkAccess", "properties.networkAcls"] }],
      enforcementLevel: "advisory",
    },
    forType(TYPE.vault, (props, report) => {
      if (property(props, "publicNetworkAccess") !== "Disabled" && property(props, "networkAcls.defaultAction") !== "Deny") {
        report("Key Vault is reachable from public networks: disable public network access (network: private) or deny by default in its firewall.");
      }
    }),
  ),
  resourceLogsPolicy({
    name: "keyvault-resource-logs",
    noun: "Key Vault",
    type: TYPE.vault,
    azurePolicies: [{ displayName: "Resource logs in Key Vault should be enabled", definitionId: "cf820ca0-f99e-4f3e-84fb-66e913812d21" }],
  }),
];
