/**
 * What `pulumi up` would create, without the Pulumi CLI or Azure: runs the
 * program under offline mocks with a stack file and prints each resource with
 * its security-relevant settings, then every role assignment with its scope.
 * A reviewer's artifact for change and ATO reviews.
 *
 *   npm run plan [-- --stack gov] [--set connectorJobId=<guid> ...]
 *   npm run plan -- --set 'connectors=[{"name":"resignations","connectorJobId":"<guid>"},{"name":"reviews"}]'
 *
 * A `--set` value is the key's value as the program reads it: structured keys (`connectors`) take JSON.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BUILT_IN_ROLES } from "../infra/jobIdentity";
import { containsSecretEnvelope, type RecordedResource } from "../infra/offline/mocks";
import { PROJECT, runOffline } from "../infra/offline/run";
import { readStackFile } from "../infra/offline/stackFile";

const REPOSITORY_ROOT = path.resolve(__dirname, "..");

/** Settings worth a reviewer's eye, per resource type (dotted input paths). */
const SECURITY_SETTINGS: Record<string, readonly string[]> = {
  "azure-native:resources:ResourceGroup": ["location"],
  "azuread:index/application:Application": ["signInAudience", "requiredResourceAccesses", "owners", "notes"],
  "azuread:index/servicePrincipal:ServicePrincipal": ["owners"],
  "azuread:index/applicationPassword:ApplicationPassword": ["endDate", "rotateWhenChanged"],
  "azure-native:keyvault:Vault": [
    "properties.enableRbacAuthorization",
    "properties.enableSoftDelete",
    "properties.softDeleteRetentionInDays",
    "properties.enablePurgeProtection",
    "properties.publicNetworkAccess",
  ],
  "azure-native:keyvault:Secret": ["secretName", "properties.value", "properties.contentType"],
  "azure-native:storage:StorageAccount": [
    "kind",
    "sku.name",
    "enableHttpsTrafficOnly",
    "minimumTlsVersion",
    "allowBlobPublicAccess",
    "allowSharedKeyAccess",
    "publicNetworkAccess",
  ],
  "azure-native:storage:BlobServiceProperties": ["deleteRetentionPolicy", "containerDeleteRetentionPolicy"],
  "azure-native:storage:BlobContainer": ["containerName", "publicAccess"],
  "azure-native:operationalinsights:Workspace": ["sku.name", "retentionInDays"],
  "azure-native:app:ManagedEnvironment": [
    "appLogsConfiguration.destination",
    "appLogsConfiguration.logAnalyticsConfiguration.customerId",
    "appLogsConfiguration.logAnalyticsConfiguration.sharedKey",
  ],
  "azure-native:containerregistry:Registry": ["sku.name", "adminUserEnabled", "publicNetworkAccess"],
  "pulumi-nodejs:dynamic/hr-connector:OciImage": ["registry", "repository", "base", "bundleDigest", "sbomDigest", "revision"],
  "pulumi-nodejs:dynamic/hr-connector:GrantPropagation": ["seconds"],
  "azure-native:app:Job": [
    "jobName",
    "configuration.triggerType",
    "configuration.scheduleTriggerConfig",
    "configuration.replicaTimeout",
    "configuration.replicaRetryLimit",
    "identity",
    "configuration.registries",
    "configuration.secrets",
    "template.containers",
  ],
  "azure-native:monitor:ActionGroup": ["emailReceivers"],
  "azure-native:monitor:MetricAlert": ["severity", "scopes", "windowSize", "criteria.allOf", "actions"],
  "azure-native:monitor:ScheduledQueryRule": ["severity", "scopes", "evaluationFrequency", "windowSize", "criteria.allOf", "actions.actionGroups"],
};

/** Settings that must reach the engine as Pulumi secrets; printed as whether they do, never their value. */
const SECRET_SETTINGS = new Set(["properties.value", "appLogsConfiguration.logAnalyticsConfiguration.sharedKey"]);

const ROLE_NAMES: Record<string, string> = {
  [BUILT_IN_ROLES.acrPull]: "AcrPull",
  [BUILT_IN_ROLES.keyVaultSecretsUser]: "Key Vault Secrets User",
  [BUILT_IN_ROLES.storageBlobDataReader]: "Storage Blob Data Reader",
  [BUILT_IN_ROLES.storageBlobDataContributor]: "Storage Blob Data Contributor",
};

function valueAt(node: unknown, dottedPath: string): unknown {
  return dottedPath.split(".").reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), node);
}

/** Pulumi marks a whole top-level input secret when anything inside it is: look along the path. */
function isMarkedSecret(rawInputs: Record<string, unknown>, dottedPath: string): boolean {
  const keys = dottedPath.split(".");
  return keys.some((_key, index) => containsSecretEnvelope(valueAt(rawInputs, keys.slice(0, index + 1).join("."))));
}

function describeSetting(resource: RecordedResource, setting: string): string {
  if (SECRET_SETTINGS.has(setting)) {
    if (valueAt(resource.inputs, setting) === undefined) return "(unset)";
    return isMarkedSecret(resource.rawInputs, setting) ? "[secret]" : "NOT MARKED SECRET";
  }
  // Local paths print relative to the repository, so the plan reads the same on every machine.
  const text = JSON.stringify(valueAt(resource.inputs, setting), (_key, item: unknown) =>
    typeof item === "string" && item.startsWith(REPOSITORY_ROOT) ? path.relative(REPOSITORY_ROOT, item) || "." : item,
  );
  return text ?? "(unset)";
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { stack: { type: "string", default: "gov" }, set: { type: "string", multiple: true, default: [] } } });
  const stack = args.stack as string;
  const stackFile = path.join(REPOSITORY_ROOT, `Pulumi.${stack}.yaml`);
  const { values, skippedSecureKeys } = readStackFile(stackFile);
  for (const assignment of args.set as string[]) {
    const [key = "", ...rest] = assignment.split("=");
    values[key.includes(":") ? key : `${PROJECT}:${key}`] = rest.join("=");
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program must load after the mocks and config
  const { resources: recorded, outputs } = await runOffline(stack, values, () => require("../infra/index"));

  console.log(`Plan for stack "${stack}" (${path.relative(REPOSITORY_ROOT, stackFile)}), offline: nothing is deployed.`);
  if (skippedSecureKeys.length > 0) console.log(`Skipped secure values: ${skippedSecureKeys.join(", ")}`);
  if (!recorded.some((resource) => resource.type === "azure-native:app:Job")) {
    console.log("No connector has its job ID yet (first pass): no job, image or alerts. Add --set connectorJobId=<guid> to see the second pass.");
  }
  // Sorted, so two plans diff cleanly.
  const resources = recorded
    .filter((resource) => resource.custom)
    .sort((left, right) => left.type.localeCompare(right.type) || left.name.localeCompare(right.name));
  console.log(`\n${resources.length} resources:`);
  for (const resource of resources) {
    console.log(`\n${resource.type}  ${resource.name}`);
    for (const setting of SECURITY_SETTINGS[resource.type] ?? []) {
      console.log(`    ${setting}: ${describeSetting(resource, setting)}`);
    }
  }

  console.log("\nRole assignments (principal: role on scope):");
  const principalNames = new Map(
    resources.filter((resource) => resource.state.principalId !== undefined).map((resource) => [resource.state.principalId, `${resource.type.split(":").pop()} ${resource.name}`]),
  );
  for (const assignment of resources.filter((resource) => resource.type === "azure-native:authorization:RoleAssignment")) {
    const { principalId, roleDefinitionId, scope } = assignment.inputs as { principalId: string; roleDefinitionId: string; scope: string };
    const roleGuid = roleDefinitionId.split("/").pop() ?? "";
    console.log(`  ${principalNames.get(principalId) ?? principalId}: ${ROLE_NAMES[roleGuid] ?? roleGuid}\n      on ${scope}`);
  }

  console.log("\nOutputs:");
  for (const [name, value] of Object.entries(outputs)) {
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    console.log(text.includes("\n") ? `  ${name}:\n    ${text.split("\n").join("\n    ")}` : `  ${name}: ${text}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
