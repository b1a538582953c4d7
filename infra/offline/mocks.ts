/**
 * Offline stand-in for Azure, Entra and the image push, shared by `npm run plan` and
 * tests/infra. Not part of the deployed program. It records every resource the
 * program registers and answers with the outputs the program reads, shaped
 * like the real ones (ARM IDs, cloud-specific hosts).
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { StackResource } from "../../policy/evaluate";
import { AZURE_ENVIRONMENTS, azureEnvironmentNamed, type AzureEnvironment } from "../azureEnvironments";

/** Marks a secret value in serialized inputs (Pulumi's wire format): `{ [SECRET_SIGNATURE]: SECRET_SIGNATURE_VALUE, value }`. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE_VALUE = "1b47061264138c4ac30d75fd1eb44270";
/** Every client secret the offline Entra hands out starts with this, so tests can look for leaks. */
export const FAKE_CLIENT_SECRET_PREFIX = "offline-client-secret";

export const OFFLINE_IDS = {
  subscriptionId: "11111111-1111-4111-8111-111111111111",
  /** Tenant of the Azure subscription. */
  azureTenantId: "22222222-2222-4222-8222-222222222222",
  /** Tenant the azuread provider signs in to (the Purview tenant). */
  entraTenantId: "33333333-3333-4333-8333-333333333333",
  deployerObjectId: "44444444-4444-4444-8444-444444444444",
} as const;

/**
 * One registration: what the policy pack reads of it (type, name, URN, parent, custom, inputs with
 * secret envelopes removed, outputs likewise, dependencies as URNs), and what the tests read besides.
 */
export interface RecordedResource extends StackResource {
  /** The ID the mock assigned (an ARM ID for Azure resources). */
  readonly id: string;
  readonly inputs: Record<string, unknown>;
  /** Inputs as the program sent them; secret values are still wrapped. */
  readonly rawInputs: Record<string, unknown>;
  /** What the mock answered (the outputs the program sees). */
  readonly state: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  /** Resources it waits for (inputs and `dependsOn`), as `type::name`. */
  readonly dependencies: string[];
  readonly dependencyUrns: string[];
  readonly propertyDependencyUrns: Record<string, string[]>;
}

/** A deterministic GUID-shaped ID, so runs can be compared. */
function fakeGuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A value with Pulumi's secret envelopes replaced by what they hold. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    if (SECRET_SIGNATURE in value && "value" in value) return unwrapSecrets(value.value);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unwrapSecrets(item)]));
  }
  return value;
}

export function containsSecretEnvelope(value: unknown): boolean {
  return JSON.stringify(value).includes(SECRET_SIGNATURE);
}

/** Azure hosts of the cloud `azure-native:environment` selects. */
function azureHosts(): AzureEnvironment["hosts"] {
  return AZURE_ENVIRONMENTS[azureEnvironmentNamed(new pulumi.Config("azure-native").get("environment")) ?? "public"].hosts;
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

type Inputs = Record<string, unknown>;
interface ArmShape {
  /** Resource provider path under the resource group, for a given own name. */
  readonly path: (name: string, inputs: Inputs) => string;
  /** Input carrying the resource's own name, when the program sets it explicitly. */
  readonly nameInput?: string;
}

const ARM: Record<string, ArmShape> = {
  "azure-native:keyvault:Vault": { path: (name) => `Microsoft.KeyVault/vaults/${name}`, nameInput: "vaultName" },
  "azure-native:keyvault:Secret": { path: (name, inputs) => `Microsoft.KeyVault/vaults/${inputs.vaultName}/secrets/${name}`, nameInput: "secretName" },
  "azure-native:keyvault:Key": { path: (name, inputs) => `Microsoft.KeyVault/vaults/${inputs.vaultName}/keys/${name}`, nameInput: "keyName" },
  "azure-native:storage:StorageAccount": { path: (name) => `Microsoft.Storage/storageAccounts/${name}`, nameInput: "accountName" },
  "azure-native:storage:BlobServiceProperties": { path: (name, inputs) => `Microsoft.Storage/storageAccounts/${inputs.accountName}/blobServices/${name}`, nameInput: "blobServicesName" },
  "azure-native:storage:BlobContainer": { path: (name, inputs) => `Microsoft.Storage/storageAccounts/${inputs.accountName}/blobServices/default/containers/${name}`, nameInput: "containerName" },
  "azure-native:containerregistry:Registry": { path: (name) => `Microsoft.ContainerRegistry/registries/${name}`, nameInput: "registryName" },
  "azure-native:managedidentity:UserAssignedIdentity": { path: (name) => `Microsoft.ManagedIdentity/userAssignedIdentities/${name}`, nameInput: "resourceName" },
  "azure-native:operationalinsights:Workspace": { path: (name) => `Microsoft.OperationalInsights/workspaces/${name}`, nameInput: "workspaceName" },
  "azure-native:operationalinsights:LinkedStorageAccount": { path: (name, inputs) => `Microsoft.OperationalInsights/workspaces/${inputs.workspaceName}/linkedStorageAccounts/${name}`, nameInput: "dataSourceType" },
  "azure-native:app:ManagedEnvironment": { path: (name) => `Microsoft.App/managedEnvironments/${name}`, nameInput: "environmentName" },
  "azure-native:app:Job": { path: (name) => `Microsoft.App/jobs/${name}`, nameInput: "jobName" },
  "azure-native:monitor:ActionGroup": { path: (name) => `Microsoft.Insights/actionGroups/${name}`, nameInput: "actionGroupName" },
  "azure-native:monitor:MetricAlert": { path: (name) => `Microsoft.Insights/metricAlerts/${name}`, nameInput: "ruleName" },
  "azure-native:applicationinsights:Workbook": { path: (name) => `Microsoft.Insights/workbooks/${name}`, nameInput: "resourceName" },
  "azure-native:monitor:ScheduledQueryRule": { path: (name) => `Microsoft.Insights/scheduledQueryRules/${name}`, nameInput: "ruleName" },
  "azure-native:storage:ManagementPolicy": { path: (name, inputs) => `Microsoft.Storage/storageAccounts/${inputs.accountName}/managementPolicies/${name}`, nameInput: "managementPolicyName" },
  "azure-native:resources:Deployment": { path: (name) => `Microsoft.Resources/deployments/${name}`, nameInput: "deploymentName" },
  "azure-native:network:VirtualNetwork": { path: (name) => `Microsoft.Network/virtualNetworks/${name}`, nameInput: "virtualNetworkName" },
  "azure-native:network:Subnet": { path: (name, inputs) => `Microsoft.Network/virtualNetworks/${inputs.virtualNetworkName}/subnets/${name}`, nameInput: "subnetName" },
  "azure-native:network:NetworkSecurityGroup": { path: (name) => `Microsoft.Network/networkSecurityGroups/${name}`, nameInput: "networkSecurityGroupName" },
  "azure-native:monitor:PrivateLinkScope": { path: (name) => `Microsoft.Insights/privateLinkScopes/${name}`, nameInput: "scopeName" },
  "azure-native:monitor:PrivateLinkScopedResource": { path: (name, inputs) => `Microsoft.Insights/privateLinkScopes/${inputs.scopeName}/scopedResources/${name}`, nameInput: "name" },
  "azure-native:network:PrivateEndpoint": { path: (name) => `Microsoft.Network/privateEndpoints/${name}`, nameInput: "privateEndpointName" },
  "azure-native:network:PrivateDnsZoneGroup": {
    path: (name, inputs) => `Microsoft.Network/privateEndpoints/${inputs.privateEndpointName}/privateDnsZoneGroups/${name}`,
    nameInput: "privateDnsZoneGroupName",
  },
  "azure-native:privatedns:PrivateZone": { path: (name) => `Microsoft.Network/privateDnsZones/${name}`, nameInput: "privateZoneName" },
  "azure-native:privatedns:VirtualNetworkLink": { path: (name, inputs) => `Microsoft.Network/privateDnsZones/${inputs.privateZoneName}/virtualNetworkLinks/${name}`, nameInput: "virtualNetworkLinkName" },
};

/** Outputs the program reads, computed from the (unwrapped) inputs. */
function outputsFor(type: string, name: string, inputs: Inputs): { id: string; state: Inputs } {
  const hosts = azureHosts();
  const resourceGroup = `/subscriptions/${OFFLINE_IDS.subscriptionId}/resourceGroups/${String(inputs.resourceGroupName)}`;
  const arm = ARM[type];
  if (arm) {
    const ownName = (arm.nameInput && typeof inputs[arm.nameInput] === "string" ? inputs[arm.nameInput] : name) as string;
    const id = `${resourceGroup}/providers/${arm.path(ownName, inputs)}`;
    return { id, state: { ...inputs, name: ownName, ...armOutputs(type, ownName, inputs, hosts) } };
  }
  switch (type) {
    case "azure-native:resources:ResourceGroup":
      return { id: `/subscriptions/${OFFLINE_IDS.subscriptionId}/resourceGroups/${name}`, state: { ...inputs, name } };
    case "azure-native:monitor:DiagnosticSetting": {
      // An extension resource: it lives under the resource it watches.
      const settingName = typeof inputs.name === "string" ? inputs.name : name;
      return { id: `${String(inputs.resourceUri)}/providers/Microsoft.Insights/diagnosticSettings/${settingName}`, state: { ...inputs, name: settingName } };
    }
    case "azure-native:authorization:RoleAssignment": {
      const assignment = fakeGuid(`${String(inputs.scope)}|${String(inputs.roleDefinitionId)}|${String(inputs.principalId)}`);
      return { id: `${String(inputs.scope)}/providers/Microsoft.Authorization/roleAssignments/${assignment}`, state: { ...inputs, name: assignment } };
    }
    case "azuread:index/application:Application": {
      const objectId = fakeGuid(`application|${name}`);
      return { id: `/applications/${objectId}`, state: { ...inputs, objectId, clientId: fakeGuid(`client|${name}`) } };
    }
    case "azuread:index/servicePrincipal:ServicePrincipal": {
      const objectId = fakeGuid(`service-principal|${name}`);
      return { id: objectId, state: { ...inputs, objectId } };
    }
    case "azuread:index/applicationPassword:ApplicationPassword": {
      // Each rotation key yields another value, as Entra would.
      const value = `${FAKE_CLIENT_SECRET_PREFIX}-${digest(JSON.stringify(inputs.rotateWhenChanged)).slice(0, 16)}`;
      const keyId = fakeGuid(`password|${value}`);
      return { id: `${String(inputs.applicationId)}/password/${keyId}`, state: { ...inputs, keyId, value } };
    }
    case "pulumi-nodejs:dynamic/hr-connector:OciImage": {
      // What the deploy-time push returns: the registry's digest of the assembled image.
      const imageInputs = Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== "__provider")); // not the provider's code
      const imageDigest = `sha256:${digest(JSON.stringify(imageInputs))}`;
      return { id: imageDigest, state: { ...inputs, digest: imageDigest, ref: `${String(inputs.registry)}/${String(inputs.repository)}@${imageDigest}` } };
    }
    default:
      // Component resources (custom: false) and anything the program does not read from.
      return { id: `${name}-id`, state: inputs };
  }
}

function armOutputs(type: string, name: string, inputs: Inputs, hosts: ReturnType<typeof azureHosts>): Inputs {
  switch (type) {
    case "azure-native:keyvault:Vault":
      return { properties: { ...(inputs.properties as Inputs), vaultUri: `https://${name}.${hosts.vault}/` } };
    case "azure-native:keyvault:Secret": {
      const properties = inputs.properties as { value?: string };
      const secretUri = `https://${String(inputs.vaultName)}.${hosts.vault}/secrets/${name}`;
      // A new value is a new version. The engine returns `properties` secret as a whole, because it holds the value.
      const secretProperties = { ...properties, secretUri, secretUriWithVersion: `${secretUri}/${digest(properties.value ?? "").slice(0, 32)}` };
      return { properties: { [SECRET_SIGNATURE]: SECRET_SIGNATURE_VALUE, value: secretProperties } };
    }
    case "azure-native:storage:StorageAccount":
      return { primaryEndpoints: { blob: `https://${name}.${hosts.blob}/` } };
    case "azure-native:containerregistry:Registry":
      return { loginServer: `${name}.${hosts.registry}` };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return { principalId: fakeGuid(`principal|${name}`), clientId: fakeGuid(`identity-client|${name}`) };
    case "azure-native:operationalinsights:Workspace":
      return { customerId: fakeGuid(`workspace|${name}`) };
    default:
      return {};
  }
}

function invoke(token: string): Record<string, unknown> {
  switch (token) {
    case "azure-native:authorization:getClientConfig":
      return { subscriptionId: OFFLINE_IDS.subscriptionId, tenantId: OFFLINE_IDS.azureTenantId, objectId: OFFLINE_IDS.deployerObjectId, clientId: fakeGuid("azure-cli") };
    case "azuread:index/getClientConfig:getClientConfig":
      // The provider's tenant when the stack sets one (azuread:tenantId), as the real provider signs in there.
      return { tenantId: new pulumi.Config("azuread").get("tenantId") ?? OFFLINE_IDS.entraTenantId, objectId: OFFLINE_IDS.deployerObjectId, clientId: fakeGuid("azure-cli") };
    default:
      throw new Error(`the offline mocks do not know the invoke ${token}`);
  }
}

/**
 * Installs the mocks for the given project and stack; resources registered
 * afterwards are appended to the returned array, in registration order.
 */
export async function installOfflineMocks(project: string, stack: string): Promise<RecordedResource[]> {
  const recorded: RecordedResource[] = [];
  let registration: Registration = { urn: "", dependencyUrns: [], propertyDependencyUrns: {} };
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = unwrapSecrets(args.inputs) as Inputs;
        const outputs = outputsFor(args.type, args.name, inputs);
        recorded.push({
          type: args.type,
          name: args.name,
          ...registration,
          id: outputs.id,
          inputs,
          rawInputs: args.inputs,
          state: outputs.state,
          outputs: unwrapSecrets(outputs.state) as Inputs,
          custom: args.custom ?? true,
          dependencies: registration.dependencyUrns.map(typeAndNameOfUrn),
        });
        return outputs;
      },
      call: (args) => invoke(args.token),
    },
    project,
    stack,
  );
  // The mock interface does not pass a registration's URN, parent or dependencies on; the request carries them.
  // The monitor calls newResource synchronously, so the request seen last is the one being recorded.
  const monitor = pulumi.runtime.getMonitor() as unknown as RegistrationMonitor;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const parentUrn = request.getParent() || undefined;
    registration = {
      urn: monitor.newUrn(request.getParent(), request.getType(), request.getName()),
      parentUrn,
      dependencyUrns: request.getDependenciesList(),
      propertyDependencyUrns: Object.fromEntries(request.getPropertydependenciesMap().toArray().map(([key, urns]) => [key, urns[0] ?? []])),
    };
    return registerResource(request, callback);
  };
  return recorded;
}

type Registration = Pick<RecordedResource, "urn" | "parentUrn" | "dependencyUrns" | "propertyDependencyUrns">;

interface RegistrationRequest {
  getParent(): string;
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
  /** jspb map of input name to `PropertyDependencies` (whose array form is `[urns]`). */
  getPropertydependenciesMap(): { toArray(): [string, [string[] | undefined]][] };
}

interface RegistrationMonitor {
  registerResource(request: RegistrationRequest, callback: unknown): Promise<void>;
  /** How the mock monitor names a registration (the engine's URN scheme). */
  newUrn(parent: string, type: string, name: string): string;
}

/** `urn:pulumi:<stack>::<project>::<parent types$>type::name` → `type::name`. */
function typeAndNameOfUrn(urn: string): string {
  const [qualifiedType = "", name = ""] = urn.split("::").slice(-2);
  return `${qualifiedType.split("$").pop() ?? ""}::${name}`;
}
