import * as keyvault from "@pulumi/azure-native/keyvault";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkMode } from "./config";

export interface SecretVaultArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** Azure tenant of the subscription (may differ from the Purview tenant for GCC). */
  readonly tenantId: pulumi.Input<string>;
  /** The connector app's client secret; none with a federated credential (the vault then holds the encryption keys only). */
  readonly secret?: VaultSecret;
  /** "private": reachable only through its private endpoint. */
  readonly network: NetworkMode;
}

export interface VaultSecret {
  readonly name: string;
  /** Must be a Pulumi secret. */
  readonly value: pulumi.Input<string>;
  /** yyyy-mm-dd the secret stops working: its Key Vault expiry (IA-5). */
  readonly expiresOn: string;
}

/** Key Vault's `exp` attribute: seconds since the epoch, at the start of the UTC day the credential ends. */
export function expiryAttribute(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

/**
 * The stack's Key Vault: the connector's client secret (if any) and the customer-managed encryption keys;
 * access is by Azure RBAC only. (Named for its first use: the name is part of the resources' URNs.)
 */
export class SecretVault extends pulumi.ComponentResource {
  readonly vaultId: pulumi.Output<string>;
  readonly vaultName: pulumi.Output<string>;
  /** `https://<vault>.vault.usgovcloudapi.net/` */
  readonly vaultUri: pulumi.Output<string>;
  /** Scope for granting read access to this one secret. */
  readonly secretId?: pulumi.Output<string>;
  /**
   * Versioned URL of the current secret value. Unsecret: the URL holds no secret, and a secret
   * output would mark the job's whole configuration secret. Versioned: a rotation changes the
   * job in the same `pulumi up`, instead of waiting for Container Apps' periodic refresh of
   * versionless references while the old password is already deleted.
   */
  readonly secretVersionedUrl?: pulumi.Output<string>;

  constructor(name: string, args: SecretVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:secrets:SecretVault", name, {}, opts);

    const vault = new keyvault.Vault(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        properties: {
          tenantId: args.tenantId,
          sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          enablePurgeProtection: true,
          publicNetworkAccess: args.network === "private" ? "Disabled" : "Enabled",
          // Private: nothing from public networks, trusted Azure services excepted.
          networkAcls: args.network === "private" ? { defaultAction: keyvault.NetworkRuleAction.Deny, bypass: keyvault.NetworkRuleBypassOptions.AzureServices } : undefined,
        },
      },
      { parent: this },
    );

    const secret =
      args.secret === undefined
        ? undefined
        : new keyvault.Secret(
            args.secret.name,
            {
              resourceGroupName: args.resourceGroupName,
              vaultName: vault.name,
              secretName: args.secret.name,
              properties: { value: args.secret.value, attributes: { expires: expiryAttribute(args.secret.expiresOn) } },
            },
            { parent: this },
          );

    this.vaultId = vault.id;
    this.vaultName = vault.name;
    this.vaultUri = vault.properties.vaultUri;
    this.secretId = secret?.id;
    this.secretVersionedUrl = secret === undefined ? undefined : pulumi.unsecret(secret.properties.secretUriWithVersion);
    this.registerOutputs({ vaultId: vault.id, secretId: this.secretId });
  }
}
