/**
 * Several connectors in one stack (`connectors`): one job per connector, every
 * other resource shared. The mixed connector takes every scenario the uploader
 * knows, so it becomes a real multi-scenario file as soon as there are several.
 */
import { SCENARIOS, SCENARIO_IDS } from "../../uploader/src/csv/scenarios";
import { LOG_EVENT } from "../../uploader/src/observe/logEvents";
import { FAKE_CLIENT_SECRET_PREFIX, containsSecretEnvelope } from "../../infra/offline/mocks";
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, hrAccount, keptAccount, TYPE, named, ofType, only, runGov, type Json, type Recorded, jobGrants } from "./harness";

const MIXED_JOB_ID = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const RESIGNATIONS = { name: "resignations", connectorJobId: CONNECTOR_JOB_ID, scenario: "resignation", columns: "email=Mail", schedule: "0 5 * * *" };
const MIXED = {
  name: "mixed",
  connectorJobId: MIXED_JOB_ID,
  scenarios: SCENARIO_IDS,
  scenarioColumn: "Kind",
  scenarioValues: SCENARIO_IDS.map((id) => `${id}=${SCENARIOS[id].title}`).join(","),
  csvBlobName: "exports/mixed.csv",
};
const connectors = (...entries: object[]) => JSON.stringify(entries);
/** The entry before the wizard has given its job ID (JSON drops the undefined key). */
const pending = <T extends object>(entry: T): T => ({ ...entry, connectorJobId: undefined });

const envOf = (job: Recorded): Record<string, string | undefined> =>
  Object.fromEntries((job.inputs.template.containers[0].env as Json[]).map((variable) => [variable.name, variable.value ?? `secretRef:${variable.secretRef}`]));

let run: OfflineRun;
let resignations: Recorded;
let mixed: Recorded;
let blobEndpoint: string;
let keptContainerUrl: string;
beforeAll(async () => {
  run = await runGov({ connectors: connectors(RESIGNATIONS, MIXED), alertEmail: "hr-connector-admins@agency.gov" });
  resignations = named(run, TYPE.job, "hr-upload-resignations");
  mixed = named(run, TYPE.job, "hr-upload-mixed");
  blobEndpoint = hrAccount(run).state.primaryEndpoints.blob;
  keptContainerUrl = `${keptAccount(run).state.primaryEndpoints.blob}hr-kept`;
});

describe("two connectors", () => {
  it("get one job each, named after the connector, on its own schedule", () => {
    expect(ofType(run, TYPE.job).map((job) => job.inputs.jobName).sort()).toEqual(["hr-upload-mixed", "hr-upload-resignations"]);
    expect(resignations.inputs.configuration.scheduleTriggerConfig.cronExpression).toBe("0 5 * * *");
    // Without its own schedule a connector takes the stack's (default 0 6 * * *).
    expect(mixed.inputs.configuration.scheduleTriggerConfig.cronExpression).toBe("0 6 * * *");
  });

  it("give each job its connector's job ID, CSV blob, scenarios and columns", () => {
    expect(envOf(resignations)).toMatchObject({
      HR_JOB_ID: CONNECTOR_JOB_ID,
      HR_CSV: `${blobEndpoint}hr-data/resignations.csv`, // the default blob name is <name>.csv
      HR_SCENARIO: "resignation",
      HR_COLUMNS: "email=Mail",
    });
    expect(envOf(resignations)).not.toHaveProperty("HR_SCENARIO_COLUMN");
    expect(envOf(resignations)).not.toHaveProperty("HR_SCENARIO_VALUES");
    expect(envOf(mixed)).toMatchObject({
      HR_JOB_ID: MIXED_JOB_ID,
      HR_CSV: `${blobEndpoint}hr-data/exports/mixed.csv`,
      HR_SCENARIO: SCENARIO_IDS.join(","),
      HR_SCENARIO_COLUMN: "Kind",
      HR_SCENARIO_VALUES: MIXED.scenarioValues,
    });
    expect(envOf(mixed)).not.toHaveProperty("HR_COLUMNS");
  });

  it("share one app, secret, identity, registry, image, vault, storage account (and kept copies' account) and environment", () => {
    for (const type of [TYPE.application, TYPE.password, TYPE.secret, TYPE.registry, TYPE.image, TYPE.vault, TYPE.workspace, TYPE.environment]) {
      expect([type, ofType(run, type)]).toEqual([type, [expect.anything()]]);
    }
    expect(ofType(run, TYPE.storageAccount).map((account) => account.name)).toEqual(["hrconnector", "hrconnectorkept"]);
    for (const job of [resignations, mixed]) {
      expect(job.inputs.environmentId).toBe(only(run, TYPE.environment).id);
      expect(job.inputs.identity.userAssignedIdentities).toEqual([named(run, TYPE.identity, "hr-upload").id]);
      expect(job.inputs.template.containers[0].image).toBe(only(run, TYPE.image).state.ref);
      expect(envOf(job)).toMatchObject({ HR_APP_ID: only(run, TYPE.application).state.clientId, HR_CHECKPOINT: `${blobEndpoint}hr-state`, HR_KEPT_CONTAINER: keptContainerUrl, HR_APP_SECRET: "secretRef:hr-app-secret" });
    }
  });

  it("keep the five grants (hr-data is granted as a container, so it covers both blobs), and both jobs wait for them", () => {
    const grants = jobGrants(run);
    expect(grants.map((grant) => grant.inputs.scope).sort()).toEqual(
      [only(run, TYPE.registry).id, only(run, TYPE.secret).id, named(run, TYPE.container, "hr-data").id, named(run, TYPE.container, "hr-state").id, named(run, TYPE.container, "hr-kept").id].sort(),
    );
    const grantKeys = grants.map((grant) => `${grant.type}::${grant.name}`);
    for (const job of [resignations, mixed]) expect(job.dependencies).toEqual(expect.arrayContaining(grantKeys));
  });

  it("put no secret in any job", () => {
    for (const job of [resignations, mixed]) {
      expect(containsSecretEnvelope(job.rawInputs)).toBe(false);
      expect(JSON.stringify(job.rawInputs)).not.toContain(FAKE_CLIENT_SECRET_PREFIX);
    }
  });
});

describe("alerts of two connectors", () => {
  it("watch each job for failed executions", () => {
    expect(ofType(run, TYPE.metricAlert).map((alert) => [alert.name, alert.inputs.scopes])).toEqual([
      ["hr-upload-resignations-failed-execution", [resignations.id]],
      ["hr-upload-mixed-failed-execution", [mixed.id]],
    ]);
  });

  it("watch each job for a missing success, by the job ID the uploader logs in its summary", () => {
    for (const [ruleName, jobId, otherJobId] of [
      ["hr-upload-resignations-no-success", CONNECTOR_JOB_ID, MIXED_JOB_ID],
      ["hr-upload-mixed-no-success", MIXED_JOB_ID, CONNECTOR_JOB_ID],
    ]) {
      const [condition] = named(run, TYPE.queryRule, ruleName as string).inputs.criteria.allOf;
      expect(condition.query).toContain(`tostring(entry.event) == "${LOG_EVENT.summary}" and tostring(entry.jobId) =~ "${jobId}"`);
      expect(condition.query).not.toContain(otherJobId);
    }
  });

  it("raise the uploader's warnings once for all jobs, through one action group", () => {
    const warnings = ofType(run, TYPE.queryRule).filter((rule) => !rule.name.endsWith("-no-success"));
    expect(warnings.map((rule) => rule.name).sort()).toEqual(["hr-upload-abandoned", "hr-upload-profile-stale", "hr-upload-records-not-saved", "hr-upload-secret-expiring"]);
    expect(named(run, TYPE.queryRule, "hr-upload-profile-stale").inputs.criteria.allOf[0].query).toContain(`tostring(entry.event) == "${LOG_EVENT.profileStale}"`);
    const actionGroup = only(run, TYPE.actionGroup);
    for (const rule of ofType(run, TYPE.queryRule)) expect(rule.inputs.actions).toEqual({ actionGroups: [actionGroup.id] });
  });
});

describe("outputs of two connectors", () => {
  it("map each connector to its job and CSV URL, instead of the single-connector outputs", () => {
    expect(Object.keys(run.outputs).sort()).toEqual(["appClientId", "csvUploadUrls", "dashboardUrl", "jobNames", "nextSteps", "secretExpiresOn", "tenantId"]);
    expect(run.outputs.jobNames).toEqual({ resignations: "hr-upload-resignations", mixed: "hr-upload-mixed" });
    expect(run.outputs.csvUploadUrls).toEqual({ resignations: envOf(resignations).HR_CSV, mixed: envOf(mixed).HR_CSV });
  });

  it("tell, per connector, where its CSV goes and how to run its job", () => {
    const nextSteps = run.outputs.nextSteps as string;
    const resourceGroup = only(run, "azure-native:resources:ResourceGroup").state.name;
    expect(nextSteps).toContain('Connector "resignations":');
    expect(nextSteps).toContain(`--container-name hr-data --name resignations.csv --file <file.csv>`);
    expect(nextSteps).toContain(`az containerapp job start --name hr-upload-resignations --resource-group ${resourceGroup}`);
    expect(nextSteps).toContain('Connector "mixed":');
    expect(nextSteps).toContain(`--container-name hr-data --name exports/mixed.csv --file <file.csv>`);
    expect(nextSteps).toContain(`az containerapp job start --name hr-upload-mixed --resource-group ${resourceGroup}`);
  });
});

describe("a connector without its job ID yet", () => {
  let firstPass: OfflineRun;
  let nextSteps: string;
  beforeAll(async () => {
    firstPass = await runGov({ connectors: connectors(RESIGNATIONS, pending(MIXED)) });
    nextSteps = firstPass.outputs.nextSteps as string;
  });

  it("has no job and no alerts, while the other connector has both", () => {
    expect(ofType(firstPass, TYPE.job).map((job) => job.name)).toEqual(["hr-upload-resignations"]);
    expect(ofType(firstPass, TYPE.metricAlert).map((alert) => alert.name)).toEqual(["hr-upload-resignations-failed-execution"]);
    expect(firstPass.outputs.jobNames).toEqual({ resignations: "hr-upload-resignations" });
    expect(Object.keys(firstPass.outputs.csvUploadUrls as object)).toEqual(["resignations", "mixed"]);
  });

  it("gets its wizard entries and the command that sets its job ID by list position", () => {
    const mixedSteps = nextSteps.slice(nextSteps.indexOf('Connector "mixed":'));
    expect(mixedSteps).toContain(`App ID: ${only(firstPass, TYPE.application).state.clientId}`);
    expect(mixedSteps).toContain(`Data types: ${SCENARIO_IDS.map((id) => SCENARIOS[id].title).join(", ")}`);
    expect(mixedSteps).toContain("pulumi config set --path 'connectors[1].connectorJobId' <job-id> && pulumi up");
    expect(nextSteps).not.toContain("pulumi config set connectorJobId");
  });

  it("gets the scenario column, its values and each scenario's column names for a multi-scenario file", () => {
    const values = SCENARIO_IDS.map((id) => `${SCENARIOS[id].title} = "${SCENARIOS[id].title}"`).join(", ");
    expect(nextSteps).toContain(`scenario column: Kind; its value per scenario: ${values}`);
    expect(nextSteps).toContain("Employee resignation column names: EmailAddress, TerminationDate, LastWorkingDate");
    expect(nextSteps).toContain("Job level change column names: EmailAddress, EffectiveDate, Remarks, OldLevel, NewLevel");
    // One file, one column per field: the PIP's remarks and rating share the Remarks and Rating columns (Learn's mixed sample).
    expect(nextSteps).toContain("Performance improvement plan column names: EmailAddress, EffectiveDate, Remarks, Rating");
    expect(nextSteps).toContain("Employee profile column names: EmailAddress, EmployeeFirstName, EmployeeLastName, EmployeeAddressLine1,");
  });
});

describe("both connectors waiting for their job IDs", () => {
  it("list each connector's wizard entries, with its own column names", async () => {
    const firstPass = await runGov({ connectors: connectors(pending(RESIGNATIONS), pending(MIXED)) });
    for (const type of [TYPE.job, TYPE.image, TYPE.metricAlert, TYPE.queryRule, TYPE.actionGroup]) expect([type, ofType(firstPass, type)]).toEqual([type, []]);
    const nextSteps = firstPass.outputs.nextSteps as string;
    expect(nextSteps.match(/App ID: /g)).toHaveLength(2);
    expect(nextSteps).toContain("File mapping, column names: Mail, TerminationDate, LastWorkingDate");
    expect(nextSteps).toContain("pulumi config set --path 'connectors[0].connectorJobId' <job-id> && pulumi up");
    expect(nextSteps).toContain("pulumi config set --path 'connectors[1].connectorJobId' <job-id> && pulumi up");
    expect(firstPass.outputs.jobNames).toEqual({});
  });
});

describe("a multi-scenario connector without its own scenario column or values", () => {
  it("is told the uploader's defaults, Learn's HRScenario and values", async () => {
    const run = await runGov({ connectors: connectors({ name: "reviews", scenarios: ["job-level-change", "performance-review"] }) });
    const nextSteps = run.outputs.nextSteps as string;
    expect(nextSteps).toContain('scenario column: HRScenario; its value per scenario: Job level change = "Job level change", Performance review = "Performance review"');
  });

  it("has a mistyped scenarioValues refused at pulumi up, not at the first run", async () => {
    await expect(runGov({ connectors: connectors({ name: "reviews", scenarios: ["job-level-change", "performance-review"], scenarioValues: "resignation=Quit" }) })).rejects.toThrow(
      /connectors\[0\]\.scenarioValues "resignation=Quit": "resignation" is not one of this file's scenarios/,
    );
  });
});
