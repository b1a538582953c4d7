import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { workbookDefinition, type DashboardConnector } from "./dashboardDefinition";

export interface HrDashboardArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** `<project>/<stack>`: names the workbook, whose resource name must be a GUID stable across deployments. */
  readonly stackLabel: string;
  readonly connectors: readonly DashboardConnector[];
  readonly schedules: readonly string[];
  readonly secretExpiresOn?: string;
  /** The Log Analytics workspace the job's console lines reach. */
  readonly workspaceId: pulumi.Input<string>;
  /** The Azure portal of the cloud (portal.azure.us in Azure Government) and the tenant to open it in. */
  readonly portalHost: string;
  readonly tenantId: pulumi.Input<string>;
}

/** A GUID made from `text`: the same stack always names the same workbook, so an update changes it in place. */
export function stableGuid(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return [hex.slice(0, 8), hex.slice(8, 12), `5${hex.slice(13, 16)}`, `${((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}`, hex.slice(20, 32)].join("-");
}

/**
 * The HR feed's health in the portal: one shared Azure Monitor workbook per stack, on the stack's Log Analytics
 * workspace (it lists under the workspace's Workbooks), with a connector selector when there are several.
 */
export class HrDashboard extends pulumi.ComponentResource {
  /** The workbook in the cloud's portal. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: HrDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:monitoring:HrDashboard", name, {}, opts);
    const title = `HR connector: ${args.stackLabel}`;
    // The portal files a workbook under the resource its sourceId names, compared in lower case.
    const workspaceId = pulumi.output(args.workspaceId).apply((id) => id.toLowerCase());
    const workbook = new applicationinsights.Workbook(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        resourceName: stableGuid(`hr-connector dashboard ${args.stackLabel}`),
        kind: applicationinsights.WorkbookSharedTypeKind.Shared,
        category: "workbook",
        displayName: title,
        version: "Notebook/1.0",
        sourceId: workspaceId,
        serializedData: workspaceId.apply((id) => JSON.stringify(workbookDefinition({ title, connectors: args.connectors, schedules: args.schedules, secretExpiresOn: args.secretExpiresOn, workspaceId: id }))),
      },
      { parent: this },
    );
    this.url = pulumi.interpolate`https://${args.portalHost}/#@${args.tenantId}/resource${workbook.id}/workbook`;
    this.registerOutputs({ url: this.url });
  }
}
