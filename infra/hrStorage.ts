import * as storage from "@pulumi/azure-native/storage";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import { blobServiceSettings, blobUrlIn, hardenedStorageAccount, type HardenedAccountArgs } from "./storageAccount";

export interface HrStorageArgs extends HardenedAccountArgs {
  /** Days an overwritten or deleted version of a file in hr-data is kept. */
  readonly dataVersionDays: number;
}

export const DATA_CONTAINER = "hr-data";
const STATE_CONTAINER = "hr-state";

/** Days a deleted or overwritten blob (or container) can be recovered. */
const SOFT_DELETE_DAYS = 14;
/**
 * Versioning is account-wide, and the uploader rewrites its checkpoints after every chunk:
 * their old versions go once they are as old as a soft-deleted blob would be.
 */
const STATE_VERSION_DAYS = SOFT_DELETE_DAYS;
/** Run records (`hr-state/runs/`) are the job's audit trail: kept a little over a year. */
const RUN_RECORD_DAYS = 400;

/**
 * The storage account between the HR system and the job: `hr-data` receives the
 * CSV, `hr-state` keeps the uploader's checkpoints and run records (the copies
 * of file versions it is delivering live apart: keptCopyStorage.ts). Every
 * blob version is kept for a while, so a replaced or deleted CSV can be recovered.
 */
export class HrStorage extends pulumi.ComponentResource {
  readonly accountId: pulumi.Output<string>;
  /** The account's blob service (`…/blobServices/default`): where its resource logs come from. */
  readonly blobServiceId: pulumi.Output<string>;
  readonly accountName: pulumi.Output<string>;
  readonly dataContainerId: pulumi.Output<string>;
  readonly stateContainerId: pulumi.Output<string>;
  /** https URL of the `hr-state` container. */
  readonly stateContainerUrl: pulumi.Output<string>;
  private readonly account: storage.StorageAccount;

  constructor(name: string, args: HrStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:storage:HrStorage", name, {}, opts);

    const account = hardenedStorageAccount(name, args, this);

    const blobService = blobServiceSettings(name, account, args.resourceGroupName, { versioning: true, softDeleteDays: SOFT_DELETE_DAYS }, this);

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

    this.accountId = account.id;
    this.blobServiceId = blobService.id;
    this.accountName = account.name;
    this.dataContainerId = data.id;
    this.stateContainerId = state.id;
    this.account = account;
    this.stateContainerUrl = blobUrlIn(account, STATE_CONTAINER);
    this.registerOutputs({ accountName: this.accountName, stateContainerUrl: this.stateContainerUrl });
  }

  /** https URL of a CSV blob in `hr-data`: where the HR system puts that file. */
  csvUrl(csvBlobName: string): pulumi.Output<string> {
    return blobUrlIn(this.account, `${DATA_CONTAINER}/${csvBlobName.split("/").map(encodeURIComponent).join("/")}`);
  }
}
