import { DASHBOARD_PARAMETER, DASHBOARD_WARNINGS, queryItems, type WorkbookDefinition } from "../../infra/dashboardDefinition";
import { stableGuid } from "../../infra/dashboard";
import { OFFLINE_IDS } from "../../infra/offline/mocks";
import { LOG_EVENT } from "../../uploader/src/observe/logEvents";
import { jsonLines, runCli } from "../support/cli";
import { generatedCsv, UploadHarness } from "../support/standin";
import { CONNECTOR_JOB_ID, TYPE, only, runGov, type Json } from "./harness";
import { kqlErrorsOf, kqlResultColumnsOf } from "./kusto";

const TWO_CONNECTORS = JSON.stringify([
  { name: "resignations", connectorJobId: CONNECTOR_JOB_ID },
  { name: "reviews", connectorJobId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", scenario: "performance-review", schedule: "30 7 * * *" },
]);

/** A query as the workbook runs it: `{Connector}` replaced by the chosen job names, quoted as the parameter says. */
const withConnectors = (query: string, jobNames: readonly string[]) => query.replaceAll(`{${DASHBOARD_PARAMETER.connector}}`, jobNames.map((name) => `'${name}'`).join(","));

/** The fields of the uploader's log line that a query reads (`entry.<field>`). */
const entryFieldsOf = (query: string) => [...query.matchAll(/entry\.(\w+)/g)].map((match) => match[1] as string);

/** What each step must show: the columns of its result. */
const SHOWN: Record<string, string[]> = {
  "last-run": ["JobName", "TimeGenerated", "outcome", "delivered"],
  "runs-per-day": ["TimeGenerated", "outcome", "runs"],
  "records-per-run": ["TimeGenerated", "JobName", "recordsDelivered", "recordsRead", "durationSeconds", "retries"],
  failures: ["TimeGenerated", "JobName", "errorClass", "exitCode"],
  warnings: ["event", "occurrences", "latest", "daysLeft"],
};

describe.each([
  ["one connector", { connectorJobId: CONNECTOR_JOB_ID }, ["hr-upload"], ["0 6 * * * UTC"], "client secret, expires 2027-04-30"],
  ["two connectors", { connectors: TWO_CONNECTORS }, ["hr-upload-resignations", "hr-upload-reviews"], ["resignations: 0 6 * * * UTC", "reviews: 30 7 * * * UTC"], "client secret, expires 2027-04-30"],
  ["a private network, federated", { connectorJobId: CONNECTOR_JOB_ID, network: "private", credential: "federated", secretRotation: undefined, "azuread:tenantId": OFFLINE_IDS.azureTenantId }, ["hr-upload"], ["0 6 * * * UTC"], "federated: no secret"],
] as const)("the dashboard of a stack with %s", (_shape, overrides, jobNames, schedules, credential) => {
  let workbook: Json;
  let definition: WorkbookDefinition;
  let outputs: Json;
  let workspaceId: string;
  beforeAll(async () => {
    const run = await runGov(overrides);
    workbook = only(run, TYPE.workbook);
    definition = JSON.parse(workbook.inputs.serializedData as string) as WorkbookDefinition;
    outputs = run.outputs;
    workspaceId = String(only(run, TYPE.workspace).id).toLowerCase();
  });

  it("is one shared workbook on the stack's Log Analytics workspace, under a GUID stable across deployments", () => {
    expect(workbook.inputs).toMatchObject({ kind: "shared", category: "workbook", version: "Notebook/1.0", sourceId: workspaceId, displayName: "HR connector: hr-connector/gov", resourceName: stableGuid("hr-connector dashboard hr-connector/gov") });
    expect(workbook.inputs.resourceName).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(definition.fallbackResourceIds).toEqual([workspaceId]);
    for (const item of queryItems(definition)) expect(item.content).toMatchObject({ crossComponentResources: [workspaceId], resourceType: "microsoft.operationalinsights/workspaces", timeContextFromParameter: "TimeRange" });
  });

  it("links to it in Azure Government's portal (stack output dashboardUrl)", () => {
    expect(outputs.dashboardUrl).toBe(`https://portal.azure.us/#@${OFFLINE_IDS.azureTenantId}/resource${workbook.id}/workbook`);
  });

  it("offers each connector's job in the connector selector, all chosen", () => {
    const connector = (definition.items.find((item) => item.type === 9)?.content.parameters ?? []).find((parameter) => parameter.name === DASHBOARD_PARAMETER.connector);
    expect(connector).toMatchObject({ type: 2, multiSelect: true, quote: "'", delimiter: ",", value: jobNames });
    expect((JSON.parse(String(connector?.jsonData)) as Json[]).map((option) => option.value)).toEqual(jobNames);
  });

  it("shows the schedule and the credential in its header", () => {
    const header = definition.items.find((item) => item.type === 1)?.content.json ?? "";
    for (const schedule of schedules) expect(header).toContain(schedule);
    expect(header).toContain(`| Credential | ${credential} |`);
  });

  it("asks only valid KQL of the console-log table, and each step's result has the columns it shows", () => {
    const steps = queryItems(definition);
    expect(steps.map((step) => step.name)).toEqual(Object.keys(SHOWN));
    for (const step of steps) {
      const query = withConnectors(step.content.query, jobNames);
      expect({ step: step.name, errors: kqlErrorsOf(query) }).toEqual({ step: step.name, errors: [] });
      expect({ step: step.name, columns: kqlResultColumnsOf(query) }).toEqual({ step: step.name, columns: expect.arrayContaining(SHOWN[step.name] as string[]) });
      expect(step.content.query).toMatch(/, ContainerAppConsoleLogs\n\| extend entry = parse_json\(Log\)\n/);
    }
  });
});

describe("the dashboard's queries and the uploader's log lines", () => {
  let harness: UploadHarness;
  beforeAll(async () => {
    harness = await UploadHarness.start();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("read only fields that a real run's summary and warning events carry", async () => {
    const run = await runGov({ connectorJobId: CONNECTOR_JOB_ID });
    const definition = JSON.parse(only(run, TYPE.workbook).inputs.serializedData as string) as WorkbookDefinition;
    const csv = await generatedCsv(6, 5);
    const delivered = jsonLines((await runCli(harness.args(csv, "--log-format", "json"), harness.env({ HR_SECRET_EXPIRES_ON: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10) }))).stdout);
    const failed = jsonLines((await runCli(harness.args(csv, "--log-format", "json", "--force"), harness.env({ HR_APP_SECRET: "not-the-app-secret" }))).stdout);
    const summaryFields = new Set([delivered, failed].flatMap((lines) => Object.keys(lines.at(-1) ?? {})));
    const warningFields = new Set(delivered.filter((line) => line.event === LOG_EVENT.secretExpiring).flatMap((line) => Object.keys(line)));
    expect({ failedRun: failed.at(-1) }).toEqual({ failedRun: expect.objectContaining({ event: "summary", outcome: "failed", errorClass: expect.any(String), exitCode: expect.any(Number) }) });
    for (const step of queryItems(definition)) {
      const carried = step.name === "warnings" ? warningFields : summaryFields;
      for (const field of entryFieldsOf(step.content.query)) expect({ step: step.name, field, carried: carried.has(field) }).toEqual({ step: step.name, field, carried: true });
    }
    expect(DASHBOARD_WARNINGS).toEqual([LOG_EVENT.possiblyDuplicated, LOG_EVENT.abandoned, LOG_EVENT.recordsNotSaved, LOG_EVENT.profileStale, LOG_EVENT.secretExpiring]);
  });
});
