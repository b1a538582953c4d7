import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import type { CredentialConfig } from "./config";

export interface ConnectorIdentityArgs {
  /** Display name of the app registration in Entra. */
  readonly displayName: string;
  /** What the app is for, shown to directory admins. */
  readonly notes: string;
  /** A client secret rotated by configuration, or none (the app trusts a managed identity instead: `trust`). */
  readonly credential: CredentialConfig;
}

/** Who the app trusts to sign in as itself: a managed identity's tokens, by issuer, subject and audience. */
export interface FederatedTrust {
  readonly issuer: pulumi.Input<string>;
  /** The managed identity's principal (object) ID. */
  readonly subject: pulumi.Input<string>;
  readonly audience: string;
}

/**
 * The subject of the app's federated credential: the identity's principal ID, if the identity can be trusted at
 * all. Its tokens are issued by the subscription's tenant; federation works within one tenant only, so another
 * one fails the deployment here rather than every sign-in later.
 */
export function federatedSubject(principalId: string, tenants: { readonly subscription: string; readonly app: string }): string {
  if (tenants.subscription.toLowerCase() !== tenants.app.toLowerCase()) {
    throw new Error(`credential "federated" needs the connector app and the job's identity in one tenant, but the app is in ${tenants.app} and the subscription in ${tenants.subscription}: use credential "secret"`);
  }
  return principalId;
}

/**
 * The Entra app the Purview HR connector trusts: single tenant, no API
 * permissions (the connector matches the token's app ID to its own setting),
 * and either one client secret rotated by configuration or no secret at all.
 */
export class ConnectorIdentity extends pulumi.ComponentResource {
  /** The app (client) ID typed into the connector wizard. */
  readonly clientId: pulumi.Output<string>;
  /** Tenant the app is registered in, i.e. the Purview tenant. */
  readonly tenantId: pulumi.Output<string>;
  /** With a secret credential; marked secret explicitly: the provider's own marking is not applied under mocks. */
  readonly clientSecret?: pulumi.Output<string>;
  private readonly application: azuread.Application;

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

    const { credential } = args;
    if (credential.kind === "secret") {
      // Every argument of a password forces replacement, so nothing here may depend on the current time.
      // Pulumi's default create-before-delete keeps the old secret valid until the new one is in Key Vault.
      const password = new azuread.ApplicationPassword(
        name,
        {
          applicationId: application.id,
          displayName: "hr-upload (managed by Pulumi)",
          endDate: `${credential.expiresOn}T00:00:00Z`,
          rotateWhenChanged: { secretRotation: credential.rotation },
        },
        { parent: this },
      );
      this.clientSecret = pulumi.secret(password.value);
    }

    this.application = application;
    this.clientId = application.clientId;
    this.tenantId = deployer.tenantId;
    this.registerOutputs({ clientId: this.clientId, tenantId: this.tenantId });
  }

  /**
   * Lets a managed identity sign in as this app (workload identity federation): its tokens for the
   * exchange audience become the app's client assertion. Wrong values are accepted here and fail only
   * at sign-in, so they come from the cloud table and the identity itself, never typed in.
   */
  trust(name: string, trust: FederatedTrust): azuread.ApplicationFederatedIdentityCredential {
    return new azuread.ApplicationFederatedIdentityCredential(
      name,
      {
        applicationId: this.application.id,
        displayName: name,
        description: "The hr-upload job's managed identity (managed by Pulumi)",
        issuer: trust.issuer,
        subject: trust.subject,
        audiences: [trust.audience],
      },
      { parent: this },
    );
  }
}
