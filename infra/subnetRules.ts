/**
 * The network security rules of the private network's two subnets: what the job
 * needs, then a deny of everything else in each direction (Azure's default rules,
 * priority 65000 and up, would allow the whole network, peerings included, and all
 * outbound internet traffic). Sources: Learn "Securing a virtual network in Azure
 * Container Apps" (workload profiles tab) and the job's own destinations.
 */
import type { SubnetLayout } from "./addressSpace";

export interface SubnetRule {
  readonly name: string;
  readonly priority: number;
  readonly direction: "Inbound" | "Outbound";
  readonly access: "Allow" | "Deny";
  readonly protocol: "Tcp" | "Udp" | "*";
  readonly sourceAddressPrefix: string;
  readonly sourcePortRange: "*";
  readonly destinationAddressPrefix: string;
  readonly destinationPortRange: string;
  readonly description: string;
}

/** Lowest precedence of our own rules: below every allow, above Azure's defaults. */
const DENY_PRIORITY = 4096;
const HTTPS = "443";

const rule = (name: string, priority: number, direction: SubnetRule["direction"], protocol: SubnetRule["protocol"], from: string, to: string, ports: string, description: string): SubnetRule => ({
  name,
  priority,
  direction,
  access: "Allow",
  protocol,
  sourceAddressPrefix: from,
  sourcePortRange: "*",
  destinationAddressPrefix: to,
  destinationPortRange: ports,
  description,
});

const denyAll = (direction: SubnetRule["direction"]): SubnetRule => ({
  name: `deny-all-${direction.toLowerCase()}`,
  priority: DENY_PRIORITY,
  direction,
  access: "Deny",
  protocol: "*",
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "*",
  description: `Nothing else ${direction === "Inbound" ? "reaches" : "leaves"} the subnet.`,
});

/**
 * The Container Apps environment's subnet: no ingress (the job serves nothing), the environment's own traffic, and
 * outbound HTTPS to the private endpoints and to the internet (Entra sign-in, the Purview ingestion endpoint, which has
 * no service tag, and the platform's Microsoft Container Registry, Azure Monitor and FQDN dependencies), and NTP.
 * Azure DNS (168.63.129.16) is not subject to these rules.
 */
export function environmentSubnetRules(layout: SubnetLayout): SubnetRule[] {
  return [
    rule("allow-load-balancer-probes", 100, "Inbound", "Tcp", "AzureLoadBalancer", layout.environment, "30000-32767", "Azure's load balancer probes the environment's nodes (Container Apps requirement)."),
    rule("allow-environment-inbound", 110, "Inbound", "*", layout.environment, layout.environment, "*", "The environment's nodes talk to each other (Container Apps requirement)."),
    denyAll("Inbound"),
    rule("allow-environment-outbound", 100, "Outbound", "*", layout.environment, layout.environment, "*", "The environment's nodes talk to each other (Container Apps requirement)."),
    rule("allow-private-endpoints", 110, "Outbound", "Tcp", layout.environment, layout.endpoints, HTTPS, "Key Vault, blob, registry and Azure Monitor through their private endpoints."),
    rule("allow-internet-https", 120, "Outbound", "Tcp", layout.environment, "Internet", HTTPS, "Entra sign-in and the Purview ingestion endpoint (no service tag), and the platform's MCR, Azure Monitor and FQDN dependencies."),
    rule("allow-ntp", 130, "Outbound", "Udp", layout.environment, "*", "123", "Time for the environment's nodes (Container Apps requirement)."),
    denyAll("Outbound"),
  ];
}

/** The private endpoints' subnet: HTTPS in from the network (the job, and peered hosts: the HR system, the deployer); endpoints start no traffic. */
export function endpointSubnetRules(layout: SubnetLayout): SubnetRule[] {
  return [
    rule("allow-https-from-network", 100, "Inbound", "Tcp", "VirtualNetwork", layout.endpoints, HTTPS, "The job, and hosts in peered or connected networks, reach the private endpoints."),
    denyAll("Inbound"),
    denyAll("Outbound"),
  ];
}
