import type { PolicyResource } from "@pulumi/policy";
import { forType, inputComesFrom, resourcePolicy, resourcesOfType, stackPolicy, valueAt, type NistPolicy } from "./define";
import { GOV_BUILT_INS, OUR_RELATED_BUILT_INS } from "./govBuiltIns";
import { TYPE } from "./types";

type Props = Record<string, unknown>;

/** The resource itself: what its private endpoint connects to. */
const itself = (resource: PolicyResource): PolicyResource | undefined => resource;

/** A workspace is reached through the Azure Monitor private link scope that holds it. */
const scopeHolding = (workspace: PolicyResource, resources: readonly PolicyResource[]): PolicyResource | undefined => {
  const scoped = resourcesOfType(resources, TYPE.monitorPrivateLinkScopedResource).find((candidate) => inputComesFrom(candidate, "linkedResourceId", workspace));
  return resourcesOfType(resources, TYPE.monitorPrivateLinkScope).find((scope) => scoped !== undefined && inputComesFrom(scoped, "scopeName", scope));
};

/** What must be private, the private-endpoint group ID that reaches it, and what that endpoint connects to. */
const PRIVATE_TARGETS = [
  { type: TYPE.vault, noun: "Key Vault", groupId: "vault", publicAccess: (props: Props) => valueAt(props, "properties.publicNetworkAccess"), reachedThrough: itself },
  { type: TYPE.storageAccount, noun: "storage account", groupId: "blob", publicAccess: (props: Props) => props.publicNetworkAccess, reachedThrough: itself },
  { type: TYPE.registry, noun: "container registry", groupId: "registry", publicAccess: (props: Props) => props.publicNetworkAccess, reachedThrough: itself },
  {
    type: TYPE.workspace,
    noun: "Log Analytics workspace",
    groupId: "azuremonitor",
    // Both ingestion and query, or neither.
    publicAccess: (props: Props) => (props.publicNetworkAccessForIngestion === "Disabled" && props.publicNetworkAccessForQuery === "Disabled" ? "Disabled" : "Enabled"),
    reachedThrough: scopeHolding,
  },
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
        "In a stack with a private network (a virtual network or a private endpoint; or requirePrivateNetwork set in the pack's config): Key Vault, every storage account, the registry " +
        "and the Log Analytics workspace (through an Azure Monitor private link scope) refuse public traffic and have a private endpoint registered in private DNS zones linked to the network, " +
        "and the Container Apps environment is internal.",
      azurePolicies: [GOV_BUILT_INS.storagePrivateLink, GOV_BUILT_INS.registryPrivateLink, OUR_RELATED_BUILT_INS.keyVaultPrivateLink],
      evidence: [
        { type: TYPE.virtualNetwork, settings: ["addressSpace.addressPrefixes"] },
        { type: TYPE.privateEndpoint, settings: ["privateLinkServiceConnections"] },
        { type: TYPE.privateZone, settings: ["privateZoneName"] },
        { type: TYPE.virtualNetworkLink, settings: ["privateZoneName", "registrationEnabled"] },
        { type: TYPE.monitorPrivateLinkScope, settings: ["accessModeSettings.ingestionAccessMode", "accessModeSettings.queryAccessMode"] },
        { type: TYPE.monitorPrivateLinkScopedResource, settings: ["linkedResourceId"] },
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
          if (target.publicAccess(resource.props) !== "Disabled") report(`${target.noun} "${resource.name}" still accepts public traffic: set its public network access to Disabled.`, resource.urn);
          const connected = target.reachedThrough(resource, resources);
          const endpoint = endpoints.find((candidate) => connected !== undefined && inputComesFrom(candidate, "privateLinkServiceConnections", connected) && groupIdsOf(candidate).includes(target.groupId));
          if (endpoint === undefined) {
            report(`${target.noun} "${resource.name}" has no private endpoint for "${target.groupId}".`, resource.urn);
            continue;
          }
          const group = zoneGroups.find((candidate) => inputComesFrom(candidate, "privateEndpointName", endpoint));
          const registeredIn = zones.filter((candidate) => group !== undefined && inputComesFrom(group, "privateDnsZoneConfigs", candidate));
          if (registeredIn.length === 0) report(`The private endpoint of ${target.noun} "${resource.name}" is registered in no private DNS zone: add a private DNS zone group.`, endpoint.urn);
          for (const zone of registeredIn) {
            if (!links.some((link) => inputComesFrom(link, "privateZoneName", zone))) report(`Private DNS zone ${String(zone.props.privateZoneName)} is linked to no virtual network.`, zone.urn);
          }
        }
      }
      for (const environment of resourcesOfType(resources, TYPE.environment)) {
        if (valueAt(environment.props, "vnetConfiguration.internal") !== true) report(`Container Apps environment "${environment.name}" is not internal to the network.`, environment.urn);
      }
    },
  ),
  resourcePolicy(
    {
      name: "network-subnet-nsg",
      asks: "Every subnet the stack creates is associated with a network security group.",
      azurePolicies: [GOV_BUILT_INS.subnetNetworkSecurityGroup],
      evidence: [
        { type: TYPE.subnet, settings: ["addressPrefix", "networkSecurityGroup.id"] },
        { type: TYPE.networkSecurityGroup, settings: ["securityRules"] },
      ],
    },
    [
      forType(TYPE.subnet, (props, report) => {
        if (valueAt(props, "networkSecurityGroup.id") === undefined) report(`Subnet ${String(props.subnetName ?? "")} has no network security group: set networkSecurityGroup.id.`);
      }),
      forType(TYPE.virtualNetwork, (props, report) => {
        const inline = Array.isArray(props.subnets) ? (props.subnets as Props[]) : [];
        for (const subnet of inline.filter((candidate) => valueAt(candidate, "networkSecurityGroup.id") === undefined)) report(`Subnet ${String(subnet.name ?? "")} of the virtual network has no network security group.`);
      }),
    ],
  ),
];
