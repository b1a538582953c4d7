import * as app from "@pulumi/azure-native/app";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as pulumi from "@pulumi/pulumi";

export interface LogsEnvironmentArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly retentionInDays: number;
}

/**
 * Log Analytics workspace and the Container Apps environment whose console
 * output (the uploader's JSON lines) lands in it, table ContainerAppConsoleLogs_CL.
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
        retentionInDays: args.retentionInDays,
      },
      { parent: this },
    );
    const keys = operationalinsights.getSharedKeysOutput(
      { resourceGroupName: args.resourceGroupName, workspaceName: workspace.name },
      { parent: this },
    );

    const environment = new app.ManagedEnvironment(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        appLogsConfiguration: {
          destination: "log-analytics",
          logAnalyticsConfiguration: {
            customerId: workspace.customerId,
            // An invoke result is not marked secret on its own.
            sharedKey: pulumi.secret(keys.primarySharedKey),
          },
        },
      },
      { parent: this },
    );

    this.workspaceId = workspace.id;
    this.environmentId = environment.id;
    this.registerOutputs({ workspaceId: this.workspaceId, environmentId: this.environmentId });
  }
}
