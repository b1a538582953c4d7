import type { PolicyResource } from "@pulumi/policy";
import { inputComesFrom, resourcesOfType, stackPolicy, valueAt, type NistPolicy } from "./define";
import { GOV_BUILT_INS, OUR_RELATED_BUILT_INS } from "./govBuiltIns";
import { TYPE } from "./types";

/** What must be private, and the private-endpoint group ID that reaches its data plane. */
const PRIVATE_TARGETS = [
  { type: TYPE.vault, noun: "Key Vault", groupId: "vault", publicAccess: (props: Record<string, unknown>) => valueAt(props, "properties.publicNetworkAccess") },
  { type: TYPE.storageAccount, noun: "storage account", groupId: "blob", publicAccess: (props: Record<string, unknown>) => props.publicNetworkAccess },
  { type: TYPE.registry, noun: "container registry", groupId: "registry", publicAccess: (props: Record<string, unknown>) => props.publicNetworkAccess },
] as const;

const groupIdsOf = (endpoint: PolicyResource): unknown[] => {
  const connections = valueAt(endpoint.props, "privateLinkServiceConnections");
  return Array.isArray(connections) ? connections.flatMap((connection) => (valueAt(connection, "groupIds") as unknown[] | undefined) ?? []) : [];
};

export const privateNetworkPolicies: NistPolicy[] = [
  stackPolicy(
    {
      name: "private-network-complete",
      asks:
        "In a stack with a private network (a virtual network or a private endpoint; or requirePrivateNetwork set in the pack's config): Key Vault, every storage account and the registry " +
        "refuse public traffic and have a private endpoint registered in a private DNS zone linked to the network, and the Container Apps environment is internal.",
      azurePolicies: [GOV_BUILT_INS.storagePrivateLink, GOV_BUILT_INS.registryPrivateLink, OUR_RELATED_BUILT_INS.keyVaultPrivateLink],
      evidence: [
        { type: TYPE.virtualNetwork, settings: ["addressSpace.addressPrefixes"] },
        { type: TYPE.privateEndpoint, settings: ["privateLinkServiceConnections"] },
        { type: TYPE.privateZone, settings: ["privateZoneName"] },
        { type: TYPE.virtualNetworkLink, settings: ["privateZoneName", "registrationEnabled"] },
        { type: TYPE.environment, settings: ["vnetConfiguration.internal"] },
      ],
      configSchema: { properties: { requirePrivateNetwork: { type: "boolean", default: false } } },
    },
    ({ resources, getConfig, notApplicable }, report) => {
      const endpoints = resourcesOfType(resources, TYPE.privateEndpoint);
      const isPrivate = getConfig<{ requirePrivateNetwork?: boolean }>().requirePrivateNetwork === true || endpoints.length > 0 || resourcesOfType(resources, TYPE.virtualNetwork).length > 0;
      if (!isPrivate) notApplicable("the stack has no private network (network: public)");

      const zoneGroups = resourcesOfType(resources, TYPE.privateDnsZoneGroup);
      const links = resourcesOfType(resources, TYPE.virtualNetworkLink);
      const zones = resourcesOfType(resources, TYPE.privateZone);
      for (const target of PRIVATE_TARGETS) {
        for (const resource of resourcesOfType(resources, target.type)) {
          if (target.publicAccess(resource.props) !== "Disabled") report(`${target.noun} "${resource.name}" still accepts public traffic: set publicNetworkAccess to Disabled.`, resource.urn);
          const endpoint = endpoints.find((candidate) => inputComesFrom(candidate, "privateLinkServiceConnections", resource) && groupIdsOf(candidate).includes(target.groupId));
          if (endpoint === undefined) {
            report(`${target.noun} "${resource.name}" has no private endpoint for "${target.groupId}".`, resource.urn);
            continue;
          }
          const group = zoneGroups.find((candidate) => inputComesFrom(candidate, "privateEndpointName", endpoint));
          const zone = zones.find((candidate) => group !== undefined && inputComesFrom(group, "privateDnsZoneConfigs", candidate));
          if (zone === undefined) report(`The private endpoint of ${target.noun} "${resource.name}" is registered in no private DNS zone: add a private DNS zone group.`, endpoint.urn);
          else if (!links.some((link) => inputComesFrom(link, "privateZoneName", zone))) report(`Private DNS zone ${String(zone.props.privateZoneName)} is linked to no virtual network.`, zone.urn);
        }
      }
      for (const environment of resourcesOfType(resources, TYPE.environment)) {
        if (valueAt(environment.props, "vnetConfiguration.internal") !== true) report(`Container Apps environment "${environment.name}" is not internal to the network.`, environment.urn);
      }
    },
  ),
];
