/**
 * What a NIST SP 800-53 review asks of the stack (issue "passes a federal security
 * review", item 2): secret expiry, resource logs, log retention and archive,
 * Entra-only log ingestion, blob versions, registry access, the job's stop grace.
 */
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, hrAccount, hrBlobService, keptAccount, keptBlobService, TYPE, named, ofType, only, runGov, type Recorded } from "./harness";

const TYPES = {
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
  deployment: "azure-native:resources:Deployment",
  lifecyclePolicy: "azure-native:storage:ManagementPolicy",
} as const;

/** The diagnostic setting watching a resource ID (fails the test unless there is exactly one). */
function diagnosticSettingOf(run: OfflineRun, resourceId: string): Recorded {
  const settings = ofType(run, TYPES.diagnosticSetting).filter((setting) => setting.inputs.resourceUri === resourceId);
  expect(settings.map((setting) => setting.name)).toHaveLength(1);
  return settings[0] as Recorded;
}

/**
 * Every retention setting tuned, each to its own value: one run serves each setting's test, and a setting
 * wired to another's resource still fails it.
 */
const TUNED_RETENTION = { logRetentionDays: "400", logArchiveDays: "2557", dataVersionDays: "45" };

let run: OfflineRun;
beforeAll(async () => {
  run = await runGov({ connectorJobId: CONNECTOR_JOB_ID });
});

describe("resource logs (AU-2, AU-12)", () => {
  it.each([
    ["Key Vault", () => only(run, TYPE.vault).id, ["AuditEvent"], undefined],
    ["the blob service", () => hrBlobService(run).id, ["StorageRead", "StorageWrite", "StorageDelete"], "Dedicated"],
    ["the kept copies' blob service", () => keptBlobService(run).id, ["StorageRead", "StorageWrite", "StorageDelete"], "Dedicated"],
    ["the registry", () => only(run, TYPE.registry).id, ["ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents"], "Dedicated"],
    ["the Container Apps environment", () => only(run, TYPE.environment).id, ["ContainerAppConsoleLogs", "ContainerAppSystemLogs"], "Dedicated"],
  ])("of %s go to the workspace, every category enabled", (_resource, resourceId, categories, destinationType) => {
    const setting = diagnosticSettingOf(run, resourceId()).inputs;
    expect(setting.workspaceId).toBe(only(run, TYPE.workspace).id);
    expect(setting.logAnalyticsDestinationType).toBe(destinationType);
    expect(setting.logs).toEqual(categories.map((category) => ({ category, enabled: true })));
  });

  it("watch the blob services of both accounts (the CSV's and the kept copies'), where blob reads and writes are logged", () => {
    expect(hrBlobService(run).id).toBe(`${hrAccount(run).id}/blobServices/default`);
    expect(keptBlobService(run).id).toBe(`${keptAccount(run).id}/blobServices/default`);
    expect(ofType(run, TYPES.diagnosticSetting)).toHaveLength(5);
  });
});

describe("Log Analytics (AU-11, AC-6)", () => {
  it("refuses ingestion that is not Entra-authenticated, and nothing in the stack holds its shared key", () => {
    expect(only(run, TYPE.workspace).inputs.features).toEqual({ disableLocalAuth: true });
    expect(JSON.stringify(only(run, TYPE.environment).inputs)).not.toMatch(/sharedKey|logAnalyticsConfiguration/);
  });

  it("keeps logs queryable 365 days and 913 days in all (OMB M-21-31: 12 months active, 18 more cold) in every table the stack writes", () => {
    expect(only(run, TYPE.workspace).inputs.retentionInDays).toBe(365);
    const archive = only(run, TYPES.deployment).inputs;
    expect(archive.resourceGroupName).toBe(only(run, "azure-native:resources:ResourceGroup").state.name);
    expect(archive.properties.mode).toBe("Incremental");
    expect(archive.properties.parameters).toEqual({ workspaceName: { value: only(run, TYPE.workspace).state.name } });
    const tables = archive.properties.template.resources as { type: string; name: string; properties: object }[];
    expect(tables.map((table) => table.name.match(/'\/(\w+)'\)]$/)?.[1]).sort()).toEqual(
      ["AzureDiagnostics", "ContainerAppConsoleLogs", "ContainerAppSystemLogs", "ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents", "StorageBlobLogs"],
    );
    for (const table of tables) {
      expect(table).toMatchObject({ type: "Microsoft.OperationalInsights/workspaces/tables", properties: { retentionInDays: 365, totalRetentionInDays: 913 } });
      expect(table.name).toMatch(/^\[concat\(parameters\('workspaceName'\), '\/\w+'\)\]$/);
    }
  });

  it("takes logRetentionDays and logArchiveDays from the stack", async () => {
    const tuned = await runGov(TUNED_RETENTION);
    expect(only(tuned, TYPE.workspace).inputs.retentionInDays).toBe(400);
    for (const table of only(tuned, TYPES.deployment).inputs.properties.template.resources) {
      expect(table.properties).toEqual({ retentionInDays: 400, totalRetentionInDays: 2557 });
    }
  });
});

describe("hr-data versions (CP-9)", () => {
  it("are kept: versioning and soft delete on the blob service", () => {
    expect(hrBlobService(run).inputs).toMatchObject({
      isVersioningEnabled: true,
      deleteRetentionPolicy: { enabled: true, days: 14 },
      containerDeleteRetentionPolicy: { enabled: true, days: 14 },
    });
  });

  it("are deleted after dataVersionDays (30), checkpoint versions after 14 days, run records after 400 days", () => {
    const lifecycle = named(run, TYPES.lifecyclePolicy, "hr-connector");
    expect(lifecycle.inputs).toMatchObject({ accountName: hrAccount(run).state.name, managementPolicyName: "default" });
    const rule = (prefix: string, actions: object) => ({ enabled: true, type: "Lifecycle", definition: { filters: { blobTypes: ["blockBlob"], prefixMatch: [prefix] }, actions } });
    expect(lifecycle.inputs.policy.rules).toEqual([
      { name: "hr-data-old-versions", ...rule("hr-data/", { version: { delete: { daysAfterCreationGreaterThan: 30 } } }) },
      { name: "hr-state-old-versions", ...rule("hr-state/", { version: { delete: { daysAfterCreationGreaterThan: 14 } } }) },
      { name: "hr-state-run-records", ...rule("hr-state/runs/", { baseBlob: { delete: { daysAfterModificationGreaterThan: 400 } } }) },
    ]);
    // Version rules are refused while versioning is off.
    expect(lifecycle.dependencies).toContain(`${TYPE.blobService}::${hrBlobService(run).name}`);
  });

  it("follow dataVersionDays", async () => {
    const tuned = await runGov(TUNED_RETENTION);
    expect(named(tuned, TYPES.lifecyclePolicy, "hr-connector").inputs.policy.rules[0].definition.actions).toEqual({ version: { delete: { daysAfterCreationGreaterThan: 45 } } });
  });
});

describe("kept copies (SI-12, SI-12(3)): HR rows kept only while a version is delivered", () => {
  it("live in an account of their own, hardened as the CSV's, tagged as transient copies", () => {
    const { tags, ...hardening } = keptAccount(run).inputs;
    expect(tags).toEqual({ "hr-connector-retention": "transient-copies" });
    expect(hardening).toEqual(hrAccount(run).inputs);
    expect(hrAccount(run).inputs.tags).toBeUndefined();
    expect(ofType(run, TYPE.container).filter((container) => container.inputs.accountName === keptAccount(run).state.name).map((container) => container.inputs)).toEqual([
      expect.objectContaining({ containerName: "hr-kept", publicAccess: "None" }),
    ]);
  });

  it("leave no version behind and are recoverable one day once deleted: what lifecycle rules cannot remove lasts a day", () => {
    expect(keptBlobService(run).inputs).toMatchObject({
      accountName: keptAccount(run).state.name,
      isVersioningEnabled: false,
      deleteRetentionPolicy: { enabled: true, days: 1 },
      containerDeleteRetentionPolicy: { enabled: true, days: 1 },
    });
  });

  it("untouched for 14 days are deleted (a version the job failed to finish that long is reported abandoned)", () => {
    const lifecycle = named(run, TYPES.lifecyclePolicy, "hr-connector-kept");
    expect(lifecycle.inputs).toMatchObject({ accountName: keptAccount(run).state.name, managementPolicyName: "default" });
    // Not written at the same time as the account's blob service settings (ARM can refuse one of two writes at once).
    expect(lifecycle.dependencies).toContain(`${TYPE.blobService}::${keptBlobService(run).name}`);
    expect(lifecycle.inputs.policy.rules).toEqual([
      {
        name: "hr-kept-copies",
        enabled: true,
        type: "Lifecycle",
        definition: { filters: { blobTypes: ["blockBlob"], prefixMatch: ["hr-kept/"] }, actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 14 } } } },
      },
    ]);
  });
});

describe("the registry (AC-3, AC-14)", () => {
  it("has no admin user and no anonymous pull", () => {
    expect(only(run, TYPE.registry).inputs).toMatchObject({ adminUserEnabled: false, anonymousPullEnabled: false });
  });
});

describe("the job's stop", () => {
  it("keeps the 4-hour replica timeout and leaves Container Apps' 30 s termination grace to the uploader's 20 s graceful stop", () => {
    const job = named(run, TYPE.job, "hr-upload").inputs;
    expect(job.configuration.replicaTimeout).toBe(4 * 60 * 60);
    expect(JSON.stringify(job)).not.toMatch(/terminationGracePeriod/i);
    // The uploader's own default (--shutdown-grace 20) applies: the job does not lengthen it past the platform's grace.
    expect(job.template.containers[0].env.map((variable: { name: string }) => variable.name)).not.toContain("HR_SHUTDOWN_GRACE");
  });
});
