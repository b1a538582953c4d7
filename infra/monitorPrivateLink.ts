import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";

/**
 * An Azure Monitor private link scope that accepts ingestion and queries through
 * private endpoints only. The workspace joins it (logsEnvironment.ts) and the
 * private network gives it its endpoint ("azuremonitor") and DNS zones.
 */
export class MonitorPrivateLinkScope extends pulumi.ComponentResource {
  readonly scopeId: pulumi.Output<string>;
  readonly scopeName: pulumi.Output<string>;

  constructor(name: string, args: { readonly resourceGroupName: pulumi.Input<string> }, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:monitoring:MonitorPrivateLinkScope", name, {}, opts);
    const scope = new monitor.PrivateLinkScope(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        location: "global",
        // PrivateOnly: a network linked to the scope's zones reaches only the resources in the scope, and only privately.
        accessModeSettings: { ingestionAccessMode: monitor.AccessMode.PrivateOnly, queryAccessMode: monitor.AccessMode.PrivateOnly },
      },
      { parent: this },
    );
    this.scopeId = scope.id;
    this.scopeName = scope.name;
    this.registerOutputs({ scopeId: this.scopeId });
  }
}
