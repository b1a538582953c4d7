import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The project name `new pulumi.Config()` namespaces keys with (Pulumi.yaml `name`). */
export const PROJECT = "hr-connector";

export interface StackFileConfig {
  /** `namespace:key` → value, as `pulumi.runtime.setAllConfig` takes it. */
  readonly values: Record<string, string>;
  /** Keys holding `secure:` values, which only the Pulumi CLI can decrypt. */
  readonly skippedSecureKeys: string[];
  /** `secretsprovider`, which `pulumi stack init --secrets-provider` writes. */
  readonly secretsProvider?: string;
}

/**
 * Reads a `Pulumi.<stack>.yaml` for offline runs. The CLI does this (and
 * decrypts `secure:` values) in a real deployment; mocks need it done by hand.
 */
export function readStackFile(file: string): StackFileConfig {
  const document = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown>; secretsprovider?: string };
  const values: Record<string, string> = {};
  const skippedSecureKeys: string[] = [];
  for (const [key, value] of Object.entries(document.config ?? {})) {
    if (value !== null && typeof value === "object" && "secure" in value) skippedSecureKeys.push(key);
    else values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { values, skippedSecureKeys, secretsProvider: document.secretsprovider };
}

/** `Pulumi.<stack>.yaml` in `root`; throws, naming it relative to `cwd`, when it is not there. */
export function existingStackFile(root: string, stack: string, cwd: string): string {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new Error(`${path.relative(cwd, file)} does not exist (copy Pulumi.gov.yaml to start one)`);
  return file;
}
