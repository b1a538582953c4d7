/**
 * `network: private`: a virtual network, the Container Apps environment inside it
 * with no public ingress, private endpoints for Key Vault, the blob service and the
 * registry registered in the cloud's private-link DNS zones, and no public network
 * access to any of the three.
 */
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, TYPE, named, ofType, only, runGov, type Recorded } from "./harness";

const NETWORK = {
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  endpoint: "azure-native:network:PrivateEndpoint",
  zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  zone: "azure-native:privatedns:PrivateZone",
  link: "azure-native:privatedns:VirtualNetworkLink",
} as const;

const GOV_ZONES = { vault: "privatelink.vaultcore.usgovcloudapi.net", blob: "privatelink.blob.core.usgovcloudapi.net", registry: "privatelink.azurecr.us" };
const key = (resource: Recorded) => `${resource.type}::${resource.name}`;

let run: OfflineRun;
beforeAll(async () => {
  run = await runGov({ connectorJobId: CONNECTOR_JOB_ID, network: "private" });
});

describe("the virtual network", () => {
  it("spans the default 10.42.0.0/24: a /25 delegated to the Container Apps environment and a /28 for the endpoints", () => {
    const vnet = only(run, NETWORK.vnet);
    expect(vnet.inputs.addressSpace).toEqual({ addressPrefixes: ["10.42.0.0/24"] });
    expect(vnet.inputs.location).toBe("usgovvirginia");
    const subnets = ofType(run, NETWORK.subnet).map((subnet) => subnet.inputs);
    expect(subnets).toEqual([
      expect.objectContaining({ virtualNetworkName: vnet.state.name, subnetName: "container-apps", addressPrefix: "10.42.0.0/25", delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }] }),
      expect.objectContaining({ virtualNetworkName: vnet.state.name, subnetName: "private-endpoints", addressPrefix: "10.42.0.128/28", privateEndpointNetworkPolicies: "Disabled" }),
    ]);
  });

  it("takes vnetAddressSpace", async () => {
    const custom = await runGov({ network: "private", vnetAddressSpace: "172.20.4.0/23" });
    expect(only(custom, NETWORK.vnet).inputs.addressSpace.addressPrefixes).toEqual(["172.20.4.0/23"]);
    expect(ofType(custom, NETWORK.subnet).map((subnet) => subnet.inputs.addressPrefix)).toEqual(["172.20.4.0/25", "172.20.4.128/28"]);
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
  ["vault", () => only(run, TYPE.vault).id],
  ["blob", () => only(run, TYPE.storageAccount).id],
  ["registry", () => only(run, TYPE.registry).id],
] as const)("the %s private endpoint", (service, targetId) => {
  it("connects the endpoints' subnet to that service of the resource", () => {
    const endpoint = named(run, NETWORK.endpoint, `hr-connector-${service}`).inputs;
    expect(endpoint.subnet).toMatchObject({ id: named(run, NETWORK.subnet, "hr-connector-endpoints").id });
    expect(endpoint.privateLinkServiceConnections).toEqual([{ name: service, privateLinkServiceId: targetId(), groupIds: [service] }]);
  });

  it("registers in the Azure Government zone of that service, linked to the network", () => {
    const zone = named(run, NETWORK.zone, `hr-connector-${service}`);
    expect(zone.inputs).toMatchObject({ privateZoneName: GOV_ZONES[service], location: "global" });
    expect(named(run, NETWORK.link, `hr-connector-${service}`).inputs).toMatchObject({
      privateZoneName: GOV_ZONES[service],
      virtualNetwork: { id: only(run, NETWORK.vnet).id },
      registrationEnabled: false,
    });
    expect(named(run, NETWORK.zoneGroup, `hr-connector-${service}`).inputs).toMatchObject({
      privateEndpointName: named(run, NETWORK.endpoint, `hr-connector-${service}`).state.name,
      privateDnsZoneConfigs: [{ name: service, privateDnsZoneId: zone.id }],
    });
  });
});

describe("public network access", () => {
  it("is off on Key Vault, Storage and the registry, trusted Azure services excepted where the service offers it", () => {
    expect(only(run, TYPE.vault).inputs.properties).toMatchObject({ publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } });
    expect(only(run, TYPE.storageAccount).inputs).toMatchObject({ publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" } });
    expect(only(run, TYPE.registry).inputs).toMatchObject({ publicNetworkAccess: "Disabled", sku: { name: "Premium" } });
  });

  it("stays on, with no network, when network is public (the default)", async () => {
    const publicRun = await runGov({ connectorJobId: CONNECTOR_JOB_ID });
    expect(only(publicRun, TYPE.vault).inputs.properties.publicNetworkAccess).toBe("Enabled");
    expect(only(publicRun, TYPE.storageAccount).inputs.publicNetworkAccess).toBe("Enabled");
    expect(only(publicRun, TYPE.registry).inputs).toMatchObject({ publicNetworkAccess: "Enabled", sku: { name: "Premium" } });
    for (const type of Object.values(NETWORK)) expect([type, ofType(publicRun, type)]).toEqual([type, []]);
    expect(only(publicRun, TYPE.environment).inputs).not.toHaveProperty("vnetConfiguration");
    expect(only(publicRun, TYPE.job).inputs).not.toHaveProperty("workloadProfileName");
  });
});

describe("order of the data-plane work", () => {
  it("pushes the image and creates the job only once every endpoint and its DNS records exist", () => {
    const ready = [...ofType(run, NETWORK.zoneGroup), ...ofType(run, NETWORK.link)].map(key);
    expect(ready).toHaveLength(6);
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
  it("uses the commercial private-link zones", async () => {
    const commercial = await runGov({ "azure-native:environment": "public", cloud: "commercial", "azuread:environment": "public", network: "private" });
    expect(ofType(commercial, NETWORK.zone).map((zone) => zone.inputs.privateZoneName)).toEqual(["privatelink.vaultcore.azure.net", "privatelink.blob.core.windows.net", "privatelink.azurecr.io"]);
  });
});
