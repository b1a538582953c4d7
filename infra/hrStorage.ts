import * as storage from "@pulumi/azure-native/storage";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkMode } from "./config";
import { geoRedundantSku } from "./geoRedundancy";

/** A customer-managed key and the user-assigned identity that may use it. */
export interface KeyEncryption {
  readonly identityId: pulumi.Input<string>;
  readonly keyName: string;
  /** The vault's URI: the account follows the key's latest version. */
  readonly keyVaultUri: pulumi.Input<string>;
  /** The identity's grant on the key, in effect: the account is created with its key, so after it. */
  readonly ready: pulumi.Resource;
}

export interface HrStorageArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Data at rest: a customer-managed key (SC-12), under infrastructure encryption (SC-28(1)). */
  readonly encryption: KeyEncryption;
  /** Days an overwritten or deleted version of a file in hr-data is kept. */
  readonly dataVersionDays: number;
  /** "private": reachable only through its private endpoint. */
  readonly network: NetworkMode;
}

export const DATA_CONTAINER = "hr-data";
const STATE_CONTAINER = "hr-state";
/** The uploader's kept copies (HR rows): the container named hr-kept beside --checkpoint's (uploader/src/storage/blobUrl.ts). */
const KEPT_CONTAINER = "hr-kept";

/** Days a deleted or overwritten blob (or container) can be recovered. */
const SOFT_DELETE_DAYS = 14;
/**
 * Versioning is account-wide, and the uploader rewrites its checkpoints after every chunk:
 * their old versions go once they are as old as a soft-deleted blob would be.
 */
const STATE_VERSION_DAYS = SOFT_DELETE_DAYS;
/** Old versions of a kept copy are never read (reads are pinned to the current copy's ETag): gone after a day. */
const KEPT_VERSION_DAYS = 1;
/**
 * A kept copy is needed only until its version is delivered, normally the same
 * night; one untouched this long belongs to a version the job has failed to
 * finish for as long as a deleted checkpoint stays recoverable: it goes, and the
 * next run reports that version `abandoned` (alerted).
 */
const KEPT_COPY_DAYS = STATE_VERSION_DAYS;
/** Run records (`hr-state/runs/`) are the job's audit trail: kept a little over a year. */
const RUN_RECORD_DAYS = 400;

/**
 * The storage account between the HR system and the job: `hr-data` receives the
 * CSV, `hr-state` keeps the uploader's checkpoints and run records, `hr-kept`
 * the copies of file versions it is delivering. Entra
 * authentication only (no account keys, no anonymous access); every blob version
 * is kept for a while, so a replaced or deleted CSV can be recovered.
 */
export class HrStorage extends pulumi.ComponentResource {
  readonly accountId: pulumi.Output<string>;
  /** The account's blob service (`…/blobServices/default`): where its resource logs come from. */
  readonly blobServiceId: pulumi.Output<string>;
  readonly accountName: pulumi.Output<string>;
  readonly dataContainerId: pulumi.Output<string>;
  readonly stateContainerId: pulumi.Output<string>;
  /** `hr-kept`: the uploader's kept copies of versions under way (HR rows), apart from what `status` reads. */
  readonly keptContainerId: pulumi.Output<string>;
  /** https URL of the `hr-state` container. */
  readonly stateContainerUrl: pulumi.Output<string>;
  private readonly blobEndpoint: pulumi.Output<string>;

  constructor(name: string, args: HrStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:storage:HrStorage", name, {}, opts);

    const account = new storage.StorageAccount(
      name.replace(/[^a-z0-9]/g, ""), // account names are lowercase letters and digits only
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: storage.Kind.StorageV2,
        sku: { name: geoRedundantSku(args.location) },
        identity: { type: storage.IdentityType.UserAssigned, userAssignedIdentities: [args.encryption.identityId] },
        // Set at creation only: changing either replaces the account.
        encryption: {
          requireInfrastructureEncryption: true,
          keySource: storage.KeySource.Microsoft_Keyvault,
          keyVaultProperties: { keyName: args.encryption.keyName, keyVaultUri: args.encryption.keyVaultUri },
          encryptionIdentity: { encryptionUserAssignedIdentity: args.encryption.identityId },
          services: { blob: { enabled: true, keyType: storage.KeyType.Account }, file: { enabled: true, keyType: storage.KeyType.Account } },
        },
        accessTier: storage.AccessTier.Hot,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        publicNetworkAccess: args.network === "private" ? storage.PublicNetworkAccess.Disabled : storage.PublicNetworkAccess.Enabled,
        // Private: nothing from public networks, trusted Azure services excepted.
        networkRuleSet: args.network === "private" ? { defaultAction: storage.DefaultAction.Deny, bypass: storage.Bypass.AzureServices } : undefined,
      },
      { parent: this, dependsOn: [args.encryption.ready] },
    );

    const blobService = new storage.BlobServiceProperties(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        blobServicesName: "default",
        isVersioningEnabled: true,
        deleteRetentionPolicy: { enabled: true, days: SOFT_DELETE_DAYS },
        containerDeleteRetentionPolicy: { enabled: true, days: SOFT_DELETE_DAYS },
      },
      { parent: this },
    );

    const rule = (ruleName: string, prefix: string, actions: inputs.storage.ManagementPolicyActionArgs) => ({
      name: ruleName,
      enabled: true,
      type: storage.RuleType.Lifecycle,
      definition: { filters: { blobTypes: ["blockBlob"], prefixMatch: [prefix] }, actions },
    });
    new storage.ManagementPolicy(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        managementPolicyName: "default", // an account has one lifecycle policy, always named "default"
        policy: {
          rules: [
            rule("hr-data-old-versions", `${DATA_CONTAINER}/`, { version: { delete: { daysAfterCreationGreaterThan: args.dataVersionDays } } }),
            rule("hr-state-old-versions", `${STATE_CONTAINER}/`, { version: { delete: { daysAfterCreationGreaterThan: STATE_VERSION_DAYS } } }),
            rule("hr-state-run-records", `${STATE_CONTAINER}/runs/`, { baseBlob: { delete: { daysAfterModificationGreaterThan: RUN_RECORD_DAYS } } }),
            rule("hr-kept-copies", `${KEPT_CONTAINER}/`, {
              baseBlob: { delete: { daysAfterModificationGreaterThan: KEPT_COPY_DAYS } },
              version: { delete: { daysAfterCreationGreaterThan: KEPT_VERSION_DAYS } },
            }),
          ],
        },
      },
      // Version actions need versioning on.
      { parent: this, dependsOn: [blobService] },
    );

    const container = (containerName: string) =>
      new storage.BlobContainer(
        containerName,
        { resourceGroupName: args.resourceGroupName, accountName: account.name, containerName, publicAccess: storage.PublicAccess.None },
        // Not concurrently with the blob service settings on the same account: ARM can refuse one of the two writes.
        { parent: this, dependsOn: [blobService] },
      );
    const data = container(DATA_CONTAINER);
    const state = container(STATE_CONTAINER);
    const kept = container(KEPT_CONTAINER);

    this.accountId = account.id;
    this.blobServiceId = blobService.id;
    this.accountName = account.name;
    this.dataContainerId = data.id;
    this.stateContainerId = state.id;
    this.keptContainerId = kept.id;
    // The host comes from the account's endpoints, which differ per cloud (core.usgovcloudapi.net in Azure Government).
    this.blobEndpoint = account.primaryEndpoints.blob;
    this.stateContainerUrl = this.blobUrl(STATE_CONTAINER);
    this.registerOutputs({ accountName: this.accountName, stateContainerUrl: this.stateContainerUrl });
  }

  /** https URL of a CSV blob in `hr-data`: where the HR system puts that file. */
  csvUrl(csvBlobName: string): pulumi.Output<string> {
    return this.blobUrl(`${DATA_CONTAINER}/${csvBlobName.split("/").map(encodeURIComponent).join("/")}`);
  }

  private blobUrl(path: string): pulumi.Output<string> {
    return this.blobEndpoint.apply((endpoint) => new URL(path, endpoint).href);
  }
}
