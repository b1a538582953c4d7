import { forType, resourcePolicy, valueAt, type NistPolicy } from "./define";
import { resourceLogsPolicy } from "./resourceLogs";
import { GOV_BUILT_INS, OUR_RELATED_BUILT_INS } from "./govBuiltIns";
import { TYPE } from "./types";

const property = (props: Record<string, unknown>, name: string) => valueAt(props, `properties.${name}`);

export const keyVaultPolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "keyvault-rbac-authorization",
      asks: "Key Vault grants access with Azure RBAC only, no access policies.",
      controls: ["AC-2(1)", "AC-3(7)"],
      azurePolicies: [OUR_RELATED_BUILT_INS.keyVaultRbac],
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
      asks: "Key Vault has purge protection (and soft delete not turned off), so nobody can destroy a deleted secret or key before its retention ends.",
      azurePolicies: [GOV_BUILT_INS.keyVaultPurgeProtection],
      evidence: [{ type: TYPE.vault, settings: ["properties.enablePurgeProtection", "properties.enableSoftDelete"] }],
    },
    forType(TYPE.vault, (props, report) => {
      if (property(props, "enablePurgeProtection") !== true || property(props, "enableSoftDelete") === false) report("Key Vault must have purge protection: set properties.enablePurgeProtection to true (and leave soft delete on).");
    }),
  ),
  resourcePolicy(
    {
      name: "keyvault-soft-delete",
      asks: "Key Vault says soft delete is on, and keeps deleted vaults, secrets and keys recoverable for at least 7 days.",
      azurePolicies: [GOV_BUILT_INS.keyVaultSoftDelete],
      evidence: [{ type: TYPE.vault, settings: ["properties.enableSoftDelete", "properties.softDeleteRetentionInDays"] }],
    },
    forType(TYPE.vault, (props, report) => {
      const days = property(props, "softDeleteRetentionInDays");
      if (property(props, "enableSoftDelete") !== true || (typeof days === "number" && days < 7)) report("Key Vault must have soft delete on, with a retention of 7 to 90 days: set properties.enableSoftDelete to true.");
    }),
  ),
  resourcePolicy(
    {
      name: "keyvault-secret-expiration",
      asks: "Every Key Vault secret has an expiration date.",
      controls: ["IA-5", "SC-12"],
      azurePolicies: [OUR_RELATED_BUILT_INS.keyVaultSecretExpiration],
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
      azurePolicies: [GOV_BUILT_INS.keyVaultFirewall],
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
    azurePolicies: [GOV_BUILT_INS.keyVaultResourceLogs],
  }),
];
