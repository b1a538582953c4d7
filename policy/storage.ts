import type { PolicyResource } from "@pulumi/policy";
import { forType, inputComesFrom, resourcePolicy, resourcesOfType, stackPolicy, valueAt, type NistPolicy } from "./define";
import { resourceLogsPolicy } from "./resourceLogs";
import { GOV_BUILT_INS, OUR_RELATED_BUILT_INS } from "./govBuiltIns";
import { TYPE } from "./types";

const ACCEPTED_TLS = ["TLS1_2", "TLS1_3"];
const MIN_SOFT_DELETE_DAYS = 7;
/** An account holding only copies of files kept elsewhere, while they are needed (infra/keptCopyStorage.ts tags it). */
const TRANSIENT = { tag: "hr-connector-retention", value: "transient-copies" } as const;
const MAX_TRANSIENT_SOFT_DELETE_DAYS = 1;

/** Whether a blob service retention policy is on for at least the minimum. */
const retains = (policy: unknown) => valueAt(policy, "enabled") === true && Number(valueAt(policy, "days")) >= MIN_SOFT_DELETE_DAYS;
/** Whether a retention policy keeps what was deleted no longer than transient copies may be kept (off keeps nothing). */
const disposesWithin = (policy: unknown) => valueAt(policy, "enabled") !== true || Number(valueAt(policy, "days")) <= MAX_TRANSIENT_SOFT_DELETE_DAYS;

/** Each blob service, and whether the account it serves holds transient copies. */
function blobServices(resources: readonly PolicyResource[]): { service: PolicyResource; transient: boolean }[] {
  const accounts = resourcesOfType(resources, TYPE.storageAccount);
  return resourcesOfType(resources, TYPE.blobService).map((service) => {
    const account = accounts.find((candidate) => inputComesFrom(service, "accountName", candidate));
    return { service, transient: account !== undefined && valueAt(account.props, `tags.${TRANSIENT.tag}`) === TRANSIENT.value };
  });
}

/** The SKUs built-in bf045164 accepts as geo-redundant. */
const GEO_REDUNDANT_SKUS = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"];

export const storagePolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "storage-geo-redundant",
      asks: "Storage accounts keep a copy in the paired region (GRS or GZRS, with or without read access).",
      azurePolicies: [GOV_BUILT_INS.storageGeoRedundant],
      evidence: [{ type: TYPE.storageAccount, settings: ["sku.name"] }],
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (!GEO_REDUNDANT_SKUS.includes(String(valueAt(props, "sku.name")))) report(`Storage account is not geo-redundant: set sku.name to Standard_GZRS or Standard_GRS (it is ${String(valueAt(props, "sku.name"))}).`);
    }),
  ),
  resourcePolicy(
    {
      name: "storage-infrastructure-encryption",
      asks: "Storage accounts encrypt data at rest twice: the service layer and the infrastructure layer.",
      azurePolicies: [GOV_BUILT_INS.storageInfrastructureEncryption],
      evidence: [{ type: TYPE.storageAccount, settings: ["encryption.requireInfrastructureEncryption"] }],
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (valueAt(props, "encryption.requireInfrastructureEncryption") !== true) report("Storage account must have infrastructure encryption: set encryption.requireInfrastructureEncryption to true (at creation).");
    }),
  ),
  resourcePolicy(
    {
      name: "storage-customer-managed-key",
      asks: "Storage accounts encrypt data at rest with a customer-managed key in Key Vault.",
      azurePolicies: [GOV_BUILT_INS.storageCustomerManagedKey],
      evidence: [{ type: TYPE.storageAccount, settings: ["encryption.keySource", "encryption.keyVaultProperties", "encryption.encryptionIdentity"] }],
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (String(valueAt(props, "encryption.keySource")).toLowerCase() !== "microsoft.keyvault") report("Storage account must use a customer-managed key: set encryption.keySource to Microsoft.Keyvault with keyVaultProperties.");
    }),
  ),
  resourcePolicy(
    {
      name: "storage-secure-transfer",
      asks: "Storage accounts accept HTTPS only (the API's default since 2019-04-01; only an explicit false is refused).",
      azurePolicies: [GOV_BUILT_INS.storageSecureTransfer],
      evidence: [{ type: TYPE.storageAccount, settings: ["enableHttpsTrafficOnly"] }],
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (props.enableHttpsTrafficOnly === false) report("Storage account must accept HTTPS only: set enableHttpsTrafficOnly to true.");
    }),
  ),
  resourcePolicy(
    {
      name: "storage-minimum-tls",
      asks: "Storage accounts refuse TLS older than 1.2.",
      controls: ["SC-8", "SC-13"],
      azurePolicies: [OUR_RELATED_BUILT_INS.storageMinimumTls],
      evidence: [{ type: TYPE.storageAccount, settings: ["minimumTlsVersion"] }],
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (!ACCEPTED_TLS.includes(String(props.minimumTlsVersion))) report(`Storage account must require TLS 1.2 or later: set minimumTlsVersion to TLS1_2 (it is ${String(props.minimumTlsVersion)}).`);
    }),
  ),
  resourcePolicy(
    {
      name: "storage-no-shared-key",
      asks: "Storage accounts accept Entra ID authorization only, no account keys or key-signed SAS.",
      controls: ["AC-2", "IA-2"],
      azurePolicies: [OUR_RELATED_BUILT_INS.storageSharedKey],
      evidence: [{ type: TYPE.storageAccount, settings: ["allowSharedKeyAccess", "defaultToOAuthAuthentication"] }],
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (props.allowSharedKeyAccess !== false) report("Storage account must refuse shared key access: set allowSharedKeyAccess to false.");
    }),
  ),
  resourcePolicy(
    {
      name: "storage-no-public-blob-access",
      asks: "No blob or container is readable anonymously.",
      controls: ["AC-3", "AC-4", "AC-6", "SC-7"],
      azurePolicies: [OUR_RELATED_BUILT_INS.storageBlobPublicAccess],
      evidence: [
        { type: TYPE.storageAccount, settings: ["allowBlobPublicAccess"] },
        { type: TYPE.blobContainer, settings: ["containerName", "publicAccess"] },
      ],
    },
    [
      forType(TYPE.storageAccount, (props, report) => {
        if (props.allowBlobPublicAccess !== false) report("Storage account must disallow anonymous blob access: set allowBlobPublicAccess to false.");
      }),
      forType(TYPE.blobContainer, (props, report) => {
        if (props.publicAccess !== undefined && props.publicAccess !== "None") report(`Blob container must not be public: set publicAccess to None (it is ${String(props.publicAccess)}).`);
      }),
    ],
  ),
  stackPolicy(
    {
      name: "storage-versioning-and-soft-delete",
      asks:
        `Blob versioning is on, and deleted blobs and containers stay recoverable for at least ${MIN_SOFT_DELETE_DAYS} days; ` +
        `except in an account tagged ${TRANSIENT.tag}=${TRANSIENT.value}, whose copies are recoverable from the account they were copied from.`,
      controls: ["CP-9"],
      evidence: [
        { type: TYPE.blobService, settings: ["isVersioningEnabled", "deleteRetentionPolicy", "containerDeleteRetentionPolicy"] },
        { type: TYPE.storageAccount, settings: [`tags.${TRANSIENT.tag}`] },
      ],
    },
    ({ resources }, report) => {
      for (const { service, transient } of blobServices(resources)) {
        if (transient) continue;
        const props = service.props;
        const problems = [
          props.isVersioningEnabled !== true ? "keep versions of overwritten blobs: set isVersioningEnabled to true" : "",
          !retains(props.deleteRetentionPolicy) ? `keep deleted blobs at least ${MIN_SOFT_DELETE_DAYS} days: enable deleteRetentionPolicy` : "",
          !retains(props.containerDeleteRetentionPolicy) ? `keep deleted containers at least ${MIN_SOFT_DELETE_DAYS} days: enable containerDeleteRetentionPolicy` : "",
        ].filter((problem) => problem !== "");
        if (problems.length > 0) report(`Blob service must ${problems.join("; ")}.`, service.urn);
      }
    },
  ),
  stackPolicy(
    {
      name: "storage-transient-copies-retention",
      asks:
        `An account tagged ${TRANSIENT.tag}=${TRANSIENT.value} (the uploader's copies of HR files being delivered) keeps nothing it deleted or overwrote ` +
        `beyond ${MAX_TRANSIENT_SOFT_DELETE_DAYS} day: no blob versions, blob and container soft delete at most ${MAX_TRANSIENT_SOFT_DELETE_DAYS} day.`,
      controls: ["SI-12", "SI-12(3)"],
      evidence: [
        { type: TYPE.blobService, settings: ["isVersioningEnabled", "deleteRetentionPolicy", "containerDeleteRetentionPolicy"] },
        { type: TYPE.storageAccount, settings: [`tags.${TRANSIENT.tag}`] },
      ],
    },
    ({ resources }, report) => {
      for (const { service, transient } of blobServices(resources)) {
        if (!transient) continue;
        const props = service.props;
        const problems = [
          props.isVersioningEnabled === true ? "keep no versions: set isVersioningEnabled to false" : "",
          !disposesWithin(props.deleteRetentionPolicy) ? `drop deleted blobs within ${MAX_TRANSIENT_SOFT_DELETE_DAYS} day: set deleteRetentionPolicy.days to ${MAX_TRANSIENT_SOFT_DELETE_DAYS}` : "",
          !disposesWithin(props.containerDeleteRetentionPolicy) ? `drop deleted containers within ${MAX_TRANSIENT_SOFT_DELETE_DAYS} day: set containerDeleteRetentionPolicy.days to ${MAX_TRANSIENT_SOFT_DELETE_DAYS}` : "",
        ].filter((problem) => problem !== "");
        if (problems.length > 0) report(`Blob service of transient copies must ${problems.join("; ")}.`, service.urn);
      }
    },
  ),
  resourcePolicy(
    {
      name: "storage-public-network-access",
      asks: "Storage accounts' firewall denies by default (advisory: it depends on the agency's network; `network: private` does it).",
      azurePolicies: [GOV_BUILT_INS.storageRestrictNetworkAccess],
      evidence: [{ type: TYPE.storageAccount, settings: ["publicNetworkAccess", "networkRuleSet"] }],
      enforcementLevel: "advisory",
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (valueAt(props, "networkRuleSet.defaultAction") !== "Deny") report("Storage account's firewall allows public networks: set networkRuleSet.defaultAction to Deny (network: private does).");
    }),
  ),
  resourcePolicy(
    {
      name: "storage-virtual-network-rules",
      asks: "Storage accounts are reached through virtual networks only: the firewall denies by default and allows no IP ranges (advisory: it depends on the agency's network; `network: private` does it).",
      azurePolicies: [GOV_BUILT_INS.storageVirtualNetworkRules],
      evidence: [{ type: TYPE.storageAccount, settings: ["networkRuleSet"] }],
      enforcementLevel: "advisory",
    },
    forType(TYPE.storageAccount, (props, report) => {
      const ipRules = valueAt(props, "networkRuleSet.ipRules");
      if (valueAt(props, "networkRuleSet.defaultAction") !== "Deny" || (Array.isArray(ipRules) && ipRules.length > 0)) {
        report("Storage account allows more than virtual networks: set networkRuleSet.defaultAction to Deny with no ipRules (network: private does).");
      }
    }),
  ),
  resourceLogsPolicy({
    name: "storage-resource-logs",
    noun: "storage account",
    type: TYPE.storageAccount,
    via: { type: TYPE.blobService, input: "accountName" },
  }),
];
