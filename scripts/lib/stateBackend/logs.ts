/**
 * The state backend's resource logs (AU-2, AU-12; Key Vault's built-in cf820ca0): the vault's
 * audit events and the state container's reads, writes and deletes, by the stack's own table
 * of categories (infra/resourceLogKinds.ts), to a Log Analytics workspace: the agency's
 * (`--log-workspace`) or one made beside the state.
 */
import { RESOURCE_LOG_KINDS, type ResourceLogKind } from "../../../infra/resourceLogKinds";
import type { AzSteps } from "./azSteps";

/** The diagnostic setting's name, as the stack names its own. */
export const DIAGNOSTIC_SETTING = "to-log-analytics";
/** Days the made workspace keeps logs queryable: OMB M-21-31's 12 months active, the stack's `logRetentionDays` default. */
const RETENTION_DAYS = "365";

interface AzDiagnosticSetting {
  readonly name: string;
  readonly workspaceId?: string;
  readonly logs?: readonly { readonly category?: string; readonly enabled?: boolean }[];
}

/** `az monitor diagnostic-settings list` answers a list, or `{value: [...]}` in older releases. */
export const diagnosticSettingsOf = (answer: unknown): readonly AzDiagnosticSetting[] =>
  Array.isArray(answer) ? (answer as AzDiagnosticSetting[]) : ((answer as { value?: AzDiagnosticSetting[] } | null)?.value ?? []);

/** Whether a resource's settings send every category the stack logs for its kind. */
export function logsEverything(settings: readonly AzDiagnosticSetting[], kind: ResourceLogKind): boolean {
  const enabled = new Set(settings.flatMap((setting) => (setting.logs ?? []).filter((log) => log.enabled === true).map((log) => log.category)));
  return RESOURCE_LOG_KINDS[kind].categories.every((category) => enabled.has(category));
}

/** The workspace the logs go to: the one given, else `<name>` in the state's group, made if missing. */
export async function ensureWorkspace(given: string | undefined, name: string, group: readonly string[], location: string, steps: AzSteps): Promise<string> {
  if (given !== undefined) return given;
  const workspace = await steps.ensure<{ id: string }>(
    `Log Analytics workspace ${name}`,
    ["monitor", "log-analytics", "workspace", "show", "--workspace-name", name, ...group],
    ["monitor", "log-analytics", "workspace", "create", "--workspace-name", name, ...group, "--location", location, "--retention-time", RETENTION_DAYS],
  );
  return workspace.id;
}

/** A diagnostic setting sending `resource`'s logs of `kind` to the workspace, unless one already sends them all. */
export async function ensureResourceLogs(what: string, resource: string, kind: ResourceLogKind, workspaceId: string, steps: AzSteps, log: (line: string) => void): Promise<void> {
  const settings = diagnosticSettingsOf(await steps.json<unknown>(["monitor", "diagnostic-settings", "list", "--resource", resource]));
  if (logsEverything(settings, kind)) return log(`${what} sends its resource logs`);
  log(`sending the resource logs of ${what} to ${workspaceId.split("/").at(-1) ?? workspaceId}`);
  const categories = RESOURCE_LOG_KINDS[kind];
  await steps.json([
    "monitor", "diagnostic-settings", "create", "--name", DIAGNOSTIC_SETTING, "--resource", resource, "--workspace", workspaceId,
    "--logs", steps.jsonFile(`${kind}-logs`, categories.categories.map((category) => ({ category, enabled: true }))),
    ...(categories.dedicated ? ["--export-to-resource-specific", "true"] : []),
  ]);
}
