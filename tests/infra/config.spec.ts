import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SCENARIO_IDS } from "../../uploader/src/csv/scenarios";
import { addDays, cronProblem, loadConfig, type ConfigSource } from "../../infra/config";
import { DEFAULT_IMAGE_BASE } from "../../scripts/lib/imageBase";
import { literal } from "../support/literal";

const source = (values: Record<string, string>): ConfigSource => ({ get: (key) => values[key] });
const GCCH = { project: { secretRotation: "2026-11-01" }, azureNative: { location: "usgovvirginia" }, azuread: { environment: "usgovernment" } };

function load(project: Record<string, string> = {}, azuread: Record<string, string> = GCCH.azuread, azureNative: Record<string, string> = GCCH.azureNative) {
  return loadConfig(source({ ...GCCH.project, ...project }), source(azureNative), source(azuread));
}

describe("loadConfig", () => {
  it("fills the code-level defaults, because mocks do not apply Pulumi.yaml", () => {
    expect(load()).toEqual({
      cloud: "gcch",
      azureEnvironment: "public",
      entraEnvironment: "usgovernment",
      location: "usgovvirginia",
      network: "public",
      vnetAddressSpace: "10.42.0.0/24",
      logRetentionDays: 365,
      logArchiveDays: 913,
      dataVersionDays: 30,
      credential: { kind: "secret", rotation: "2026-11-01", lifetimeDays: 180, expiresOn: "2027-04-30" },
      alertEmail: undefined,
      image: undefined,
      imageBase: DEFAULT_IMAGE_BASE,
      recordsPerCall: undefined,
      connectorLayout: "single",
      connectors: [
        {
          name: undefined,
          resourceName: "hr-upload",
          jobName: "hr-upload",
          connectorJobId: undefined,
          connectorJobIdKey: "connectorJobId",
          schedule: "0 6 * * *",
          csvBlobName: "employees.csv",
          scenarios: ["resignation"],
          scenario: undefined,
          scenarioColumn: undefined,
          scenarioValues: undefined,
          columns: undefined,
          wizardColumns: [{ scenario: "resignation", columns: ["EmailAddress", "TerminationDate", "LastWorkingDate"] }],
        },
      ],
    });
  });

  it("has the same defaults as Pulumi.yaml for the federal-review keys", () => {
    const project = parse(readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8")) as { config: Record<string, { default: unknown }> };
    const config = load();
    for (const key of ["network", "vnetAddressSpace", "logRetentionDays", "logArchiveDays", "dataVersionDays"] as const) {
      expect([key, project.config[key]?.default]).toEqual([key, config[key]]);
    }
  });

  it("treats the empty Pulumi.yaml defaults of optional keys as unset", () => {
    const config = load({ connectorJobId: "", alertEmail: "", image: "", recordsPerCall: "", scenario: "", columns: "", connectors: "[]" });
    const [connector] = config.connectors;
    expect([connector?.connectorJobId, config.alertEmail, config.image, config.recordsPerCall, connector?.scenario, connector?.columns]).toEqual(Array(6).fill(undefined));
    expect(config.connectorLayout).toBe("single");
  });

  it.each([
    ["gcch", "usgovernment"],
    ["gcch", "usgovernmentl4"],
    ["dod", "dod"],
    ["dod", "usgovernmentl5"],
    ["gcc", "public"],
    ["commercial", "global"],
  ])("accepts cloud %s with azuread:environment %s", (cloud, environment) => {
    expect(load({ cloud }, { environment }).cloud).toBe(cloud);
  });

  it.each([
    ["gcch", "public", /azuread:environment "public" cannot sign in to GCC High tenants.*usgovernment/],
    ["gcc", "usgovernment", /azuread:environment "usgovernment" cannot sign in to GCC tenants.*public/],
    ["dod", "usgovernment", /azuread:environment "usgovernment" cannot sign in to DoD tenants.*dod/],
    ["commercial", "dod", /cannot sign in to Commercial tenants/],
  ])("refuses cloud %s with azuread:environment %s", (cloud, environment, message) => {
    expect(() => load({ cloud }, { environment })).toThrow(message);
  });

  it("defaults azuread:environment to public like the provider, so GCC High without it is refused", () => {
    expect(() => load({}, {})).toThrow(/azuread:environment "public" cannot sign in to GCC High/);
  });

  it("accepts any GUID version and variant as connectorJobId", () => {
    expect(load({ connectorJobId: "00000000-0000-0000-0000-000000000000" }).connectors[0]?.connectorJobId).toBe("00000000-0000-0000-0000-000000000000");
    expect(load({ connectorJobId: "ABCDEF01-2345-6789-abcd-ef0123456789" }).connectors[0]?.connectorJobId).toBe("ABCDEF01-2345-6789-abcd-ef0123456789");
  });

  it.each([
    [{ cloud: "gcc-high" }, /cloud "gcc-high" must be one of commercial, gcc, gcch, dod/],
    [{ connectorJobId: "not-a-guid" }, /connectorJobId "not-a-guid" is not a GUID/],
    [{ connectorJobId: "6f1c2a3b4d5e4f608a7b9c0d1e2f3a4b" }, /connectorJobId/],
    [{ secretRotation: "2026-02-30" }, /secretRotation "2026-02-30" must be a calendar date yyyy-mm-dd/],
    [{ secretRotation: "2026-11-01T00:00:00Z" }, /secretRotation/],
    [{ secretRotation: "" }, /secretRotation is not set/],
    [{ secretLifetimeDays: "0" }, /secretLifetimeDays "0"/],
    [{ secretLifetimeDays: "731" }, /secretLifetimeDays "731"/],
    [{ secretLifetimeDays: "90.5" }, /secretLifetimeDays "90.5"/],
    [{ alertEmail: "ops" }, /alertEmail "ops" is not an email address/],
    [{ csvBlobName: "/employees.csv" }, /csvBlobName/],
    [{ jobName: "a".repeat(32) }, /jobName "a{32}" must be 2-31/],
    [{ jobName: "HR-upload" }, /jobName/],
    [{ jobName: "hr--upload" }, /jobName/],
    [{ jobName: "hr-upload-" }, /jobName/],
    [{ jobName: "1hr" }, /jobName/],
    [{ recordsPerCall: "many" }, /recordsPerCall "many" must be a positive whole number/],
    [{ scenario: "promotion" }, /scenario "promotion" must be one of resignation/],
    [{ columns: "mail=Mail" }, /columns "mail=Mail": unknown field "mail"/],
    [{ schedule: "0 6 * *" }, /schedule "0 6 \* \*" must have 5 fields/],
    [{ network: "hybrid" }, /network "hybrid" must be public or private/],
    [{ network: "private", vnetAddressSpace: "10.42.0.0/25" }, /vnetAddressSpace "10.42.0.0\/25" is too small: it must be a \/24 or larger/],
    [{ network: "private", vnetAddressSpace: "10.42.0.1/24" }, /vnetAddressSpace "10.42.0.1\/24" is not the start of a \/24 range/],
    [{ network: "private", vnetAddressSpace: "10.42.0.0" }, /vnetAddressSpace "10.42.0.0" must be an IPv4 range/],
    [{ network: "private", vnetAddressSpace: "10.256.0.0/16" }, /vnetAddressSpace "10.256.0.0\/16" must be an IPv4 range/],
    [{ logRetentionDays: "29" }, /logRetentionDays "29" must be a whole number of days from 30 to 730/],
    [{ logRetentionDays: "731" }, /logRetentionDays "731"/],
    [{ logArchiveDays: "364" }, /logArchiveDays "364" must be a whole number of days from 365 to 4383/],
    [{ logRetentionDays: "90", logArchiveDays: "4384" }, /logArchiveDays "4384" must be a whole number of days from 90 to 4383/],
    [{ dataVersionDays: "0" }, /dataVersionDays "0" must be a whole number of days from 1 to 3650/],
  ])("rejects %j", (project, message) => {
    expect(() => load(project)).toThrow(message);
  });

  it("reports every problem in one message", () => {
    expect(() => load({ cloud: "gcc", jobName: "X", alertEmail: "ops" })).toThrow(
      /Invalid hr-connector stack configuration:\n {2}- azuread:environment "usgovernment" cannot sign in to GCC tenants[^\n]*\n {2}- alertEmail "ops"[^\n]*\n {2}- jobName "X"/,
    );
  });

  it("accepts a 31-character job name", () => {
    expect(load({ jobName: `h${"r".repeat(29)}1` }).connectors[0]?.jobName).toHaveLength(31);
  });

  it("reads the Azure cloud from azure-native:environment in any of the provider's spellings, and refuses one it cannot serve", () => {
    for (const environment of ["usgovernment", "AzureUSGovernment", "usgov"]) {
      expect(load({}, GCCH.azuread, { ...GCCH.azureNative, environment }).azureEnvironment).toBe("usgovernment");
    }
    expect(load({}, GCCH.azuread, { ...GCCH.azureNative, environment: "public" }).azureEnvironment).toBe("public");
    expect(() => load({}, GCCH.azuread, { ...GCCH.azureNative, environment: "china" })).toThrow(/azure-native:environment "china" is not supported: use public or usgovernment/);
  });

  it("ignores vnetAddressSpace unless the network is private", () => {
    expect(load({ vnetAddressSpace: "not a range" }).network).toBe("public");
    expect(load({ network: "private", vnetAddressSpace: "172.16.8.0/22" })).toMatchObject({ network: "private", vnetAddressSpace: "172.16.8.0/22" });
  });

  it("requires azure-native:location", () => {
    expect(() => load({}, GCCH.azuread, {})).toThrow(/azure-native:location is not set/);
  });

  it("takes the wizard's column names from `columns` where it remaps them", () => {
    expect(load({ columns: "email=Mail,lastWorkingDate=LastDay" }).connectors[0]?.wizardColumns).toEqual([{ scenario: "resignation", columns: ["Mail", "TerminationDate", "LastDay"] }]);
  });
});

describe("connectors", () => {
  const JOB_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
  const OTHER_JOB_ID = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
  const loadConnectors = (entries: unknown, project: Record<string, string> = {}) => load({ connectors: JSON.stringify(entries), ...project });
  /** The whole message: exactly one problem, stated once. */
  const onlyProblem = (problem: string) => new RegExp(`^Invalid hr-connector stack configuration:\\n {2}- ${literal(problem)}$`);

  it("makes one connector per entry, each with its job name, blob, schedule and wizard columns", () => {
    const config = loadConnectors([
      { name: "resignations", connectorJobId: JOB_ID, columns: "email=Mail" },
      { name: "leavers", scenarios: ["resignation"], csvBlobName: "exports/leavers.csv", schedule: "30 2 * * *", scenarioColumn: "Kind", scenarioValues: "resignation=Left" },
    ]);
    expect(config.connectorLayout).toBe("list");
    expect(config.connectors).toEqual([
      expect.objectContaining({
        name: "resignations",
        resourceName: "hr-upload-resignations",
        jobName: "hr-upload-resignations",
        connectorJobId: JOB_ID,
        connectorJobIdKey: "--path 'connectors[0].connectorJobId'",
        schedule: "0 6 * * *",
        csvBlobName: "resignations.csv",
        scenarios: ["resignation"],
        scenario: undefined,
        wizardColumns: [{ scenario: "resignation", columns: ["Mail", "TerminationDate", "LastWorkingDate"] }],
      }),
      expect.objectContaining({
        name: "leavers",
        jobName: "hr-upload-leavers",
        connectorJobId: undefined,
        connectorJobIdKey: "--path 'connectors[1].connectorJobId'",
        schedule: "30 2 * * *",
        csvBlobName: "exports/leavers.csv",
        scenario: "resignation",
        scenarioColumn: "Kind",
        scenarioValues: "resignation=Left",
      }),
    ]);
  });

  it("takes the stack's schedule as every connector's default, and jobName as the prefix of their job names", () => {
    const [connector] = loadConnectors([{ name: "a1" }], { schedule: "15 4 * * *", jobName: "hr" }).connectors;
    expect(connector).toMatchObject({ jobName: "hr-a1", schedule: "15 4 * * *" });
  });

  it("accepts a 31-character job name and the single-connector keys left at their defaults", () => {
    const config = loadConnectors([{ name: "x".repeat(21) }], { csvBlobName: "employees.csv", scenario: "resignation", connectorJobId: "" });
    expect(config.connectors[0]?.jobName).toHaveLength(31);
  });

  it.each([
    ["connectors with connectorJobId", [{ name: "a" }], { connectorJobId: JOB_ID }, "connectors cannot be combined with connectorJobId: each connector sets its own; remove the single-connector key: pulumi config rm connectorJobId"],
    ["duplicate names", [{ name: "a" }, { name: "a", csvBlobName: "b.csv" }], {}, 'connectors must not share a name: "a" appears more than once'],
    ["duplicate job IDs", [{ name: "a", connectorJobId: JOB_ID }, { name: "b", connectorJobId: JOB_ID.toUpperCase() }], {}, `connectors must not share a connectorJobId: "${JOB_ID}" appears more than once`],
    ["duplicate blob names", [{ name: "a", csvBlobName: "hr.csv" }, { name: "b", csvBlobName: "hr.csv" }], {}, 'connectors must not share a csvBlobName: "hr.csv" appears more than once'],
    ["a blob name taken by another's default", [{ name: "a" }, { name: "b", csvBlobName: "a.csv" }], {}, 'connectors must not share a csvBlobName: "a.csv" appears more than once'],
    ["a name too long for a job name", [{ name: "x".repeat(22) }], {}, `connectors[0].name "${"x".repeat(22)}" gives the job name "hr-upload-${"x".repeat(22)}", which must be 2-31 lowercase letters, digits or '-', start with a letter, end with a letter or digit and contain no "--"`],
    ["a name with capitals", [{ name: "Leavers" }], {}, `connectors[0].name "Leavers" gives the job name "hr-upload-Leavers", which must be 2-31 lowercase letters, digits or '-', start with a letter, end with a letter or digit and contain no "--"`],
    ["an unknown scenario", [{ name: "a" }, { name: "b", scenarios: ["resignation", "promotion"] }], {}, `connectors[1].scenarios "promotion" must be one of ${SCENARIO_IDS.join(", ")}`],
    ["scenario and scenarios", [{ name: "a", scenario: "resignation", scenarios: ["resignation"] }], {}, "connectors[0].scenario and connectors[0].scenarios are alternatives: set one"],
    ["a name missing", [{ connectorJobId: JOB_ID }], {}, "connectors[0].name is not set (it names the connector's job and CSV blob)"],
    ["an unknown key", [{ name: "a", jobID: OTHER_JOB_ID }], {}, "connectors[0] has unknown keys jobID (known: name, connectorJobId, scenario, scenarios, scenarioColumn, scenarioValues, columns, csvBlobName, schedule)"],
    ["a value of the wrong type", [{ name: "a", schedule: 6 }], {}, "connectors[0].schedule must be text"],
    ["a bad job ID", [{ name: "a", connectorJobId: "42" }], {}, 'connectors[0].connectorJobId "42" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)'],
    ["a bad schedule", [{ name: "a", schedule: "daily" }], {}, 'connectors[0].schedule "daily" must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * *"'],
    ["unknown columns", [{ name: "a", columns: "mail=Mail" }], {}, 'connectors[0].columns "mail=Mail": unknown field "mail" for scenario resignation (fields: email, terminationDate, lastWorkingDate)'],
    ["not a list", { name: "a" }, {}, "connectors must be a list of connectors, each with name, connectorJobId, scenario, scenarios, scenarioColumn, scenarioValues, columns, csvBlobName, schedule"],
  ])("refuses %s with one clear message", (_case, entries, project, problem) => {
    expect(() => loadConnectors(entries, project)).toThrow(onlyProblem(problem));
  });
});

describe("secret expiry", () => {
  it("adds the lifetime to the rotation date by calendar, across month, year and leap day", () => {
    expect(load({ secretRotation: "2027-12-15", secretLifetimeDays: "30" }).credential).toMatchObject({ expiresOn: "2028-01-14" });
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2027-02-28", 1)).toBe("2027-03-01");
  });

  it("does not depend on the current time", () => {
    jest.useFakeTimers({ now: new Date("2030-06-01T12:00:00Z") });
    try {
      expect(load().credential).toMatchObject({ expiresOn: "2027-04-30" });
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("cronProblem", () => {
  it.each(["0 6 * * *", "*/15 * * * *", "30 2 1,15 * 1-5", "0 0-23/6 * 1-12 0"])("accepts %s", (cron) => {
    expect(cronProblem(cron)).toBeUndefined();
  });

  it.each(["60 6 * * *", "0 24 * * *", "0 6 0 * *", "0 6 * 13 *", "0 6 * * 7", "0 6 * * MON", "@daily", "0 6 * * * *", "5-1 * * * *"])(
    "rejects %s",
    (cron) => {
      expect(cronProblem(cron)).toMatch(/schedule/);
    },
  );
});

describe("a scenario column without scenarios", () => {
  it("maps every scenario in the wizard, as the uploader then takes records of any scenario", () => {
    const [connector] = load({ connectors: JSON.stringify([{ name: "all", scenarioColumn: "HRScenario" }]) }).connectors;
    expect(connector?.scenario).toBeUndefined(); // the job gets no HR_SCENARIO: any scenario
    expect(connector?.scenarios).toEqual(["resignation", "job-level-change", "performance-review", "performance-improvement-plan", "employee-profile"]);
    expect(connector?.wizardScenarioColumn?.values.map(({ value }) => value)).toEqual(["Resignation", "Job level change", "Performance review", "Performance improvement plan", "Employee profile"]);
  });
});
