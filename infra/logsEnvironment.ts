import * as app from "@pulumi/azure-native/app";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { WORKSPACE_TABLES, sendLogsToWorkspace } from "./resourceLogs";

export interface LogsEnvironmentArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** Days logs stay queryable. */
  readonly logRetentionDays: number;
  /** Days logs are kept in all: queryable, then archived. */
  readonly logArchiveDays: number;
  /** With a private network: the subnet the environment joins, with no public ingress. */
  readonly infrastructureSubnetId?: pulumi.Input<string>;
  /** With a private network: the Azure Monitor private link scope the workspace joins; it then refuses public ingestion and queries. */
  readonly privateLinkScopeName?: pulumi.Input<string>;
  /** The customer-managed-key storage account that keeps saved queries and log alert queries (built-in fa298e57). */
  readonly queryStorageAccountId: pulumi.Input<string>;
}

/** The workload profile of a private (workload-profiles) environment that the jobs run on: serverless, billed per use. */
export const CONSUMPTION_WORKLOAD_PROFILE = "Consumption";

/** Tables API version for the archive deployment: a stable one that Azure Government serves. */
const TABLES_API_VERSION = "2022-10-01";

/**
 * Log Analytics workspace and the Container Apps environment whose console
 * output (the uploader's JSON lines) lands in it, table ContainerAppConsoleLogs,
 * through a diagnostic setting: the workspace accepts Entra-authenticated
 * ingestion only, so no shared key exists anywhere in the stack.
 */
export class LogsEnvironment extends pulumi.ComponentResource {
  readonly workspaceId: pulumi.Output<string>;
  readonly environmentId: pulumi.Output<string>;

  constructor(name: string, args: LogsEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:logs:LogsEnvironment", name, {}, opts);

    const workspace = new operationalinsights.Workspace(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: operationalinsights.WorkspaceSkuNameEnum.PerGB2018 },
        retentionInDays: args.logRetentionDays,
        features: { disableLocalAuth: true },
        // Saved queries and log alert queries are kept in the stack's own storage account, under its customer-managed key.
        forceCmkForQuery: true,
        ...(args.privateLinkScopeName === undefined
          ? {}
          : { publicNetworkAccessForIngestion: operationalinsights.PublicNetworkAccessType.Disabled, publicNetworkAccessForQuery: operationalinsights.PublicNetworkAccessType.Disabled }),
      },
      { parent: this },
    );
    if (args.privateLinkScopeName !== undefined) {
      new monitor.PrivateLinkScopedResource(`${name}-workspace`, { resourceGroupName: args.resourceGroupName, scopeName: args.privateLinkScopeName, linkedResourceId: workspace.id }, { parent: this });
    }
    for (const dataSourceType of ["Query", "Alerts"]) {
      new operationalinsights.LinkedStorageAccount(
        `${name}-${dataSourceType.toLowerCase()}`,
        { resourceGroupName: args.resourceGroupName, workspaceName: workspace.name, dataSourceType, storageAccountIds: [args.queryStorageAccountId] },
        { parent: this },
      );
    }

    // Archive (total retention) is a property of each table, and the tables Azure defines exist with every
    // workspace: the provider will not "create" a resource that exists, while an ARM deployment updates them in place.
    new resources.Deployment(
      `${name}-log-archive`,
      {
        resourceGroupName: args.resourceGroupName,
        properties: {
          mode: resources.DeploymentMode.Incremental,
          parameters: { workspaceName: { value: workspace.name } },
          template: {
            $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            contentVersion: "1.0.0.0",
            parameters: { workspaceName: { type: "string" } },
            resources: WORKSPACE_TABLES.map((table) => ({
              type: "Microsoft.OperationalInsights/workspaces/tables",
              apiVersion: TABLES_API_VERSION,
              name: `[concat(parameters('workspaceName'), '/${table}')]`,
              properties: { retentionInDays: args.logRetentionDays, totalRetentionInDays: args.logArchiveDays },
            })),
          },
        },
      },
      { parent: this },
    );

    const environment = new app.ManagedEnvironment(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        appLogsConfiguration: { destination: "azure-monitor" },
        ...(args.infrastructureSubnetId === undefined
          ? {}
          : {
              vnetConfiguration: { infrastructureSubnetId: args.infrastructureSubnetId, internal: true },
              workloadProfiles: [{ name: CONSUMPTION_WORKLOAD_PROFILE, workloadProfileType: CONSUMPTION_WORKLOAD_PROFILE }],
            }),
      },
      { parent: this },
    );
    sendLogsToWorkspace({ name: `${name}-environment`, kind: "jobsEnvironment", resourceUri: environment.id }, workspace.id, { parent: this });

    this.workspaceId = workspace.id;
    this.environmentId = environment.id;
    this.registerOutputs({ workspaceId: this.workspaceId, environmentId: this.environmentId });
  }
}
