/**
 * The Azure Policy built-ins that apply to what the stack creates, as read from
 * Azure/azure-policy (SNAPSHOT): written by us, one line each, so that the pack's
 * metadata, its coverage and the control file say nothing typed a second time.
 *
 * Applicable = referenced by the Azure Government copy of the NIST SP 800-53 Rev. 5,
 * FedRAMP High or DoD IL5 initiative, and its rule's `if` names a resource type the
 * stack creates (Key Vault, storage account, container registry, Log Analytics
 * workspace, virtual network, subnet), or it is the subscription's Defender plan for
 * a service the stack uses. Built-ins the pack also names but that are in none of the
 * three Gov initiatives are listed apart (OUR_RELATED_BUILT_INS): good practice, our rules.
 *
 * Refresh: fetch Azure/azure-policy, read the three files of SNAPSHOT.folder and, for each
 * definition they reference, built-in-policies/policyDefinitions/ (the "Azure Government"
 * copy where one exists); update this table and SNAPSHOT, then run the policy specs (`npx jest tests/offlineStack.test.ts -t policy/`).
 */

/** Where and when the facts below were read. */
export const SNAPSHOT = {
  repository: "Azure/azure-policy",
  commit: "f4a50bacae07ddb096943c597669bcae494a6e29",
  /** The commit's date ("Built-in Policy Release 3.2026.0417.1"). */
  date: "2026-04-29",
  folder: "built-in-policies/policySetDefinitions/Azure Government/Regulatory Compliance/",
} as const;

/** The Azure Government initiatives the table is checked against. */
export const GOV_INITIATIVES = {
  nist: { id: "179d1daa-458f-4e47-8086-2a68d0d6c38f", displayName: "NIST SP 800-53 Rev. 5", version: "14.15.0", file: "NIST_SP_800-53_R5.json" },
  fedrampHigh: { id: "d5264498-16f4-418a-b659-fa7ef418175f", displayName: "FedRAMP High", version: "17.16.0", file: "FedRAMP_H_audit.json" },
  il5: { id: "f9a961fa-3241-4b20-adc4-bbf8ad9d7197", displayName: "DoD Impact Level 5", version: "19.15.0", file: "DOD_IL5_audit.json" },
} as const;
export type GovInitiative = keyof typeof GOV_INITIATIVES;

export interface AzureBuiltIn {
  readonly definitionId: string;
  readonly displayName: string;
  /** The definition's default effect. */
  readonly effect: "Audit" | "AuditIfNotExists";
  /** When a resource is non-compliant, in one line (ARM property names). */
  readonly condition: string;
  /** NIST SP 800-53 Rev. 5 controls the Gov NIST Rev. 5 initiative groups it under (FedRAMP High and IL5 use the same IDs for these); none outside it. */
  readonly controls: readonly string[];
  /** The Gov initiatives that reference it; empty for our related rules. */
  readonly initiatives: readonly GovInitiative[];
}

const GOV: readonly GovInitiative[] = ["nist", "fedrampHigh", "il5"];

const member = (definitionId: string, displayName: string, effect: AzureBuiltIn["effect"], condition: string, controls: readonly string[]): AzureBuiltIn => ({
  definitionId,
  displayName,
  effect,
  condition,
  controls,
  initiatives: GOV,
});

const NETWORK_CONTROLS = ["AC-4", "SC-7", "SC-7(3)"];
const PRIVATE_LINK_CONTROLS = ["AC-4", "AC-17", "AC-17(1)", "SC-7", "SC-7(3)"];
const DEFENDER_CONTROLS = ["AC-2(12)", "AU-6", "AU-6(4)", "AU-6(5)", "AU-12", "AU-12(1)", "IR-4", "IR-5", "RA-5", "SI-2", "SI-4"];

/** Every applicable built-in of the three Gov initiatives (all three reference each of these, at SNAPSHOT). */
export const GOV_BUILT_INS = {
  keyVaultFirewall: member("55615ac9-af46-4a59-874e-391cc3dfb490", "Azure Key Vault should have firewall enabled or public network access disabled", "Audit", "networkAcls.defaultAction != Deny and publicNetworkAccess != Disabled", NETWORK_CONTROLS),
  keyVaultPurgeProtection: member("0b60c0b2-2dc2-4e1c-b5c9-abbed971de53", "Key vaults should have deletion protection enabled", "Audit", "enableSoftDelete == false, or enablePurgeProtection missing or false", ["CP-9"]),
  keyVaultSoftDelete: member("1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d", "Key vaults should have soft delete enabled", "Audit", "enableSoftDelete missing or false", ["CP-9"]),
  keyVaultResourceLogs: member("cf820ca0-f99e-4f3e-84fb-66e913812d21", "Resource logs in Key Vault should be enabled", "AuditIfNotExists", "no diagnostic setting on the vault with its logs enabled", ["AU-6(4)", "AU-6(5)", "AU-12", "AU-12(1)"]),
  storageGeoRedundant: member("bf045164-79ba-4215-8f95-f8048dc1780b", "Geo-redundant storage should be enabled for Storage Accounts", "Audit", "sku.name not in Standard_GRS, Standard_RAGRS, Standard_GZRS, Standard_RAGZRS", ["CP-6", "CP-6(1)"]),
  storageSecureTransfer: member("404c3081-a854-4457-ae30-26a93ef643f9", "Secure transfer to storage accounts should be enabled", "Audit", "supportsHttpsTrafficOnly == false", ["SC-8", "SC-8(1)"]),
  storageInfrastructureEncryption: member("4733ea7b-a883-42fe-8cac-97454c2a9e4a", "Storage accounts should have infrastructure encryption", "Audit", "encryption.requireInfrastructureEncryption != true", ["SC-28", "SC-28(1)"]),
  storageRestrictNetworkAccess: member("34c877ad-507e-4c82-993e-3452a6e0ad3c", "Storage accounts should restrict network access", "Audit", "networkAcls.defaultAction != Deny", PRIVATE_LINK_CONTROLS),
  storageVirtualNetworkRules: member("2a1a9cdf-e04d-429a-8416-3bfb72a1b26f", "Storage accounts should restrict network access using virtual network rules", "Audit", "networkAcls.defaultAction != Deny, or any networkAcls.ipRules", NETWORK_CONTROLS),
  storageCustomerManagedKey: member("6fac406b-40ca-413b-bf8e-0bf964659c25", "Storage accounts should use customer-managed key for encryption", "Audit", "encryption.keySource != Microsoft.Keyvault", ["SC-12"]),
  storagePrivateLink: member("6edd7eda-6dd8-40f7-810d-67160c639cd9", "Storage accounts should use private link", "AuditIfNotExists", "no approved private endpoint connection", PRIVATE_LINK_CONTROLS),
  registryCustomerManagedKey: member("5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580", "Container registries should be encrypted with a customer-managed key", "Audit", "encryption.status != enabled", ["SC-12"]),
  registryNetworkAccess: member("d0793b48-0edc-4296-a390-4c75d1bdfd71", "Container registries should not allow unrestricted network access", "Audit", "networkRuleSet.defaultAction missing or Allow, and publicNetworkAccess missing or Enabled", NETWORK_CONTROLS),
  registryPrivateLink: member("e8eef0a8-67cf-4eb4-9386-14b0e78733d4", "Container registries should use private link", "Audit", "no approved private endpoint connection", PRIVATE_LINK_CONTROLS),
  logAnalyticsSavedQueriesCmk: member("fa298e57-9444-42ba-bf04-86e8470e32c7", "Saved-queries in Azure Monitor should be saved in customer storage account for logs encryption", "Audit", "forceCmkForQuery != true", ["SC-12"]),
  subnetNetworkSecurityGroup: member("e71308d3-144b-4262-b144-efdc3cc90517", "Subnets should be associated with a Network Security Group", "AuditIfNotExists", "Defender assessment of the subnet not Healthy (no NSG)", NETWORK_CONTROLS),
  networkWatcher: member("b6e2945c-0b7b-40f5-9233-7a5323b5cdc6", "Network Watcher should be enabled", "AuditIfNotExists", "a virtual network's region has no Network Watcher in NetworkWatcherRG", ["AU-6", "AU-6(4)", "AU-6(5)", "AU-12", "AU-12(1)", "SI-4"]),
  ddosProtection: member("a7aca53f-2ed4-4466-a25e-0b45ade68efd", "Azure DDoS Protection should be enabled", "AuditIfNotExists", "Defender assessment of the virtual network not Healthy (no DDoS protection plan)", ["SC-5"]),
  defenderResourceManager: member("c3d20c29-b36d-48fe-808b-99a87530ad99", "Azure Defender for Resource Manager should be enabled", "AuditIfNotExists", "subscription's Microsoft.Security/pricings Arm tier != Standard", DEFENDER_CONTROLS),
  defenderContainers: member("1c988dd6-ade4-430f-a608-2a3e5b0a6d38", "Microsoft Defender for Containers should be enabled", "AuditIfNotExists", "subscription's Microsoft.Security/pricings Containers tier != Standard", DEFENDER_CONTROLS),
  defenderStorage: member("308fbb08-4ab8-4e67-9b29-592e93fb94fa", "Microsoft Defender for Storage (Classic) should be enabled", "AuditIfNotExists", "subscription's Microsoft.Security/pricings StorageAccounts tier != Standard", DEFENDER_CONTROLS),
} as const satisfies Record<string, AzureBuiltIn>;
export type GovBuiltInKey = keyof typeof GOV_BUILT_INS;

const ours = (definitionId: string, displayName: string, condition: string): AzureBuiltIn => ({ definitionId, displayName, effect: "Audit", condition, controls: [], initiatives: [] });

/** Built-ins the pack's own rules resemble, in none of the three Gov initiatives at SNAPSHOT (commercial definitions). */
export const OUR_RELATED_BUILT_INS = {
  keyVaultRbac: ours("12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5", "Azure Key Vault should use RBAC permission model", "enableRbacAuthorization missing or false"),
  keyVaultSecretExpiration: ours("98728c90-32c7-4049-8429-847dc0f4fe37", "Key Vault secrets should have an expiration date", "secret attributes.expiresOn missing"),
  keyVaultPrivateLink: ours("a6abeaec-4d90-4a02-805f-6b26c4d3fbe9", "Azure Key Vaults should use private link", "no approved private endpoint connection"),
  storageMinimumTls: ours("fe83a0eb-a853-422d-aac2-1bffd182c5d0", "Storage accounts should have the specified minimum TLS version", "minimumTlsVersion missing or not the parameter (TLS1_2)"),
  storageSharedKey: ours("8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54", "Storage accounts should prevent shared key access", "allowSharedKeyAccess missing or true"),
  storageBlobPublicAccess: ours("4fa4b6c0-31ca-4c0d-b10d-24b96f62a751", "Storage account public access should be disallowed", "allowBlobPublicAccess != false"),
  registryAdminUser: ours("dc921057-6b28-4fbe-9b83-f7bec05db6c2", "Container registries should have local admin account disabled.", "adminUserEnabled == true"),
  registryAnonymousPull: ours("9f2dea28-e834-476c-99c5-3507b4728395", "Container registries should have anonymous authentication disabled.", "anonymousPullEnabled == true"),
  containerAppsManagedIdentity: ours("b874ab2d-72dd-47f1-8cb5-4a306478a4e7", "Managed Identity should be enabled for Container Apps", "identity.type missing or none"),
  containerAppsExternalAccess: ours("783ea2a8-b8fd-46be-896a-9ae79643a0b1", "Container Apps should disable external network access", "configuration.ingress.external == true"),
  containerAppsEnvironmentPublicAccess: ours("d074ddf8-01a5-4b5e-a2b8-964aed452c0a", "Container Apps environment should disable public network access", "vnetConfiguration.internal missing or false"),
  logAnalyticsEntraIngestion: ours("e15effd4-2278-4c65-a0da-4d6f6d1890e2", "Log Analytics Workspaces should block non-Azure Active Directory based ingestion.", "features.disableLocalAuth != true"),
  logAnalyticsPublicAccess: ours("6c53d030-cc64-46f0-906d-2bc061cd1334", "Log Analytics workspaces should block log ingestion and querying from public networks", "publicNetworkAccessForIngestion or publicNetworkAccessForQuery != disabled"),
} as const satisfies Record<string, AzureBuiltIn>;

export const isGovMember = (builtIn: AzureBuiltIn): boolean => builtIn.initiatives.length > 0;

/** The stack's `network` setting (infra/config.ts NETWORK_MODES), which decides what a plan can meet. */
export type PlanNetwork = "public" | "private";

/** A Gov built-in this stack does not meet, with why and who answers for it. */
export interface BuiltInException {
  readonly builtIn: AzureBuiltIn;
  readonly reason: string;
  /** Who keeps it met (or accepts the risk). */
  readonly owner: string;
  /** How it is checked instead, if it is. */
  readonly checkedBy?: string;
  /**
   * Only on plans with this `network` setting: the pack mirrors the built-in, and on any other plan its
   * policy must pass. Unset: on every plan (the pack does not check it).
   */
  readonly onlyWhenNetwork?: PlanNetwork;
}

const DEFENDER_PLAN_REASON = "a subscription-wide Microsoft Defender plan (Microsoft.Security/pricings), not a resource of the stack: enabling it from a workload stack would bill and change every other workload in the subscription";

/** The Defender plans the Gov built-ins ask for: `Microsoft.Security/pricings/<pricingName>` at tier Standard (each built-in's rule). */
export const DEFENDER_PLANS = [
  { builtIn: GOV_BUILT_INS.defenderResourceManager, pricingName: "Arm", title: "Defender for Resource Manager" },
  { builtIn: GOV_BUILT_INS.defenderContainers, pricingName: "Containers", title: "Defender for Containers" },
  { builtIn: GOV_BUILT_INS.defenderStorage, pricingName: "StorageAccounts", title: "Defender for Storage" },
] as const;

/** Built-ins only `network: private` meets: public endpoints are what a `network: public` stack is reached through. */
const PRIVATE_NETWORK_ONLY = [
  GOV_BUILT_INS.keyVaultFirewall,
  GOV_BUILT_INS.storageRestrictNetworkAccess,
  GOV_BUILT_INS.storageVirtualNetworkRules,
  GOV_BUILT_INS.storagePrivateLink,
  GOV_BUILT_INS.registryNetworkAccess,
  GOV_BUILT_INS.registryPrivateLink,
];

const PUBLIC_NETWORK_REASON =
  "with network: public, Key Vault, the storage account and the registry keep their public endpoints, through which the job and its environment (the client secret, the CSV, the state, the image), " +
  'the HR system (its CSV upload) and the deployer (the image push) reach them over the internet; set hr-connector:network private to meet it (README "Private networking")';

/** The Gov built-ins this stack does not meet: by itself never (subscription-level), or on a plan of a given configuration. */
export const EXCEPTIONS: readonly BuiltInException[] = [
  ...PRIVATE_NETWORK_ONLY.map((builtIn) => ({
    builtIn,
    reason: PUBLIC_NETWORK_REASON,
    owner: "the deployer (who sets network in the stack file; the ISSO accepts the risk or asks for network: private)",
    onlyWhenNetwork: "public" as const,
  })),
  ...DEFENDER_PLANS.map((plan) => ({
    builtIn: plan.builtIn,
    reason: DEFENDER_PLAN_REASON,
    owner: "subscription owner (agency security operations)",
    checkedBy: `npm run preflight (check defender-plans: the subscription's ${plan.pricingName} plan is at tier Standard)`,
  })),
  {
    builtIn: GOV_BUILT_INS.networkWatcher,
    reason: "Network Watcher is one per subscription and region, in NetworkWatcherRG, outside the stack's resource group; Azure enables it when the first virtual network of a region is created unless the subscription opted out",
    owner: "subscription owner (agency network team)",
  },
  {
    builtIn: GOV_BUILT_INS.ddosProtection,
    reason: "a DDoS Protection plan is a subscription-level purchase (a fixed monthly charge, shared by the virtual networks linked to it); the stack's network has no public IP addresses to protect",
    owner: "agency network team (link the network to the agency's plan, or the ISSO accepts the risk)",
  },
];
