import { forType, resourcePolicy, valueAt, type NistPolicy } from "./define";
import { resourceLogsPolicy } from "./resourceLogs";
import { TYPE } from "./types";

const ACCEPTED_TLS = ["TLS1_2", "TLS1_3"];
const MIN_SOFT_DELETE_DAYS = 7;

/** Whether a blob service retention policy is on for at least the minimum. */
const retains = (policy: unknown) => valueAt(policy, "enabled") === true && Number(valueAt(policy, "days")) >= MIN_SOFT_DELETE_DAYS;

export const storagePolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "storage-secure-transfer",
      asks: "Storage accounts accept HTTPS only.",
      controls: ["SC-8", "SC-8(1)"],
      azurePolicies: [{ displayName: "Secure transfer to storage accounts should be enabled", definitionId: "404c3081-a854-4457-ae30-26a93ef643f9" }],
      evidence: [{ type: TYPE.storageAccount, settings: ["enableHttpsTrafficOnly"] }],
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (props.enableHttpsTrafficOnly !== true) report("Storage account must accept HTTPS only: set enableHttpsTrafficOnly to true.");
    }),
  ),
  resourcePolicy(
    {
      name: "storage-minimum-tls",
      asks: "Storage accounts refuse TLS older than 1.2.",
      controls: ["SC-8", "SC-13"],
      azurePolicies: [{ displayName: "Storage accounts should have the specified minimum TLS version", definitionId: "fe83a0eb-a853-422d-aac2-1bffd182c5d0" }],
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
      azurePolicies: [{ displayName: "Storage accounts should prevent shared key access", definitionId: "8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54" }],
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
      azurePolicies: [{ displayName: "Storage account public access should be disallowed", definitionId: "4fa4b6c0-31ca-4c0d-b10d-24b96f62a751" }],
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
  resourcePolicy(
    {
      name: "storage-versioning-and-soft-delete",
      asks: `Blob versioning is on, and deleted blobs and containers stay recoverable for at least ${MIN_SOFT_DELETE_DAYS} days.`,
      controls: ["CP-9"],
      evidence: [{ type: TYPE.blobService, settings: ["isVersioningEnabled", "deleteRetentionPolicy", "containerDeleteRetentionPolicy"] }],
    },
    forType(TYPE.blobService, (props, report) => {
      if (props.isVersioningEnabled !== true) report("Blob service must keep versions of overwritten blobs: set isVersioningEnabled to true.");
      if (!retains(props.deleteRetentionPolicy)) report(`Blob service must keep deleted blobs at least ${MIN_SOFT_DELETE_DAYS} days: enable deleteRetentionPolicy.`);
      if (!retains(props.containerDeleteRetentionPolicy)) report(`Blob service must keep deleted containers at least ${MIN_SOFT_DELETE_DAYS} days: enable containerDeleteRetentionPolicy.`);
    }),
  ),
  resourcePolicy(
    {
      name: "storage-public-network-access",
      asks: "Storage accounts accept no traffic from public networks (advisory: it depends on the agency's network; `network: private` does it).",
      controls: ["AC-4", "AC-17", "SC-7", "SC-7(3)"],
      azurePolicies: [{ displayName: "Storage accounts should restrict network access", definitionId: "34c877ad-507e-4c82-993e-3452a6e0ad3c" }],
      evidence: [{ type: TYPE.storageAccount, settings: ["publicNetworkAccess", "networkRuleSet"] }],
      enforcementLevel: "advisory",
    },
    forType(TYPE.storageAccount, (props, report) => {
      if (props.publicNetworkAccess !== "Disabled" && valueAt(props, "networkRuleSet.defaultAction") !== "Deny") {
        report("Storage account is reachable from public networks: disable public network access (network: private) or deny by default in its firewall.");
      }
    }),
  ),
  resourceLogsPolicy({
    name: "storage-resource-logs",
    noun: "storage account",
    type: TYPE.storageAccount,
    via: { type: TYPE.blobService, input: "accountName" },
    azurePolicies: [{ displayName: "Configure diagnostic settings for Blob Services to Log Analytics workspace", definitionId: "b4fe1a3b-0715-4c6c-a5ea-ffc33cf823cb" }],
  }),
];
