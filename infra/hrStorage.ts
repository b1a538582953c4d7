import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";

export interface HrStorageArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
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

    const blobService = new storage.BlobServiceProperties(
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
        // Not concurrently with the blob service settings on the same account: ARM can refuse one of the two writes.
        { parent: this, dependsOn: [blobService] },
      );
    const data = container(DATA_CONTAINER);
    const state = container(STATE_CONTAINER);

    this.accountName = account.name;
    this.dataContainerId = data.id;
    this.stateContainerId = state.id;
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
