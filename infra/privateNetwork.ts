import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { subnetLayout } from "./addressSpace";
import type { AzureEnvironment, PrivateLinkService } from "./azureEnvironments";

/** A resource reached only through a private endpoint. */
export interface PrivateTarget {
  /** The data-plane service: also the endpoint's group ID and what picks its DNS zone. */
  readonly service: PrivateLinkService;
  readonly resourceId: pulumi.Input<string>;
}

export interface PrivateNetworkArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** IPv4 range, e.g. 10.42.0.0/24 (see addressSpace.ts for its split). */
  readonly addressSpace: string;
  /** Supplies the private DNS zone names of the subscription's cloud. */
  readonly azureEnvironment: AzureEnvironment;
  readonly targets: readonly PrivateTarget[];
}

/**
 * The stack's virtual network: a subnet delegated to the Container Apps
 * environment, and one private endpoint per target in its own subnet, each
 * registered in the cloud's private-link DNS zone linked to the network, so that
 * `<vault>.vault.usgovcloudapi.net` resolves to a private address inside it.
 */
export class PrivateNetwork extends pulumi.ComponentResource {
  readonly virtualNetworkName: pulumi.Output<string>;
  /** Where the Container Apps environment runs. */
  readonly environmentSubnetId: pulumi.Output<string>;
  /** Data-plane calls (image push, Key Vault references, blob reads) work once these exist: the endpoints and their DNS records. */
  readonly endpointsReady: pulumi.Resource[];

  constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:network:PrivateNetwork", name, {}, opts);
    const placement = { resourceGroupName: args.resourceGroupName, location: args.location };
    const layout = subnetLayout(args.addressSpace);

    const vnet = new network.VirtualNetwork(name, { ...placement, addressSpace: { addressPrefixes: [args.addressSpace] } }, { parent: this });
    const subnet = (suffix: string, subnetName: string, addressPrefix: string, settings: Partial<network.SubnetArgs>, dependsOn: pulumi.Resource[] = []) =>
      new network.Subnet(`${name}-${suffix}`, { resourceGroupName: args.resourceGroupName, virtualNetworkName: vnet.name, subnetName, addressPrefix, ...settings }, { parent: this, dependsOn });
    const environmentSubnet = subnet("environment", "container-apps", layout.environment, {
      delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
    });
    // Azure changes one subnet of a network at a time.
    const endpointSubnet = subnet("endpoints", "private-endpoints", layout.endpoints, { privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.Disabled }, [environmentSubnet]);

    this.endpointsReady = args.targets.flatMap(({ service, resourceId }) => {
      const zone = new privatedns.PrivateZone(
        `${name}-${service}`,
        { resourceGroupName: args.resourceGroupName, location: "global", privateZoneName: args.azureEnvironment.privateLinkZones[service] },
        { parent: this },
      );
      const link = new privatedns.VirtualNetworkLink(
        `${name}-${service}`,
        { resourceGroupName: args.resourceGroupName, location: "global", privateZoneName: zone.name, virtualNetwork: { id: vnet.id }, registrationEnabled: false },
        { parent: this },
      );
      const endpoint = new network.PrivateEndpoint(
        `${name}-${service}`,
        {
          ...placement,
          subnet: { id: endpointSubnet.id },
          privateLinkServiceConnections: [{ name: service, privateLinkServiceId: resourceId, groupIds: [service] }],
        },
        { parent: this },
      );
      const dnsRecords = new network.PrivateDnsZoneGroup(
        `${name}-${service}`,
        { resourceGroupName: args.resourceGroupName, privateEndpointName: endpoint.name, privateDnsZoneGroupName: "default", privateDnsZoneConfigs: [{ name: service, privateDnsZoneId: zone.id }] },
        { parent: this },
      );
      return [link, dnsRecords];
    });

    this.virtualNetworkName = vnet.name;
    this.environmentSubnetId = environmentSubnet.id;
    this.registerOutputs({ virtualNetworkName: this.virtualNetworkName, environmentSubnetId: this.environmentSubnetId });
  }
}
