/** How the plan and the control table print one setting of a planned resource. */
import * as path from "node:path";
import { containsSecretEnvelope, type RecordedResource } from "../../infra/offline/mocks";
import { valueAt } from "../../policy/define";
import { REPOSITORY_ROOT } from "./repositoryRoot";

/** Settings that must reach the engine as Pulumi secrets; printed as whether they do, never their value. */
const SECRET_SETTINGS = new Set(["properties.value", "appLogsConfiguration.logAnalyticsConfiguration.sharedKey"]);

/** Pulumi marks a whole top-level input secret when anything inside it is: look along the path. */
function isMarkedSecret(rawInputs: Record<string, unknown>, dottedPath: string): boolean {
  const keys = dottedPath.split(".");
  return keys.some((_key, index) => containsSecretEnvelope(valueAt(rawInputs, keys.slice(0, index + 1).join("."))));
}

/**
 * A setting's value as JSON, `(unset)` when absent. Secret settings print whether they are marked
 * secret, never their value; local paths print relative to the repository, so the text reads the
 * same on every machine; IDs found in `names` print as the resource they name.
 */
export function settingText(resource: RecordedResource, setting: string, names: ReadonlyMap<string, string> = new Map()): string {
  const value = valueAt(resource.inputs, setting);
  if (SECRET_SETTINGS.has(setting)) {
    if (value === undefined) return "(unset)";
    return isMarkedSecret(resource.rawInputs, setting) ? "[secret]" : "NOT MARKED SECRET";
  }
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== "string") return item;
    if (item.startsWith(REPOSITORY_ROOT)) return path.relative(REPOSITORY_ROOT, item) || ".";
    return names.get(item) ?? item;
  });
  return text ?? "(unset)";
}
