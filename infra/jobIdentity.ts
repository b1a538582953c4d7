import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { builtInRoleDefinitionId, type BuiltInRole } from "./builtInRoles";

export interface JobIdentityArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly registryId: pulumi.Input<string>;
  /** The client secret in Key Vault (not the vault); absent with a federated credential. */
  readonly secretId?: pulumi.Input<string>;
  /** The `hr-data` container: read the CSV. */
  readonly dataContainerId: pulumi.Input<string>;
  /** The `hr-state` container: read and write checkpoints and run records. */
  readonly stateContainerId: pulumi.Input<string>;
  /** The `hr-kept` container: write, read and delete the kept copies of versions under way. */
  readonly keptContainerId: pulumi.Input<string>;
}

/**
 * The job's user-assigned identity and everything it may do, each grant on
 * the narrowest scope that works.
 */
export class JobIdentity extends pulumi.ComponentResource {
  /** Resource ID, for the job's identity, registry and Key Vault settings. */
  readonly id: pulumi.Output<string>;
  /** The uploader's AZURE_CLIENT_ID. */
  readonly clientId: pulumi.Output<string>;
  /** Its object ID: the subject of a federated credential that trusts it. */
  readonly principalId: pulumi.Output<string>;
  /** The job depends on these: its first execution must already be allowed to pull and read. */
  readonly roleAssignments: authorization.RoleAssignment[];

  constructor(name: string, args: JobIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:access:JobIdentity", name, {}, opts);

    const identity = new managedidentity.UserAssignedIdentity(
      name,
      { resourceGroupName: args.resourceGroupName, location: args.location },
      { parent: this },
    );

    const grant = (grantName: string, role: BuiltInRole, scope: pulumi.Input<string>) =>
      new authorization.RoleAssignment(
        `${name}-${grantName}`,
        {
          scope,
          principalId: identity.principalId,
          // Skips the directory lookup that fails while a new identity is still replicating.
          principalType: authorization.PrincipalType.ServicePrincipal,
          roleDefinitionId: builtInRoleDefinitionId(args.subscriptionId, role),
        },
        { parent: this },
      );

    this.roleAssignments = [
      grant("acr-pull", "acrPull", args.registryId),
      ...(args.secretId === undefined ? [] : [grant("secret-read", "keyVaultSecretsUser", args.secretId)]),
      grant("data-read", "storageBlobDataReader", args.dataContainerId),
      grant("state-write", "storageBlobDataContributor", args.stateContainerId),
      grant("kept-write", "storageBlobDataContributor", args.keptContainerId),
    ];
    this.id = identity.id;
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.registerOutputs({ id: this.id, clientId: this.clientId });
  }
}
