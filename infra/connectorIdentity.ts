import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";

export interface ConnectorIdentityArgs {
  /** Display name of the app registration in Entra. */
  readonly displayName: string;
  /** What the app is for, shown to directory admins. */
  readonly notes: string;
  /** Changing it replaces the client secret (rotation). */
  readonly secretRotation: string;
  /** yyyy-mm-dd on which the client secret stops working. */
  readonly secretExpiresOn: string;
}

/**
 * The Entra app the Purview HR connector trusts: single tenant, no API
 * permissions (the connector matches the token's app ID to its own setting),
 * and one client secret rotated by configuration.
 */
export class ConnectorIdentity extends pulumi.ComponentResource {
  /** The app (client) ID typed into the connector wizard. */
  readonly clientId: pulumi.Output<string>;
  /** Tenant the app is registered in, i.e. the Purview tenant. */
  readonly tenantId: pulumi.Output<string>;
  /** Marked secret explicitly: the provider's own marking is not applied under mocks. */
  readonly clientSecret: pulumi.Output<string>;

  constructor(name: string, args: ConnectorIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:identity:ConnectorIdentity", name, {}, opts);

    const deployer = azuread.getClientConfigOutput({ parent: this });
    const application = new azuread.Application(
      name,
      {
        displayName: args.displayName,
        signInAudience: "AzureADMyOrg",
        notes: args.notes,
        owners: [deployer.objectId],
      },
      { parent: this },
    );
    new azuread.ServicePrincipal(name, { clientId: application.clientId, notes: args.notes, owners: [deployer.objectId] }, { parent: this });

    // Every argument of a password forces replacement, so nothing here may depend on the current time.
    // Pulumi's default create-before-delete keeps the old secret valid until the new one is in Key Vault.
    const password = new azuread.ApplicationPassword(
      name,
      {
        applicationId: application.id,
        displayName: "hr-upload (managed by Pulumi)",
        endDate: `${args.secretExpiresOn}T00:00:00Z`,
        rotateWhenChanged: { secretRotation: args.secretRotation },
      },
      { parent: this },
    );

    this.clientId = application.clientId;
    this.tenantId = deployer.tenantId;
    this.clientSecret = pulumi.secret(password.value);
    this.registerOutputs({ clientId: this.clientId, tenantId: this.tenantId });
  }
}
