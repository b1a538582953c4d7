/**
 * The customer-managed keys' type, size and rotation, for the stack's keys and the state
 * backend's alike. No Pulumi here: bootstrap-state uses it too.
 *
 * RSA 3072: accepted by Storage and Container Registry for customer-managed keys, and beyond
 * NIST SP 800-57's 2030 horizon for 2048. Software-protected (Standard vault): FIPS 140 Level 1;
 * an agency requiring Level 2+ (RSA-HSM) needs the Premium vault SKU (see README, UNCONFIRMED
 * which IL requires it).
 */
export const ENCRYPTION_KEY = {
  kty: "RSA",
  keySize: 3072,
  /** Rotated yearly; each version expires after two years, notified 30 days before. Storage and the registry follow the versionless key. */
  rotateAfter: "P1Y",
  expiresAfter: "P2Y",
  notifyBefore: "P30D",
} as const;

/** A Key Vault key rotation policy, in the shape both ARM (`properties.rotationPolicy`) and `az keyvault key rotation-policy` take. */
export interface KeyRotationPolicy {
  readonly attributes?: { readonly expiryTime: string };
  readonly lifetimeActions: readonly { readonly action: { readonly type: "Rotate" | "Notify" }; readonly trigger: { readonly timeAfterCreate?: string; readonly timeBeforeExpiry?: string } }[];
}

/** Rotate after `ENCRYPTION_KEY.rotateAfter`, expire each version after `expiresAfter`, notify before it does: for keys a service reads versionless. */
export const SERVICE_KEY_ROTATION: KeyRotationPolicy = {
  attributes: { expiryTime: ENCRYPTION_KEY.expiresAfter },
  lifetimeActions: [
    { action: { type: "Rotate" }, trigger: { timeAfterCreate: ENCRYPTION_KEY.rotateAfter } },
    { action: { type: "Notify" }, trigger: { timeBeforeExpiry: ENCRYPTION_KEY.notifyBefore } },
  ],
};

/** ISO 8601 durations as Key Vault's rotation triggers take them (P1Y, P90D, P1Y6M). */
export const ISO_DURATION = /^P(?=\d)(\d+Y)?(\d+M)?(\d+D)?$/;
