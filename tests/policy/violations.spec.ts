/**
 * Every policy of the pack reports a deliberately wrong resource: the private-network
 * stack (which passes every policy) with one setting broken or one resource removed,
 * and each policy must name that resource.
 */
import { OFFLINE_IDS, type RecordedResource } from "../../infra/offline/mocks";
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, runGov } from "../infra/harness";
import { DEPLOYED_ON, POLICIES, evaluate } from "./harness";

type Props = Record<string, unknown>;
type Resources = RecordedResource[];

/** A deep copy, so each case breaks its own resources. */
const copy = (resources: Resources): Resources => structuredClone(resources);

const find = (resources: Resources, type: string, name?: string): RecordedResource => {
  const found = resources.find((resource) => resource.type === type && (name === undefined || resource.name === name));
  if (found === undefined) throw new Error(`no ${type} ${name ?? ""} in the stack`);
  return found;
};

/** Changes a resource's inputs and outputs alike (resource policies read the one, stack policies the other). */
function breakSetting(type: string, change: (props: Props) => void, name?: string) {
  return (resources: Resources): string => {
    const resource = find(resources, type, name);
    change(resource.inputs);
    change(resource.outputs);
    return resource.urn;
  };
}

/** Removes the diagnostic setting of a resource; the violation names that resource (or its parent account). */
function removeLogs(loggedType: string, reportedType = loggedType) {
  return (resources: Resources): string => {
    const logged = find(resources, loggedType);
    const index = resources.findIndex((resource) => resource.type === "azure-native:monitor:DiagnosticSetting" && resource.propertyDependencyUrns.resourceUri?.includes(logged.urn));
    expect(index).toBeGreaterThanOrEqual(0);
    resources.splice(index, 1);
    return find(resources, reportedType).urn;
  };
}

const at = (props: Props, key: string) => props[key] as Props;
const DAY_MS = 24 * 60 * 60 * 1000;

const CASES: Record<string, (resources: Resources) => string> = {
  "keyvault-rbac-authorization": breakSetting("azure-native:keyvault:Vault", (props) => void (at(props, "properties").enableRbacAuthorization = false)),
  "keyvault-purge-protection": breakSetting("azure-native:keyvault:Vault", (props) => void delete at(props, "properties").enablePurgeProtection),
  // As the built-in: a vault that does not say soft delete is on is reported.
  "keyvault-soft-delete": breakSetting("azure-native:keyvault:Vault", (props) => void delete at(props, "properties").enableSoftDelete),
  "keyvault-secret-expiration": breakSetting("azure-native:keyvault:Secret", (props) => void delete at(props, "properties").attributes),
  "keyvault-public-network-access": breakSetting("azure-native:keyvault:Vault", (props) => {
    at(props, "properties").publicNetworkAccess = "Enabled";
    delete at(props, "properties").networkAcls;
  }),
  "keyvault-resource-logs": removeLogs("azure-native:keyvault:Vault"),
  "storage-secure-transfer": breakSetting("azure-native:storage:StorageAccount", (props) => void (props.enableHttpsTrafficOnly = false)),
  "storage-minimum-tls": breakSetting("azure-native:storage:StorageAccount", (props) => void (props.minimumTlsVersion = "TLS1_0")),
  "storage-geo-redundant": breakSetting("azure-native:storage:StorageAccount", (props) => void (at(props, "sku").name = "Standard_LRS")),
  "storage-infrastructure-encryption": breakSetting("azure-native:storage:StorageAccount", (props) => void delete at(props, "encryption").requireInfrastructureEncryption),
  "storage-customer-managed-key": breakSetting("azure-native:storage:StorageAccount", (props) => void delete props.encryption),
  "registry-customer-managed-key": breakSetting("azure-native:containerregistry:Registry", (props) => void (at(props, "encryption").status = "disabled")),
  "log-analytics-saved-queries-cmk": breakSetting("azure-native:operationalinsights:Workspace", (props) => void delete props.forceCmkForQuery),
  "storage-no-shared-key": breakSetting("azure-native:storage:StorageAccount", (props) => void (props.allowSharedKeyAccess = true)),
  "storage-no-public-blob-access": breakSetting("azure-native:storage:BlobContainer", (props) => void (props.publicAccess = "Blob"), "hr-data"),
  "storage-versioning-and-soft-delete": breakSetting("azure-native:storage:BlobServiceProperties", (props) => void (props.isVersioningEnabled = false), "hr-connector"),
  "storage-transient-copies-retention": breakSetting(
    "azure-native:storage:BlobServiceProperties",
    (props) => void (at(props, "deleteRetentionPolicy").days = 14),
    "hr-connector-kept",
  ),
  // As the built-in: public network access disabled does not make up for a firewall allowing by default.
  "storage-public-network-access": breakSetting("azure-native:storage:StorageAccount", (props) => void delete props.networkRuleSet),
  "storage-virtual-network-rules": breakSetting("azure-native:storage:StorageAccount", (props) => void (at(props, "networkRuleSet").ipRules = [{ iPAddressOrRange: "203.0.113.0/24", action: "Allow" }])),
  "storage-resource-logs": removeLogs("azure-native:storage:BlobServiceProperties", "azure-native:storage:StorageAccount"),
  "registry-admin-user-disabled": breakSetting("azure-native:containerregistry:Registry", (props) => void (props.adminUserEnabled = true)),
  "registry-anonymous-pull-disabled": breakSetting("azure-native:containerregistry:Registry", (props) => void (props.anonymousPullEnabled = true)),
  "registry-public-network-access": breakSetting("azure-native:containerregistry:Registry", (props) => void delete props.publicNetworkAccess),
  "registry-resource-logs": removeLogs("azure-native:containerregistry:Registry"),
  "container-apps-managed-identity": breakSetting("azure-native:app:Job", (props) => void delete props.identity),
  "container-apps-no-external-ingress": breakSetting("azure-native:app:Job", (props) => void (at(props, "configuration").ingress = { external: true, targetPort: 8080 })),
  "container-apps-environment-internal": breakSetting("azure-native:app:ManagedEnvironment", (props) => void delete props.vnetConfiguration),
  "container-apps-environment-resource-logs": removeLogs("azure-native:app:ManagedEnvironment"),
  "log-analytics-entra-only-ingestion": breakSetting("azure-native:operationalinsights:Workspace", (props) => void (props.features = { disableLocalAuth: false })),
  "log-analytics-public-network-access": breakSetting("azure-native:operationalinsights:Workspace", (props) => void (props.publicNetworkAccessForQuery = "Enabled")),
  "network-subnet-nsg": breakSetting("azure-native:network:Subnet", (props) => void delete props.networkSecurityGroup, "hr-connector-endpoints"),
  "log-analytics-retention": breakSetting("azure-native:operationalinsights:Workspace", (props) => void (props.retentionInDays = 30)),
  "entra-app-password-lifetime": breakSetting(
    "azuread:index/applicationPassword:ApplicationPassword",
    (props) => void (props.endDate = new Date(DEPLOYED_ON.getTime() + 400 * DAY_MS).toISOString()),
  ),
  "entra-app-owners": breakSetting("azuread:index/application:Application", (props) => void (props.owners = [])),
  "role-assignment-narrow-scope": breakSetting("azure-native:authorization:RoleAssignment", (props) => void (props.scope = `/subscriptions/${OFFLINE_IDS.subscriptionId}`)),
  "role-assignment-no-privileged-roles": breakSetting(
    "azure-native:authorization:RoleAssignment",
    (props) => void (props.roleDefinitionId = `/subscriptions/${OFFLINE_IDS.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`),
  ),
  "private-network-complete": (resources) => {
    // The vault's endpoint loses its DNS registration.
    const index = resources.findIndex((resource) => resource.type === "azure-native:network:PrivateDnsZoneGroup" && resource.name === "hr-connector-vault");
    resources.splice(index, 1);
    return find(resources, "azure-native:network:PrivateEndpoint", "hr-connector-vault").urn;
  },
};

let run: OfflineRun;
beforeAll(async () => {
  run = await runGov({ connectorJobId: CONNECTOR_JOB_ID, network: "private" });
});

it("has a wrong resource for every policy of the pack", () => {
  expect(Object.keys(CASES).sort()).toEqual(POLICIES.map(({ policy }) => policy.name).sort());
});

describe.each(Object.entries(CASES))("%s", (policyName, breakStack) => {
  it("passes the stack as it is", async () => {
    expect((await evaluate(run.resources, { only: [policyName] })).violations).toEqual([]);
  });

  it("reports the broken resource, and only it", async () => {
    const resources = copy(run.resources);
    const urn = breakStack(resources);
    const { violations } = await evaluate(resources, { only: [policyName] });
    expect(violations.length).toBeGreaterThan(0);
    for (const violation of violations) expect(violation).toMatchObject({ policy: policyName, urn });
  });
});

describe("conditions as the built-ins' rules have them", () => {
  it("reports a vault whose soft delete is off in keyvault-purge-protection too (0b60c0b2)", async () => {
    const resources = copy(run.resources);
    const urn = breakSetting("azure-native:keyvault:Vault", (props) => void (at(props, "properties").enableSoftDelete = false))(resources);
    expect((await evaluate(resources, { only: ["keyvault-purge-protection", "keyvault-soft-delete"] })).violations.map((violation) => [violation.policy, violation.urn])).toEqual([
      ["keyvault-purge-protection", urn],
      ["keyvault-soft-delete", urn],
    ]);
  });

  it("keeps a soft-delete retention of at least 7 days (our addition to 1e66c121)", async () => {
    const resources = copy(run.resources);
    breakSetting("azure-native:keyvault:Vault", (props) => void (at(props, "properties").softDeleteRetentionInDays = 3))(resources);
    expect((await evaluate(resources, { only: ["keyvault-soft-delete"] })).violations).toHaveLength(1);
  });

  it("excepts from CP-9's versioning and 7-day soft delete only a blob service whose account carries the transient-copies tag", async () => {
    const resources = copy(run.resources);
    const only = ["storage-versioning-and-soft-delete", "storage-transient-copies-retention"];
    expect((await evaluate(resources, { only })).violations).toEqual([]);
    breakSetting("azure-native:storage:StorageAccount", (props) => void delete props.tags, "hrconnectorkept")(resources);
    const { violations } = await evaluate(resources, { only });
    expect(violations.map((violation) => [violation.policy, violation.urn])).toEqual([["storage-versioning-and-soft-delete", find(resources, "azure-native:storage:BlobServiceProperties", "hr-connector-kept").urn]]);
    expect(violations[0]?.message).toContain("isVersioningEnabled");
  });

  it("accepts a storage account that leaves HTTPS-only to the API's default (404c3081 flags an explicit false only)", async () => {
    const resources = copy(run.resources);
    breakSetting("azure-native:storage:StorageAccount", (props) => void delete props.enableHttpsTrafficOnly)(resources);
    expect((await evaluate(resources, { only: ["storage-secure-transfer"] })).violations).toEqual([]);
  });

  it("accepts a registry open to the public whose firewall denies by default (d0793b48)", async () => {
    const resources = copy(run.resources);
    breakSetting("azure-native:containerregistry:Registry", (props) => {
      props.publicNetworkAccess = "Enabled";
      props.networkRuleSet = { defaultAction: "Deny" };
    })(resources);
    expect((await evaluate(resources, { only: ["registry-public-network-access"] })).violations).toEqual([]);
  });
});

describe("the private network's other conditions", () => {
  /** The workspace leaves its Azure Monitor private link scope. */
  const unscoped = (resources: Resources): string => {
    resources.splice(resources.findIndex((resource) => resource.type === "azure-native:monitor:PrivateLinkScopedResource"), 1);
    return find(resources, "azure-native:operationalinsights:Workspace").urn;
  };

  it("reports a workspace in no Azure Monitor private link scope: it has no private endpoint", async () => {
    const resources = copy(run.resources);
    const urn = unscoped(resources);
    const { violations } = await evaluate(resources, { only: ["private-network-complete"] });
    expect(violations.map((violation) => [violation.urn, violation.message])).toEqual([[urn, expect.stringMatching(/^Log Analytics workspace ".*" has no private endpoint for "azuremonitor"/)]]);
  });

  it("reports each of Azure Monitor's zones that no network links, and a workspace open to public queries", async () => {
    const resources = copy(run.resources);
    resources.splice(resources.findIndex((resource) => resource.type === "azure-native:privatedns:VirtualNetworkLink" && resource.name === "hr-connector-azuremonitor-oms"), 1);
    breakSetting("azure-native:operationalinsights:Workspace", (props) => void (props.publicNetworkAccessForQuery = "Enabled"))(resources);
    const { violations } = await evaluate(resources, { only: ["private-network-complete"] });
    expect(violations.map((violation) => violation.message)).toEqual([
      expect.stringMatching(/^Log Analytics workspace ".*" still accepts public traffic/),
      "Private DNS zone privatelink.oms.opinsights.azure.us is linked to no virtual network.",
    ]);
  });

  it("reports a subnet inside a virtual network's own definition that has no security group (e71308d3)", async () => {
    const resources = copy(run.resources);
    const urn = breakSetting("azure-native:network:VirtualNetwork", (props) => void (props.subnets = [{ name: "extra", addressPrefix: "10.42.0.192/27" }]))(resources);
    expect((await evaluate(resources, { only: ["network-subnet-nsg"] })).violations.map((violation) => violation.urn)).toEqual([urn]);
  });
});

describe("findings the pack's config changes", () => {
  const longPassword = breakSetting("azuread:index/applicationPassword:ApplicationPassword", (props) => void (props.endDate = new Date(DEPLOYED_ON.getTime() + 300 * DAY_MS).toISOString()));

  it("accepts a 300-day password from an agency whose maximum is a year", async () => {
    const resources = copy(run.resources);
    longPassword(resources);
    expect((await evaluate(resources, { only: ["entra-app-password-lifetime"] })).violations).toHaveLength(1);
    expect((await evaluate(resources, { only: ["entra-app-password-lifetime"], config: { "entra-app-password-lifetime": { maxLifetimeDays: 365 } } })).violations).toEqual([]);
  });

  it("makes the private network mandatory for a public stack when requirePrivateNetwork is set", async () => {
    const publicRun = await runGov({ connectorJobId: CONNECTOR_JOB_ID });
    expect((await evaluate(publicRun.resources, { only: ["private-network-complete"] })).violations).toEqual([]);
    const required = await evaluate(publicRun.resources, { only: ["private-network-complete"], config: { "private-network-complete": { requirePrivateNetwork: true } } });
    expect(required.violations.map((violation) => violation.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Key Vault ".*" still accepts public traffic/), expect.stringMatching(/^storage account ".*" has no private endpoint for "blob"/)]),
    );
    expect(required.violations.every((violation) => violation.enforcementLevel === "mandatory")).toBe(true);
  });

  it("holds the archive to minTotalRetentionDays in every table", async () => {
    const resources = copy(run.resources);
    const archive = find(resources, "azure-native:resources:Deployment");
    for (const props of [archive.inputs, archive.outputs]) {
      ((props.properties as Props).template as { resources: { properties: Props }[] }).resources[0]!.properties.totalRetentionInDays = 400;
    }
    const { violations } = await evaluate(resources, { only: ["log-analytics-retention"] });
    expect(violations.map((violation) => violation.message)).toEqual([expect.stringMatching(/keeps logs 365 days queryable and 400 in all: at least 365 and 913 are required/)]);
  });

  it("can be disabled per policy", async () => {
    const resources = copy(run.resources);
    CASES["storage-no-shared-key"]!(resources);
    expect((await evaluate(resources, { only: ["storage-no-shared-key"], config: { "storage-no-shared-key": { enforcementLevel: "disabled" } } })).violations).toEqual([]);
  });
});
