/**
 * The state backend's keys: the key that wraps each stack's secrets (Pulumi's secrets
 * provider), and the customer-managed key of the state account (built-in 6fac406b), each
 * with a rotation policy, as the stack's own keys (infra/encryptionKeys.ts).
 *
 * Rotation and the secrets provider: Pulumi's `azurekeyvault` provider (gocloud.dev's
 * keeper) decrypts with the version its URL names, or the latest when it names none; it
 * does not read a version from the ciphertext. A versionless URL therefore stops decrypting
 * at the first rotation (pulumi/pulumi#22338, "Unable to decrypt specified value with this
 * key", 2026-03-24). So the URL bootstrap-state prints names the version, and a key that
 * existed before (whose stacks may hold a versionless URL) gets its policy only when asked.
 */
import { ENCRYPTION_KEY, type KeyRotationPolicy } from "../../../infra/encryptionKeys";
import { BootstrapError, firstLine, notFound, type AzSteps, type AzureCli } from "./azSteps";
import type { ToolResult } from "../../../uploader/src/auth/toolRunner";

/** Waits between attempts while something new (a role assignment) reaches the service that checks it. */
export interface Propagation {
  readonly attempts: number;
  readonly delayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Runs `attempt` until it succeeds or refuses for another reason than `stillPropagating`, at most `attempts` times. */
export async function untilPropagated(what: string, attempt: () => Promise<ToolResult>, stillPropagating: (result: ToolResult) => boolean, propagation: Propagation, log: (line: string) => void): Promise<ToolResult> {
  for (let count = 1; ; count++) {
    const result = await attempt();
    if (result.code === 0 || !stillPropagating(result) || count >= propagation.attempts) return result;
    log(`${what} refuses the new role assignment so far; retrying in ${Math.round(propagation.delayMs / 1000)} s (attempt ${count} of ${propagation.attempts})`);
    await propagation.sleep(propagation.delayMs);
  }
}

/** Key Vault's firewall refusing this machine's address: waiting does not open it. */
const refusedByFirewall = (result: ToolResult) => /ForbiddenByFirewall|not authorized and caller is not a trusted service/i.test(result.stderr);
/** Key Vault's data plane refusing a caller it has no role for yet. */
const notYetAuthorized = (result: ToolResult) =>
  !refusedByFirewall(result) && /Forbidden|AuthorizationFailed|does not have (secrets|keys) \w+ permission|Caller is not authorized/i.test(result.stderr);

interface AzKey {
  readonly key: { readonly kid: string };
}

/** `key.kid` is `https://<vault host>/keys/<name>/<version>`. */
export const keyVersion = (key: AzKey) => key.key.kid.split("/").at(-1) ?? "";

export interface KeySpec {
  readonly vault: string;
  readonly name: string;
  readonly ops: readonly string[];
  /** The rotation policy to give it; undefined: none. */
  readonly rotation: KeyRotationPolicy | undefined;
  /** Whether a key that exists already gets `rotation` too (its users may depend on it not rotating). */
  readonly rotateExisting: boolean;
}

/** The key, created RSA 3072 if missing, with its rotation policy; retried while the caller's new role propagates. */
export async function ensureKey(spec: KeySpec, az: AzureCli, steps: AzSteps, propagation: Propagation, log: (line: string) => void): Promise<AzKey> {
  const show = await untilPropagated("Key Vault", () => az(["keyvault", "key", "show", "--vault-name", spec.vault, "--name", spec.name, "--output", "json"]), notYetAuthorized, propagation, log);
  if (show.code !== 0 && !notFound(show)) {
    throw new BootstrapError(
      refusedByFirewall(show)
        ? `key vault ${spec.vault} refuses this machine's network (its public access is off): run bootstrap-state from inside the network of its private endpoint`
        : `az keyvault key show failed: ${firstLine(show.stderr)}`,
    );
  }
  const created = show.code !== 0;
  log(created ? `creating key ${spec.name}` : `key ${spec.name} exists`);
  const key = created
    ? await steps.json<AzKey>(["keyvault", "key", "create", "--vault-name", spec.vault, "--name", spec.name, "--kty", ENCRYPTION_KEY.kty, "--size", String(ENCRYPTION_KEY.keySize), "--ops", ...spec.ops])
    : (JSON.parse(show.stdout) as AzKey);
  if (spec.rotation !== undefined) await ensureRotation(spec, spec.rotation, created, steps, log);
  return key;
}

const rotates = (policy: Partial<KeyRotationPolicy> | undefined) => (policy?.lifetimeActions ?? []).some((action) => action.action.type.toLowerCase() === "rotate");

async function ensureRotation(spec: KeySpec, rotation: KeyRotationPolicy, created: boolean, steps: AzSteps, log: (line: string) => void): Promise<void> {
  const keyArgs = ["--vault-name", spec.vault, "--name", spec.name];
  if (!created) {
    const current = await steps.json<Partial<KeyRotationPolicy>>(["keyvault", "key", "rotation-policy", "show", ...keyArgs]);
    if (rotates(current)) return log(`key ${spec.name} has a rotation policy`);
    if (!spec.rotateExisting) {
      return log(
        `key ${spec.name} has no rotation policy, and gets none from a rerun: a stack whose secrets provider names the key without a version would stop decrypting at its first rotation. ` +
          `Pin each stack to the current version (pulumi stack change-secrets-provider, with the URL below), then run again with --key-rotation`,
      );
    }
  }
  log(`key ${spec.name} rotates ${rotation.lifetimeActions.map((action) => action.trigger.timeAfterCreate).filter(Boolean).join(", ")} after each version's creation`);
  await steps.json(["keyvault", "key", "rotation-policy", "update", ...keyArgs, "--value", steps.jsonFile(`${spec.name}-rotation`, rotation)]);
}

/** The secrets key's policy: rotate after `after`; no expiry (whether Key Vault unwraps with an expired version the stack is pinned to is UNCONFIRMED). */
export const secretsKeyRotation = (after: string): KeyRotationPolicy => ({ lifetimeActions: [{ action: { type: "Rotate" }, trigger: { timeAfterCreate: after } }] });
