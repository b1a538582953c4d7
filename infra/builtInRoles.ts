import * as pulumi from "@pulumi/pulumi";

/** Built-in role definition IDs the stack grants; the same GUIDs in every Azure cloud. */
export const BUILT_IN_ROLES = {
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  storageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  /** "Key Vault Crypto Service Encryption User": wrap and unwrap with a key, nothing else. */
  cryptoServiceEncryptionUser: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
} as const;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/** A role assignment's `roleDefinitionId` for a built-in role, in the subscription's scope. */
export function builtInRoleDefinitionId(subscriptionId: pulumi.Input<string>, role: BuiltInRole): pulumi.Output<string> {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
}
