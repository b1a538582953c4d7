import * as storage from "@pulumi/azure-native/storage";
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

export interface HardenedAccountArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Data at rest: a customer-managed key (SC-12), under infrastructure encryption (SC-28(1)). */
  readonly encryption: KeyEncryption;
  /** "private": reachable only through its private endpoint. */
  readonly network: NetworkMode;
  readonly tags?: Record<string, string>;
}

/**
 * A storage account as every one of the stack's is: geo-redundant, encrypted
 * twice under the customer's key, Entra authentication only (no account keys,
 * no anonymous access), TLS 1.2, and in a private stack closed to public networks.
 */
export function hardenedStorageAccount(resourceName: string, args: HardenedAccountArgs, parent: pulumi.Resource): storage.StorageAccount {
  return new storage.StorageAccount(
    resourceName.replace(/[^a-z0-9]/g, ""), // account names are lowercase letters and digits only
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
      tags: args.tags,
    },
    { parent, dependsOn: [args.encryption.ready] },
  );
}

/** https URL of a path (a container, a blob) in an account, whose host differs per cloud (core.usgovcloudapi.net in Azure Government). */
export function blobUrlIn(account: storage.StorageAccount, path: string): pulumi.Output<string> {
  return account.primaryEndpoints.blob.apply((endpoint) => new URL(path, endpoint).href);
}

/** What an account keeps of blobs overwritten or deleted: versions or not, and days of soft delete for blobs and containers. */
export interface Recovery {
  readonly versioning: boolean;
  readonly softDeleteDays: number;
}

/** The account's blob service settings; containers are created after them (ARM can refuse two writes at once on one account). */
export function blobServiceSettings(resourceName: string, account: storage.StorageAccount, resourceGroupName: pulumi.Input<string>, recovery: Recovery, parent: pulumi.Resource): storage.BlobServiceProperties {
  return new storage.BlobServiceProperties(
    resourceName,
    {
      resourceGroupName,
      accountName: account.name,
      blobServicesName: "default",
      isVersioningEnabled: recovery.versioning,
      deleteRetentionPolicy: { enabled: true, days: recovery.softDeleteDays },
      containerDeleteRetentionPolicy: { enabled: true, days: recovery.softDeleteDays },
    },
    { parent },
  );
}
