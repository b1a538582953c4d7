/**
 * `network: private`: a virtual network whose subnets each have a network security
 * group allowing only what the job needs, the Container Apps environment inside it
 * with no public ingress, private endpoints for Key Vault, the blob service, the
 * registry and an Azure Monitor private link scope holding the workspace, registered
 * in the cloud's private-link DNS zones, and no public network access to any of them.
 */
import type { OfflineRun } from "../../infra/offline/run";
import { resourceTypesOf } from "../../scripts/lib/preflight/resourceTypes";
import { CONNECTOR_JOB_ID, hrAccount, keptAccount, STACK_SHAPES, TYPE, named, ofType, only, runGov, type Recorded } from "./harness";

const NETWORK = {
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  endpoint: "azure-native:network:PrivateEndpoint",
  zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  zone: "azure-native:privatedns:PrivateZone",
  link: "azure-native:privatedns:VirtualNetworkLink",
  securityGroup: "azure-native:network:NetworkSecurityGroup",
  monitorScope: "azure-native:monitor:PrivateLinkScope",
  scopedResource: "azure-native:monitor:PrivateLinkScopedResource",
} as const;

const GOV_ZONES = { vault: "privatelink.vaultcore.usgovcloudapi.net", blob: "privatelink.blob.core.usgovcloudapi.net", registry: "privatelink.azurecr.us" };
/** Azure Monitor's zones in Azure Government (gov-deployment.md), the blob zone shared with the storage account's endpoint. */
const GOV_MONITOR_ZONES = ["privatelink.monitor.azure.us", "privatelink.oms.opinsights.azure.us", "privatelink.ods.opinsights.azure.us", "privatelink.agentsvc.azure-automation.us", GOV_ZONES.blob];
const key = (resource: Recorded) => `${resource.type}::${resource.name}`;

let run: OfflineRun;
beforeAll(async () => {
  run = await runGov({ connectorJobId: CONNECTOR_JOB_ID, network: "private" });
});

describe("the virtual network", () => {
  it("spans the default 10.42.0.0/24: a /25 delegated to the Container Apps environment and a /27 for the endpoints, each with its security group", () => {
    const vnet = only(run, NETWORK.vnet);
    expect(vnet.inputs.addressSpace).toEqual({ addressPrefixes: ["10.42.0.0/24"] });
    expect(vnet.inputs.location).toBe("usgovvirginia");
    const subnets = ofType(run, NETWORK.subnet).map((subnet) => subnet.inputs);
    expect(subnets).toEqual([
      expect.objectContaining({
        virtualNetworkName: vnet.state.name,
        subnetName: "container-apps",
        addressPrefix: "10.42.0.0/25",
        delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
        networkSecurityGroup: { id: named(run, NETWORK.securityGroup, "hr-connector-environment").id },
      }),
      expect.objectContaining({
        virtualNetworkName: vnet.state.name,
        subnetName: "private-endpoints",
        addressPrefix: "10.42.0.128/27",
        // Else the endpoints' security rules would not apply to the endpoints.
        privateEndpointNetworkPolicies: "NetworkSecurityGroupEnabled",
        networkSecurityGroup: { id: named(run, NETWORK.securityGroup, "hr-connector-endpoints").id },
      }),
    ]);
  });

  it("takes vnetAddressSpace", async () => {
    const custom = await runGov({ network: "private", vnetAddressSpace: "172.20.4.0/23" });
    expect(only(custom, NETWORK.vnet).inputs.addressSpace.addressPrefixes).toEqual(["172.20.4.0/23"]);
    expect(ofType(custom, NETWORK.subnet).map((subnet) => subnet.inputs.addressPrefix)).toEqual(["172.20.4.0/25", "172.20.4.128/27"]);
  });
});

/** A security group's rules as `direction access protocol source -> destination:ports`, in priority order per direction. */
function rulesOf(run: OfflineRun, name: string): string[] {
  const group = named(run, NETWORK.securityGroup, name).inputs;
  expect(group.location).toBe("usgovvirginia");
  return [...(group.securityRules as Recorded["inputs"][])]
    .sort((left, right) => left.direction.localeCompare(right.direction) || left.priority - right.priority)
    .map((rule) => `${rule.direction} ${rule.priority} ${rule.access} ${rule.protocol} ${rule.sourceAddressPrefix} -> ${rule.destinationAddressPrefix}:${rule.destinationPortRange}`);
}

describe("the network security groups", () => {
  it("let into the environment's subnet only Azure's load balancer probes and its own nodes, and out only HTTPS (endpoints, internet), NTP and its own nodes", () => {
    expect(rulesOf(run, "hr-connector-environment")).toEqual([
      "Inbound 100 Allow Tcp AzureLoadBalancer -> 10.42.0.0/25:30000-32767",
      "Inbound 110 Allow * 10.42.0.0/25 -> 10.42.0.0/25:*",
      "Inbound 4096 Deny * * -> *:*",
      "Outbound 100 Allow * 10.42.0.0/25 -> 10.42.0.0/25:*",
      "Outbound 110 Allow Tcp 10.42.0.0/25 -> 10.42.0.128/27:443",
      "Outbound 120 Allow Tcp 10.42.0.0/25 -> Internet:443",
      "Outbound 130 Allow Udp 10.42.0.0/25 -> *:123",
      "Outbound 4096 Deny * * -> *:*",
    ]);
  });

  it("let into the endpoints' subnet only HTTPS from the network (and networks peered or connected to it), and nothing out", () => {
    expect(rulesOf(run, "hr-connector-endpoints")).toEqual(["Inbound 100 Allow Tcp VirtualNetwork -> 10.42.0.128/27:443", "Inbound 4096 Deny * * -> *:*", "Outbound 4096 Deny * * -> *:*"]);
  });

  it("follow vnetAddressSpace", async () => {
    const custom = await runGov({ network: "private", vnetAddressSpace: "172.20.4.0/23" });
    expect(rulesOf(custom, "hr-connector-environment")).toContain("Outbound 110 Allow Tcp 172.20.4.0/25 -> 172.20.4.128/27:443");
    expect(rulesOf(custom, "hr-connector-endpoints")).toContain("Inbound 100 Allow Tcp VirtualNetwork -> 172.20.4.128/27:443");
  });
});

describe("the Container Apps environment", () => {
  it("joins the network's subnet with no public ingress, on the serverless Consumption profile that the job runs on", () => {
    const environment = only(run, TYPE.environment).inputs;
    expect(environment.vnetConfiguration).toEqual({ infrastructureSubnetId: named(run, NETWORK.subnet, "hr-connector-environment").id, internal: true });
    expect(environment.workloadProfiles).toEqual([{ name: "Consumption", workloadProfileType: "Consumption" }]);
    expect(only(run, TYPE.job).inputs.workloadProfileName).toBe("Consumption");
  });
});

describe.each([
  ["vault", "vault", () => only(run, TYPE.vault).id],
  ["blob", "blob", () => hrAccount(run).id],
  ["blob", "blob-kept", () => keptAccount(run).id],
  ["registry", "registry", () => only(run, TYPE.registry).id],
] as const)("the %s private endpoint hr-connector-%s", (service, label, targetId) => {
  it("connects the endpoints' subnet to that service of the resource", () => {
    const endpoint = named(run, NETWORK.endpoint, `hr-connector-${label}`).inputs;
    expect(endpoint.subnet).toMatchObject({ id: named(run, NETWORK.subnet, "hr-connector-endpoints").id });
    expect(endpoint.privateLinkServiceConnections).toEqual([{ name: service, privateLinkServiceId: targetId(), groupIds: [service] }]);
  });

  it("registers in the Azure Government zone of that service (one zone per name, shared), linked to the network", () => {
    const zone = named(run, NETWORK.zone, `hr-connector-${service}`);
    expect(zone.inputs).toMatchObject({ privateZoneName: GOV_ZONES[service], location: "global" });
    expect(ofType(run, NETWORK.zone).filter((candidate) => candidate.inputs.privateZoneName === GOV_ZONES[service])).toHaveLength(1);
    expect(named(run, NETWORK.link, `hr-connector-${service}`).inputs).toMatchObject({
      privateZoneName: GOV_ZONES[service],
      virtualNetwork: { id: only(run, NETWORK.vnet).id },
      registrationEnabled: false,
    });
    expect(named(run, NETWORK.zoneGroup, `hr-connector-${label}`).inputs).toMatchObject({
      privateEndpointName: named(run, NETWORK.endpoint, `hr-connector-${label}`).state.name,
      privateDnsZoneConfigs: [{ name: service, privateDnsZoneId: zone.id }],
    });
  });
});

describe("the Azure Monitor private link scope", () => {
  it("accepts ingestion and queries privately only, and holds the workspace", () => {
    const scope = only(run, NETWORK.monitorScope);
    expect(scope.inputs).toMatchObject({ location: "global", accessModeSettings: { ingestionAccessMode: "PrivateOnly", queryAccessMode: "PrivateOnly" } });
    expect(only(run, NETWORK.scopedResource).inputs).toMatchObject({ scopeName: scope.state.name, linkedResourceId: only(run, TYPE.workspace).id });
  });

  it("has its private endpoint (group azuremonitor) registered in the four Azure Monitor zones of Azure Government and the blob zone, each zone made and linked once", () => {
    const endpoint = named(run, NETWORK.endpoint, "hr-connector-azuremonitor").inputs;
    expect(endpoint.privateLinkServiceConnections).toEqual([{ name: "azuremonitor", privateLinkServiceId: only(run, NETWORK.monitorScope).id, groupIds: ["azuremonitor"] }]);
    const zoneIds = named(run, NETWORK.zoneGroup, "hr-connector-azuremonitor").inputs.privateDnsZoneConfigs.map((config: Recorded["inputs"]) => config.privateDnsZoneId);
    const zoneNameOf = (id: string) => ofType(run, NETWORK.zone).find((zone) => zone.id === id)?.inputs.privateZoneName;
    expect(zoneIds.map(zoneNameOf)).toEqual(GOV_MONITOR_ZONES);
    const zoneNames = ofType(run, NETWORK.zone).map((zone) => zone.inputs.privateZoneName);
    expect(zoneNames.sort()).toEqual([...new Set([...Object.values(GOV_ZONES), ...GOV_MONITOR_ZONES])].sort());
    expect(ofType(run, NETWORK.link).map((link) => link.inputs.privateZoneName).sort()).toEqual(zoneNames.sort());
  });

  it("closes the workspace to public ingestion and queries", () => {
    expect(only(run, TYPE.workspace).inputs).toMatchObject({ publicNetworkAccessForIngestion: "Disabled", publicNetworkAccessForQuery: "Disabled" });
  });
});

describe.each(["one connector", "several connectors", "a prebuilt image"])("in the private shape with %s", (shape) => {
  it("has every subnet under a security group with its deny rules, and the workspace private in the scope", async () => {
    const shaped = await runGov({ ...STACK_SHAPES[shape], network: "private" });
    const groupIds = ofType(shaped, NETWORK.securityGroup).map((group) => group.id);
    expect(groupIds).toHaveLength(2);
    expect(ofType(shaped, NETWORK.subnet).map((subnet) => groupIds.includes(subnet.inputs.networkSecurityGroup?.id))).toEqual([true, true]);
    for (const name of ["hr-connector-environment", "hr-connector-endpoints"]) expect(rulesOf(shaped, name)).toEqual(expect.arrayContaining(["Inbound 4096 Deny * * -> *:*", "Outbound 4096 Deny * * -> *:*"]));
    expect(only(shaped, TYPE.workspace).inputs).toMatchObject({ publicNetworkAccessForIngestion: "Disabled", publicNetworkAccessForQuery: "Disabled" });
    expect(only(shaped, NETWORK.scopedResource).inputs.linkedResourceId).toBe(only(shaped, TYPE.workspace).id);
    expect(ofType(shaped, NETWORK.endpoint).map((endpoint) => endpoint.name)).toEqual(["hr-connector-vault", "hr-connector-blob", "hr-connector-blob-kept", "hr-connector-registry", "hr-connector-azuremonitor"]);
  });
});

it("gives preflight an ARM type for every resource of the private shape, security groups and the private link scope included, so it checks their API versions in the region", () => {
  const { types, unmapped } = resourceTypesOf(run.resources);
  expect(unmapped).toEqual([]);
  expect(types.map((type) => `${type.namespace}/${type.resourceType}`)).toEqual(
    expect.arrayContaining(["Microsoft.Network/networkSecurityGroups", "Microsoft.Insights/privateLinkScopes", "Microsoft.Insights/privateLinkScopes/scopedResources"]),
  );
});

describe("public network access", () => {
  it("is off on Key Vault, Storage and the registry, trusted Azure services excepted where the service offers it", () => {
    expect(only(run, TYPE.vault).inputs.properties).toMatchObject({ publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } });
    for (const account of [hrAccount(run), keptAccount(run)]) {
      expect(account.inputs).toMatchObject({ publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" } });
    }
    expect(only(run, TYPE.registry).inputs).toMatchObject({ publicNetworkAccess: "Disabled", sku: { name: "Premium" } });
  });

  it("stays on, with no network, when network is public (the default)", async () => {
    const publicRun = await runGov({ connectorJobId: CONNECTOR_JOB_ID });
    expect(only(publicRun, TYPE.vault).inputs.properties.publicNetworkAccess).toBe("Enabled");
    expect([hrAccount(publicRun).inputs.publicNetworkAccess, keptAccount(publicRun).inputs.publicNetworkAccess]).toEqual(["Enabled", "Enabled"]);
    expect(only(publicRun, TYPE.registry).inputs).toMatchObject({ publicNetworkAccess: "Enabled", sku: { name: "Premium" } });
    expect(only(publicRun, TYPE.workspace).inputs).not.toHaveProperty("publicNetworkAccessForIngestion");
    for (const type of Object.values(NETWORK)) expect([type, ofType(publicRun, type)]).toEqual([type, []]);
    expect(only(publicRun, TYPE.environment).inputs).not.toHaveProperty("vnetConfiguration");
    expect(only(publicRun, TYPE.job).inputs).not.toHaveProperty("workloadProfileName");
  });
});

describe("order of the data-plane work", () => {
  it("pushes the image and creates the job only once every endpoint and its DNS records exist", () => {
    const ready = [...ofType(run, NETWORK.zoneGroup), ...ofType(run, NETWORK.link)].map(key);
    // 5 endpoints' zone groups (the two accounts' blob endpoints share a zone); 7 zones' links (vault, blob, registry, and Azure Monitor's 4 besides blob).
    expect(ready).toHaveLength(12);
    expect(only(run, TYPE.image).dependencies).toEqual(expect.arrayContaining(ready));
    expect(only(run, TYPE.job).dependencies).toEqual(expect.arrayContaining(ready));
  });

  it("tells the deployer to run pulumi up (the image push) and the HR system's uploads from inside the network, with no az acr login", () => {
    const nextSteps = run.outputs.nextSteps as string;
    expect(nextSteps).toContain(`Run pulumi up (it pushes the uploader image to ${only(run, TYPE.registry).state.name}) and the HR system's uploads`);
    expect(nextSteps).toContain(`from the virtual network ${only(run, NETWORK.vnet).state.name} (resource group hr-connector) or a network peered with it; npm run preflight there checks it`);
    expect(nextSteps).not.toContain("acr login");
  });

  it("with a prebuilt image, names only the HR system's uploads: pulumi up pushes nothing", async () => {
    const prebuilt = await runGov({ connectorJobId: CONNECTOR_JOB_ID, network: "private", image: "example.azurecr.us/hr-upload:1.0.0" });
    const nextSteps = prebuilt.outputs.nextSteps as string;
    expect(nextSteps).toContain("accept no public traffic. Run the HR system's uploads");
    expect(nextSteps).not.toContain("pulumi up (it pushes");
  });
});

describe("in commercial Azure", () => {
  it("uses the commercial private-link zones, Azure Monitor's included", async () => {
    const commercial = await runGov({ "azure-native:environment": "public", cloud: "commercial", "azuread:environment": "public", network: "private" });
    expect(ofType(commercial, NETWORK.zone).map((zone) => zone.inputs.privateZoneName)).toEqual([
      "privatelink.vaultcore.azure.net",
      "privatelink.blob.core.windows.net",
      "privatelink.azurecr.io",
      "privatelink.monitor.azure.com",
      "privatelink.oms.opinsights.azure.com",
      "privatelink.ods.opinsights.azure.com",
      "privatelink.agentsvc.azure-automation.net",
    ]);
  });
});
