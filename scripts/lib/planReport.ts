/**
 * What `npm run plan` prints once its arguments are read (scripts/lib/plan.ts): the program run offline with
 * the stack file, each resource with the settings a reviewer checks, the API versions, the role assignments,
 * the outputs, and with --controls the control-implementation table. Loaded only for a plan: Pulumi, the SDKs
 * and the program take about 2 s of CPU to load, which `--help` and a usage error do without.
 */
import { writeFileSync } from "node:fs";
import type { ScriptIo } from "./scriptIo";
import { StackConfigError, loadConfig, type ConfigSource } from "../../infra/config";
import { BUILT_IN_ROLES } from "../../infra/builtInRoles";
import hrConnector from "../../infra/index";
import { runOffline } from "../../infra/offline/run";
import { PROJECT, readStackFile } from "../../infra/offline/stackFile";
import { coverageLine, coverageOf } from "../../policy/coverage";
import { evaluatePolicies } from "../../policy/evaluate";
import { GOV_INITIATIVES, SNAPSHOT } from "../../policy/govBuiltIns";
import { PACK, nistPolicies } from "../../policy/policies";
import { renderControls } from "./controls";
import { apiVersionLines, resourceTypesOf, sdkVersion } from "./preflight/resourceTypes";
import { settingText } from "./settingText";

export interface PlanArgs {
  readonly stack: string;
  readonly stackFile: string;
  /** The stack file as the plan names it: relative to the repository's root. */
  readonly stackFileName: string;
  readonly set: readonly string[];
  readonly controls?: string;
}

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
    "properties.networkAcls",
  ],
  "azure-native:keyvault:Secret": ["secretName", "properties.value", "properties.contentType", "properties.attributes.expires"],
  "azure-native:storage:StorageAccount": [
    "kind",
    "sku.name",
    "enableHttpsTrafficOnly",
    "minimumTlsVersion",
    "allowBlobPublicAccess",
    "allowSharedKeyAccess",
    "publicNetworkAccess",
    "networkRuleSet",
    "identity",
    "encryption",
  ],
  "azure-native:storage:BlobServiceProperties": ["isVersioningEnabled", "deleteRetentionPolicy", "containerDeleteRetentionPolicy"],
  "azure-native:storage:ManagementPolicy": ["policy.rules"],
  "azure-native:storage:BlobContainer": ["containerName", "publicAccess"],
  "azure-native:operationalinsights:Workspace": ["sku.name", "retentionInDays", "features.disableLocalAuth", "forceCmkForQuery", "publicNetworkAccessForIngestion", "publicNetworkAccessForQuery"],
  "azure-native:operationalinsights:LinkedStorageAccount": ["dataSourceType", "storageAccountIds"],
  "azure-native:keyvault:Key": ["keyName", "properties.kty", "properties.keySize", "properties.rotationPolicy"],
  "azure-native:managedidentity:UserAssignedIdentity": ["location"],
  "azure-native:resources:Deployment": ["properties.template.resources"],
  "azure-native:monitor:DiagnosticSetting": ["resourceUri", "workspaceId", "logAnalyticsDestinationType", "logs"],
  "azure-native:app:ManagedEnvironment": ["appLogsConfiguration", "vnetConfiguration", "workloadProfiles"],
  "azure-native:containerregistry:Registry": ["sku.name", "adminUserEnabled", "anonymousPullEnabled", "publicNetworkAccess", "identity", "encryption"],
  "azure-native:network:VirtualNetwork": ["addressSpace.addressPrefixes"],
  "azure-native:network:Subnet": ["addressPrefix", "delegations", "privateEndpointNetworkPolicies", "networkSecurityGroup.id"],
  "azure-native:network:NetworkSecurityGroup": ["securityRules"],
  "azure-native:monitor:PrivateLinkScope": ["accessModeSettings"],
  "azure-native:monitor:PrivateLinkScopedResource": ["linkedResourceId"],
  "azure-native:network:PrivateEndpoint": ["privateLinkServiceConnections"],
  "azure-native:network:PrivateDnsZoneGroup": ["privateDnsZoneConfigs"],
  "azure-native:privatedns:PrivateZone": ["privateZoneName"],
  "azure-native:privatedns:VirtualNetworkLink": ["privateZoneName", "registrationEnabled"],
  "pulumi-nodejs:dynamic/hr-connector:OciImage": ["registry", "repository", "base", "bundleDigest", "sbomDigest", "revision"],
  "pulumi-nodejs:dynamic/hr-connector:GrantPropagation": ["seconds"],
  "azure-native:app:Job": [
    "jobName",
    "workloadProfileName",
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

const ROLE_NAMES: Record<string, string> = {
  [BUILT_IN_ROLES.acrPull]: "AcrPull",
  [BUILT_IN_ROLES.keyVaultSecretsUser]: "Key Vault Secrets User",
  [BUILT_IN_ROLES.storageBlobDataReader]: "Storage Blob Data Reader",
  [BUILT_IN_ROLES.storageBlobDataContributor]: "Storage Blob Data Contributor",
  [BUILT_IN_ROLES.cryptoServiceEncryptionUser]: "Key Vault Crypto Service Encryption User",
};

/** Prints the plan of `args`: 0, or 2 for a config the program refuses (named on stderr). */
export async function printPlan(args: PlanArgs, io: ScriptIo): Promise<number> {
  const { stdout, stderr } = io;
  const { stack, stackFile, stackFileName } = args;
  const { values, skippedSecureKeys } = readStackFile(stackFile);
  for (const assignment of args.set) {
    const [key = "", ...rest] = assignment.split("=");
    values[key.includes(":") ? key : `${PROJECT}:${key}`] = rest.join("=");
  }

  let run;
  try {
    run = await runOffline(stack, values, hrConnector);
  } catch (error) {
    if (!(error instanceof StackConfigError)) throw error;
    stderr(`npm run plan: ${error.message}`);
    return 2;
  }
  const { resources: recorded, outputs } = run;
  // The program accepted this config, so it loads; its network setting decides which exceptions hold on this plan.
  const source = (namespace: string): ConfigSource => ({ get: (key) => values[`${namespace}:${key}`] });
  const { network } = loadConfig(source(PROJECT), source("azure-native"), source("azuread"));

  stdout(`Plan for stack "${stack}" (${stackFileName}), offline: nothing is deployed.`);
  if (skippedSecureKeys.length > 0) stdout(`Skipped secure values: ${skippedSecureKeys.join(", ")}`);
  if (!recorded.some((resource) => resource.type === "azure-native:app:Job")) {
    stdout("No connector has its job ID yet (first pass): no job, image or alerts. Add --set connectorJobId=<guid> to see the second pass.");
  }
  // Sorted, so two plans diff cleanly.
  const resources = recorded
    .filter((resource) => resource.custom)
    .sort((left, right) => left.type.localeCompare(right.type) || left.name.localeCompare(right.name));
  stdout(`\n${resources.length} resources:`);
  for (const resource of resources) {
    stdout(`\n${resource.type}  ${resource.name}`);
    for (const setting of SECURITY_SETTINGS[resource.type] ?? []) {
      stdout(`    ${setting}: ${settingText(resource, setting)}`);
    }
  }

  // Read from the SDK's typings, as preflight reads them: an SDK upgrade changes this list by itself.
  stdout(`\nAzure REST API versions (installed @pulumi/azure-native ${sdkVersion()}; preflight checks each is offered in the region):`);
  for (const line of apiVersionLines(resourceTypesOf(recorded).types)) stdout(`  ${line}`);

  stdout("\nRole assignments (principal: role on scope):");
  const principalNames = new Map(
    resources.filter((resource) => resource.state.principalId !== undefined).map((resource) => [resource.state.principalId, `${resource.type.split(":").pop()} ${resource.name}`]),
  );
  for (const assignment of resources.filter((resource) => resource.type === "azure-native:authorization:RoleAssignment")) {
    const { principalId, roleDefinitionId, scope } = assignment.inputs as { principalId: string; roleDefinitionId: string; scope: string };
    const roleGuid = roleDefinitionId.split("/").pop() ?? "";
    stdout(`  ${principalNames.get(principalId) ?? principalId}: ${ROLE_NAMES[roleGuid] ?? roleGuid}\n      on ${scope}`);
  }

  stdout("\nOutputs:");
  for (const [name, value] of Object.entries(outputs)) {
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    stdout(text.includes("\n") ? `  ${name}:\n    ${text.split("\n").join("\n    ")}` : `  ${name}: ${text}`);
  }

  if (args.controls !== undefined) {
    const policies = nistPolicies();
    const evaluation = await evaluatePolicies(policies, recorded, { packEnforcementLevel: PACK.enforcementLevel });
    writeFileSync(args.controls, renderControls({ stack, stackFile: stackFileName, overrides: args.set, packName: PACK.name, resources: recorded, policies, evaluation, plan: { network } }));
    const mandatory = evaluation.violations.filter((violation) => violation.enforcementLevel === "mandatory").length;
    stdout(`\nControl implementation table written to ${args.controls}: ${mandatory} mandatory violations, ${evaluation.violations.length - mandatory} advisory findings.`);
    const initiatives = Object.values(GOV_INITIATIVES).map((initiative) => `${initiative.displayName} ${initiative.id}`).join(", ");
    stdout(`Azure Government initiatives (${initiatives}; ${SNAPSHOT.repository} ${SNAPSHOT.date}): ${coverageLine(coverageOf(policies, evaluation, { network }))}`);
  }
  return 0;
}
