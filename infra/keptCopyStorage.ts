import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { blobServiceSettings, blobUrlIn, hardenedStorageAccount, type HardenedAccountArgs } from "./storageAccount";

/** The uploader's kept copies (HR rows): the container the job's HR_KEPT_CONTAINER names (uploader/src/storage/blobUrl.ts). */
export const KEPT_CONTAINER = "hr-kept";

/**
 * The account's retention class, read by the policy pack (policy/storage.ts): copies that exist only while a
 * version is being delivered, recoverable from `hr-data`, so versioning and a long soft delete are not wanted.
 */
export const RETENTION_TAG = { "hr-connector-retention": "transient-copies" } as const;

/**
 * Days a deleted copy can still be recovered: the least Azure allows (1 to 365 days; Learn, "Soft delete for blobs",
 * read 2026-12-07). Soft-deleted blobs are out of reach of lifecycle rules (Learn, "Lifecycle management policies
 * that delete blobs", same date), which is why the copies have an account of their own rather than hr-data's 14 days.
 */
const SOFT_DELETE_DAYS = 1;
/**
 * A kept copy is needed only until its version is delivered, normally the same
 * night; one untouched this long belongs to a version the job has failed to
 * finish for as long as a deleted checkpoint stays recoverable: it goes, and the
 * next run reports that version `abandoned` (alerted).
 */
export const KEPT_COPY_DAYS = 14;

export type KeptCopyStorageArgs = HardenedAccountArgs;

/**
 * Where the uploader keeps its copy of a file version while delivering it: HR
 * rows, so an account of its own, hardened as the others, where nothing
 * outlives its use by more than a day. No versioning (an overwritten or deleted
 * copy leaves no version behind), deleted copies recoverable for one day only,
 * copies untouched for KEPT_COPY_DAYS deleted. Only the job's identity is
 * granted on it; `status` never reads it.
 */
export class KeptCopyStorage extends pulumi.ComponentResource {
  readonly accountId: pulumi.Output<string>;
  /** The account's blob service: where its resource logs come from. */
  readonly blobServiceId: pulumi.Output<string>;
  readonly containerId: pulumi.Output<string>;
  /** https URL of the `hr-kept` container: the job's HR_KEPT_CONTAINER. */
  readonly containerUrl: pulumi.Output<string>;

  constructor(name: string, args: KeptCopyStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:storage:KeptCopyStorage", name, {}, opts);

    const account = hardenedStorageAccount(`${name}-kept`, { ...args, tags: { ...args.tags, ...RETENTION_TAG } }, this);
    const blobService = blobServiceSettings(`${name}-kept`, account, args.resourceGroupName, { versioning: false, softDeleteDays: SOFT_DELETE_DAYS }, this);
    new storage.ManagementPolicy(
      `${name}-kept`,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        managementPolicyName: "default", // an account has one lifecycle policy, always named "default"
        policy: {
          rules: [
            {
              name: "hr-kept-copies",
              enabled: true,
              type: storage.RuleType.Lifecycle,
              definition: {
                filters: { blobTypes: ["blockBlob"], prefixMatch: [`${KEPT_CONTAINER}/`] },
                actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: KEPT_COPY_DAYS } } },
              },
            },
          ],
        },
      },
      // Not concurrently with the blob service settings on the same account, as the container below.
      { parent: this, dependsOn: [blobService] },
    );
    const container = new storage.BlobContainer(
      KEPT_CONTAINER,
      { resourceGroupName: args.resourceGroupName, accountName: account.name, containerName: KEPT_CONTAINER, publicAccess: storage.PublicAccess.None },
      // Not concurrently with the blob service settings on the same account: ARM can refuse one of the two writes.
      { parent: this, dependsOn: [blobService] },
    );

    this.accountId = account.id;
    this.blobServiceId = blobService.id;
    this.containerId = container.id;
    this.containerUrl = blobUrlIn(account, KEPT_CONTAINER);
    this.registerOutputs({ containerUrl: this.containerUrl });
  }
}
