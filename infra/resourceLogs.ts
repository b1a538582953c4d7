import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_LOG_KINDS, type ResourceLogKind } from "./resourceLogKinds";

/** The table holding the uploader's console output (one JSON log line in column `Log` per row), which the alert rules query. */
export const CONSOLE_LOG_TABLE = RESOURCE_LOG_KINDS.jobsEnvironment.tables[0];

/** Every table the stack's diagnostic settings write to: the ones whose retention and archive the stack sets. */
export const WORKSPACE_TABLES: readonly string[] = [...new Set(Object.values(RESOURCE_LOG_KINDS).flatMap((kind) => kind.tables))];

export interface LoggedResource {
  /** Prefix of the diagnostic setting's Pulumi name. */
  readonly name: string;
  readonly kind: ResourceLogKind;
  /** ARM ID of the resource (for Storage, its blob service). */
  readonly resourceUri: pulumi.Input<string>;
}

/** A diagnostic setting sending one resource's logs to the workspace. */
export function sendLogsToWorkspace(resource: LoggedResource, workspaceId: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): monitor.DiagnosticSetting {
  const kind = RESOURCE_LOG_KINDS[resource.kind];
  return new monitor.DiagnosticSetting(
    `${resource.name}-logs`,
    {
      name: "to-log-analytics",
      resourceUri: resource.resourceUri,
      workspaceId,
      logAnalyticsDestinationType: kind.dedicated ? "Dedicated" : undefined,
      logs: kind.categories.map((category) => ({ category, enabled: true })),
    },
    opts,
  );
}

export interface ResourceLogsArgs {
  readonly workspaceId: pulumi.Input<string>;
  readonly resources: readonly LoggedResource[];
}

/** The resource logs of Key Vault, the blob service and the registry, in the stack's workspace (AU-2, AU-12). */
export class ResourceLogs extends pulumi.ComponentResource {
  constructor(name: string, args: ResourceLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:logs:ResourceLogs", name, {}, opts);
    for (const resource of args.resources) sendLogsToWorkspace(resource, args.workspaceId, { parent: this });
    this.registerOutputs({});
  }
}
