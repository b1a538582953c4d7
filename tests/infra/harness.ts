/**
 * Shared test harness: runs infra/index.ts under the offline mocks with the
 * Gov stack file's values (Pulumi.gov.yaml, read rather than retyped) plus
 * per-test overrides.
 */
import { OFFLINE_IDS, type RecordedResource } from "../../infra/offline/mocks";
import hrConnector from "../../infra/index";
import { runOffline, type OfflineRun } from "../../infra/offline/run";
import { PROJECT } from "../../infra/offline/stackFile";
import { GOV_STACK } from "./govStackFile";

/** What the Purview wizard would show; any GUID. */
export const CONNECTOR_JOB_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

export const TYPE = {
  application: "azuread:index/application:Application",
  servicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
  password: "azuread:index/applicationPassword:ApplicationPassword",
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
  storageAccount: "azure-native:storage:StorageAccount",
  blobService: "azure-native:storage:BlobServiceProperties",
  container: "azure-native:storage:BlobContainer",
  workspace: "azure-native:operationalinsights:Workspace",
  environment: "azure-native:app:ManagedEnvironment",
  registry: "azure-native:containerregistry:Registry",
  image: "pulumi-nodejs:dynamic/hr-connector:OciImage",
  grantPropagation: "pulumi-nodejs:dynamic/hr-connector:GrantPropagation",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  job: "azure-native:app:Job",
  actionGroup: "azure-native:monitor:ActionGroup",
  metricAlert: "azure-native:monitor:MetricAlert",
  queryRule: "azure-native:monitor:ScheduledQueryRule",
  workbook: "azure-native:applicationinsights:Workbook",
} as const;

/**
 * The Gov stack's config with overrides; unprefixed keys are project keys,
 * and `undefined` removes a key.
 */
export function govConfig(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const config = { ...GOV_STACK };
  for (const [key, value] of Object.entries(overrides)) {
    const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
    if (value === undefined) delete config[fullKey];
    else config[fullKey] = value;
  }
  return config;
}

/**
 * Runs by config, shared by every spec that runs the stack (one Jest file, tests/offlineStack.test.ts). The program
 * is deterministic offline, and a run costs about a second of CPU: tests that need the same configuration share one
 * run (frozen, so no test can change what another reads).
 */
const runsByConfig = new Map<string, Promise<OfflineRun>>();

/** The run of the program with the Gov stack's config and these overrides (one per distinct config in the Jest run's file). */
export function runGov(overrides: Record<string, string | undefined> = {}): Promise<OfflineRun> {
  const config = govConfig(overrides);
  const key = JSON.stringify(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
  let run = runsByConfig.get(key);
  if (run === undefined) {
    run = runOffline("gov", config, hrConnector).then((result) => {
      // The program's own outputs are Pulumi Outputs, left as they are; what the mocks recorded is plain JSON.
      deepFreeze(result.resources);
      deepFreeze(result.outputs);
      return result;
    });
    runsByConfig.set(key, run);
  }
  return run;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const item of Object.values(value)) deepFreeze(item);
}

/** Recorded inputs and state are untyped JSON; tests navigate them freely and assert on the values. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;
export interface Recorded extends RecordedResource {
  readonly inputs: Json;
  readonly state: Json;
}

export function ofType(run: OfflineRun, type: string): Recorded[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** The one resource of a type (fails the test if there are none or several). */
export function only(run: OfflineRun, type: string): Recorded {
  const found = ofType(run, type);
  expect(found.map((resource) => resource.name)).toHaveLength(1);
  return found[0] as Recorded;
}

/** The resource of a type with a given name (fails the test if absent). */
export function named(run: OfflineRun, type: string, name: string): Recorded {
  const resource = ofType(run, type).find((candidate) => candidate.name === name);
  expect(resource).toBeDefined();
  return resource as Recorded;
}

/** The account of hr-data and hr-state, and its blob service and lifecycle policy. */
export const hrAccount = (run: OfflineRun): Recorded => named(run, TYPE.storageAccount, "hrconnector");
export const hrBlobService = (run: OfflineRun): Recorded => named(run, TYPE.blobService, "hr-connector");
/** The account of the uploader's kept copies (hr-kept), and its blob service. */
export const keptAccount = (run: OfflineRun): Recorded => named(run, TYPE.storageAccount, "hrconnectorkept");
export const keptBlobService = (run: OfflineRun): Recorded => named(run, TYPE.blobService, "hr-connector-kept");

/** The role assignments of the jobs' identity (the encryption identity has its own, on the keys). */
export function jobGrants(run: OfflineRun): Recorded[] {
  const principalId: unknown = named(run, TYPE.identity, "hr-upload").state.principalId;
  return ofType(run, TYPE.roleAssignment).filter((grant) => grant.inputs.principalId === principalId);
}

/** The shapes every Gov setting is checked in (overrides of the Gov stack file). */
export const STACK_SHAPES: Readonly<Record<string, Record<string, string | undefined>>> = {
  "one connector": { connectorJobId: CONNECTOR_JOB_ID },
  "several connectors": {
    connectors: JSON.stringify([
      { name: "resignations", connectorJobId: CONNECTOR_JOB_ID },
      { name: "reviews", connectorJobId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", scenarios: ["job-level-change", "performance-review"] },
    ]),
  },
  "a private network": { connectorJobId: CONNECTOR_JOB_ID, network: "private" },
  "a prebuilt image": { connectorJobId: CONNECTOR_JOB_ID, image: "example.azurecr.us/hr-upload:1.0.0" },
  "a federated credential": { connectorJobId: CONNECTOR_JOB_ID, credential: "federated", secretRotation: undefined, "azuread:tenantId": OFFLINE_IDS.azureTenantId },
};
