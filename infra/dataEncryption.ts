import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { builtInRoleDefinitionId } from "./builtInRoles";
import { GrantPropagation } from "./grantPropagation";
import { ENCRYPTION_KEY, SERVICE_KEY_ROTATION } from "./encryptionKeys";

export interface DataEncryptionArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly vaultName: pulumi.Input<string>;
  /** `https://<vault>.vault.usgovcloudapi.net/` */
  readonly vaultUri: pulumi.Input<string>;
}

export interface CustomerManagedKey {
  readonly keyName: string;
  /** Versionless key URI: the service follows each rotation. */
  readonly keyUri: pulumi.Output<string>;
}

/**
 * Customer-managed keys for data at rest (SC-12, SC-28): one key per service in the stack's vault, with a
 * rotation policy, used by a user-assigned identity that may only wrap and unwrap with them. Storage and the
 * registry take the identity at creation, so the grants are in effect before either exists (`ready`).
 */
export class DataEncryption extends pulumi.ComponentResource {
  readonly identityId: pulumi.Output<string>;
  readonly identityClientId: pulumi.Output<string>;
  readonly storageKey: CustomerManagedKey;
  readonly registryKey: CustomerManagedKey;
  /** What uses a key waits for this: the identity's grants in effect. */
  readonly ready: pulumi.Resource;

  constructor(name: string, args: DataEncryptionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:encryption:DataEncryption", name, {}, opts);
    const identity = new managedidentity.UserAssignedIdentity(`${name}-encryption`, { resourceGroupName: args.resourceGroupName, location: args.location }, { parent: this });

    const grants: authorization.RoleAssignment[] = [];
    const key = (keyName: string): CustomerManagedKey => {
      const created = new keyvault.Key(
        keyName,
        {
          resourceGroupName: args.resourceGroupName,
          vaultName: args.vaultName,
          keyName,
          properties: {
            kty: ENCRYPTION_KEY.kty,
            keySize: ENCRYPTION_KEY.keySize,
            keyOps: [keyvault.JsonWebKeyOperation.WrapKey, keyvault.JsonWebKeyOperation.UnwrapKey],
            rotationPolicy: {
              attributes: SERVICE_KEY_ROTATION.attributes,
              // The SDK's enum spells the actions in lower case.
              lifetimeActions: SERVICE_KEY_ROTATION.lifetimeActions.map(({ action, trigger }) => ({
                action: { type: action.type === "Rotate" ? keyvault.KeyRotationPolicyActionType.Rotate : keyvault.KeyRotationPolicyActionType.Notify },
                trigger,
              })),
            },
          },
        },
        { parent: this },
      );
      grants.push(
        new authorization.RoleAssignment(
          `${keyName}-crypto-user`,
          {
            scope: created.id,
            principalId: identity.principalId,
            principalType: authorization.PrincipalType.ServicePrincipal,
            roleDefinitionId: builtInRoleDefinitionId(args.subscriptionId, "cryptoServiceEncryptionUser"),
          },
          { parent: this },
        ),
      );
      return { keyName, keyUri: pulumi.interpolate`${args.vaultUri}keys/${keyName}` };
    };

    this.storageKey = key("hr-storage");
    this.registryKey = key("hr-registry");
    this.identityId = identity.id;
    this.identityClientId = identity.clientId;
    this.ready = new GrantPropagation(`${name}-encryption-grants`, { roleAssignments: grants }, { parent: this });
    this.registerOutputs({ identityId: this.identityId });
  }
}
