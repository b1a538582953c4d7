import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";

export interface HrStorageArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** Blob in `hr-data` the HR system writes and the job reads. */
  readonly csvBlobName: string;
}

export const DATA_CONTAINER = "hr-data";
const STATE_CONTAINER = "hr-state";

/** Days a deleted or overwritten blob (or container) can be recovered. */
const SOFT_DELETE_DAYS = 14;

/**
 * The storage account between the HR system and the job: `hr-data` receives the
 * CSV, `hr-state` keeps the uploader's checkpoints and run records. Entra
 * authentication only (no account keys, no anonymous access).
 */
export class HrStorage extends pulumi.ComponentResource {
  readonly accountName: pulumi.Output<string>;
  readonly dataContainerId: pulumi.Output<string>;
  readonly stateContainerId: pulumi.Output<string>;
  /** https URL of the CSV blob: where the HR system puts the file. */
  readonly csvUrl: pulumi.Output<string>;
  /** https URL of the `hr-state` container. */
  readonly stateContainerUrl: pulumi.Output<string>;

  constructor(name: string, args: HrStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:storage:HrStorage", name, {}, opts);

    const account = new storage.StorageAccount(
      name.replace(/[^a-z0-9]/g, ""), // account names are lowercase letters and digits only
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: storage.Kind.StorageV2,
        sku: { name: storage.SkuName.Standard_LRS },
        accessTier: storage.AccessTier.Hot,
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
      },
      { parent: this },
    );

    new storage.BlobServiceProperties(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        blobServicesName: "default",
        deleteRetentionPolicy: { enabled: true, days: SOFT_DELETE_DAYS },
        containerDeleteRetentionPolicy: { enabled: true, days: SOFT_DELETE_DAYS },
      },
      { parent: this },
    );

    const container = (containerName: string) =>
      new storage.BlobContainer(
        containerName,
        { resourceGroupName: args.resourceGroupName, accountName: account.name, containerName, publicAccess: storage.PublicAccess.None },
        { parent: this },
      );
    const data = container(DATA_CONTAINER);
    const state = container(STATE_CONTAINER);

    // The host comes from the account's endpoints, which differ per cloud (core.usgovcloudapi.net in Azure Government).
    const blobUrl = (path: string) => account.primaryEndpoints.blob.apply((endpoint) => new URL(path, endpoint).href);
    const csvPath = args.csvBlobName.split("/").map(encodeURIComponent).join("/");

    this.accountName = account.name;
    this.dataContainerId = data.id;
    this.stateContainerId = state.id;
    this.csvUrl = blobUrl(`${DATA_CONTAINER}/${csvPath}`);
    this.stateContainerUrl = blobUrl(STATE_CONTAINER);
    this.registerOutputs({ accountName: this.accountName, csvUrl: this.csvUrl, stateContainerUrl: this.stateContainerUrl });
  }
}
