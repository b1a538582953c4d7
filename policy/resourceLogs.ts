import type { PolicyResource } from "@pulumi/policy";
import { inputComesFrom, resourcesOfType, stackPolicy, valueAt, type NistPolicy } from "./define";
import { isGovMember, type AzureBuiltIn } from "./govBuiltIns";
import { TYPE } from "./types";

interface LoggedKind {
  readonly name: string;
  /** "Key Vault", "storage account", … */
  readonly noun: string;
  readonly type: string;
  /** When the logs come from a child (a storage account's blob service): its type and the input naming its parent. */
  readonly via?: { readonly type: string; readonly input: string };
  readonly azurePolicies?: readonly AzureBuiltIn[];
}

/** Whether a diagnostic setting sends enabled logs to a Log Analytics workspace. */
function sendsLogsToWorkspace(setting: PolicyResource): boolean {
  const logs = valueAt(setting.props, "logs");
  return typeof valueAt(setting.props, "workspaceId") === "string" && Array.isArray(logs) && logs.length > 0 && logs.every((log) => valueAt(log, "enabled") === true);
}

/** Every resource of a kind has a diagnostic setting sending its resource logs to a workspace. */
export function resourceLogsPolicy(kind: LoggedKind): NistPolicy {
  const sourceType = kind.via?.type ?? kind.type;
  return stackPolicy(
    {
      name: kind.name,
      asks: `Every ${kind.noun} sends its resource logs to a Log Analytics workspace through a diagnostic setting, all categories enabled.`,
      // A Gov built-in brings its own grouping (Key Vault: AU-6(4), AU-6(5), AU-12, AU-12(1)); ours are AU-2 and AU-12.
      controls: (kind.azurePolicies ?? []).some(isGovMember) ? [] : ["AU-2", "AU-12"],
      azurePolicies: kind.azurePolicies,
      evidence: [{ type: TYPE.diagnosticSetting, settings: ["workspaceId", "logAnalyticsDestinationType", "logs"], where: { input: "resourceUri", fromType: sourceType } }],
    },
    ({ resources }, report) => {
      const settings = resourcesOfType(resources, TYPE.diagnosticSetting).filter(sendsLogsToWorkspace);
      for (const subject of resourcesOfType(resources, kind.type)) {
        const sources = kind.via === undefined ? [subject] : resourcesOfType(resources, kind.via.type).filter((child) => inputComesFrom(child, kind.via?.input ?? "", subject));
        const logged = sources.some((source) => settings.some((setting) => inputComesFrom(setting, "resourceUri", source)));
        if (!logged) report(`${kind.noun} "${subject.name}" sends no resource logs to a workspace: add a diagnostic setting${kind.via ? ` on its ${kind.via.type.split(":").pop()}` : ""} with workspaceId and its log categories enabled.`, subject.urn);
      }
    },
  );
}
