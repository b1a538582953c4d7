import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { subnetLayout } from "./addressSpace";
import type { AzureEnvironment, PrivateLinkService } from "./azureEnvironments";
import { endpointSubnetRules, environmentSubnetRules, type SubnetRule } from "./subnetRules";

/** A resource reached only through a private endpoint. */
export interface PrivateTarget {
  /** The service: also the endpoint's group ID and what picks its DNS zones. */
  readonly service: PrivateLinkService;
  readonly resourceId: pulumi.Input<string>;
  /** Names the endpoint when a service has more than one target (a second storage account); else the service does. */
  readonly label?: string;
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
 * registered in the cloud's private-link DNS zones linked to the network, so that
 * `<vault>.vault.usgovcloudapi.net` resolves to a private address inside it. Each
 * subnet has a network security group allowing only what the job needs (subnetRules.ts).
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
    const securityGroup = (suffix: string, rules: readonly SubnetRule[]) => new network.NetworkSecurityGroup(`${name}-${suffix}`, { ...placement, securityRules: [...rules] }, { parent: this });
    const subnet = (suffix: string, subnetName: string, addressPrefix: string, rules: readonly SubnetRule[], settings: Partial<network.SubnetArgs>, dependsOn: pulumi.Resource[] = []) =>
      new network.Subnet(
        `${name}-${suffix}`,
        { resourceGroupName: args.resourceGroupName, virtualNetworkName: vnet.name, subnetName, addressPrefix, networkSecurityGroup: { id: securityGroup(suffix, rules).id }, ...settings },
        { parent: this, dependsOn },
      );
    const environmentSubnet = subnet("environment", "container-apps", layout.environment, environmentSubnetRules(layout), {
      delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
    });
    // Azure changes one subnet of a network at a time. The endpoints' security rules apply to the endpoints themselves only with this policy.
    const endpointSubnet = subnet(
      "endpoints",
      "private-endpoints",
      layout.endpoints,
      endpointSubnetRules(layout),
      { privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.NetworkSecurityGroupEnabled },
      [environmentSubnet],
    );

    // One zone per name, linked once: Azure Monitor's endpoint shares the blob zone with the storage account's.
    const zones = new Map<string, privatedns.PrivateZone>();
    const links: pulumi.Resource[] = [];
    const zoneNamed = (service: PrivateLinkService, zoneName: string, index: number) => {
      const known = zones.get(zoneName);
      if (known !== undefined) return known;
      // A service's first zone keeps the name it always had; its others add the zone's distinctive label (oms, ods…).
      const resourceName = index === 0 ? `${name}-${service}` : `${name}-${service}-${zoneName.split(".")[1]}`;
      const zone = new privatedns.PrivateZone(resourceName, { resourceGroupName: args.resourceGroupName, location: "global", privateZoneName: zoneName }, { parent: this });
      links.push(
        new privatedns.VirtualNetworkLink(
          resourceName,
          { resourceGroupName: args.resourceGroupName, location: "global", privateZoneName: zone.name, virtualNetwork: { id: vnet.id }, registrationEnabled: false },
          { parent: this },
        ),
      );
      zones.set(zoneName, zone);
      return zone;
    };

    const dnsRecords = args.targets.map(({ service, resourceId, label = service }) => {
      const serviceZones = args.azureEnvironment.privateLinkZones[service].map((zoneName, index) => ({ zoneName, zone: zoneNamed(service, zoneName, index) }));
      const endpoint = new network.PrivateEndpoint(
        `${name}-${label}`,
        {
          ...placement,
          subnet: { id: endpointSubnet.id },
          privateLinkServiceConnections: [{ name: service, privateLinkServiceId: resourceId, groupIds: [service] }],
        },
        { parent: this },
      );
      return new network.PrivateDnsZoneGroup(
        `${name}-${label}`,
        {
          resourceGroupName: args.resourceGroupName,
          privateEndpointName: endpoint.name,
          privateDnsZoneGroupName: "default",
          privateDnsZoneConfigs: serviceZones.map(({ zoneName, zone }, index) => ({ name: index === 0 ? service : zoneName.replace(/\./g, "-"), privateDnsZoneId: zone.id })),
        },
        { parent: this },
      );
    });
    this.endpointsReady = [...links, ...dnsRecords];

    this.virtualNetworkName = vnet.name;
    this.environmentSubnetId = environmentSubnet.id;
    this.registerOutputs({ virtualNetworkName: this.virtualNetworkName, environmentSubnetId: this.environmentSubnetId });
  }
}
