import { addDays, cronProblem, loadConfig, type ConfigSource } from "../../infra/config";

const source = (values: Record<string, string>): ConfigSource => ({ get: (key) => values[key] });
const GCCH = { project: { secretRotation: "2026-11-01" }, azureNative: { location: "usgovvirginia" }, azuread: { environment: "usgovernment" } };

function load(project: Record<string, string> = {}, azuread: Record<string, string> = GCCH.azuread, azureNative: Record<string, string> = GCCH.azureNative) {
  return loadConfig(source({ ...GCCH.project, ...project }), source(azureNative), source(azuread));
}

describe("loadConfig", () => {
  it("fills the code-level defaults, because mocks do not apply Pulumi.yaml", () => {
    expect(load()).toEqual({
      cloud: "gcch",
      entraEnvironment: "usgovernment",
      location: "usgovvirginia",
      connectorJobId: undefined,
      schedule: "0 6 * * *",
      secretRotation: "2026-11-01",
      secretLifetimeDays: 180,
      secretExpiresOn: "2027-04-30",
      alertEmail: undefined,
      image: undefined,
      csvBlobName: "employees.csv",
      jobName: "hr-upload",
      recordsPerCall: undefined,
      scenario: undefined,
      columns: undefined,
      wizardColumns: ["EmailAddress", "TerminationDate", "LastWorkingDate"],
    });
  });

  it("treats the empty Pulumi.yaml defaults of optional keys as unset", () => {
    const config = load({ connectorJobId: "", alertEmail: "", image: "", recordsPerCall: "", scenario: "", columns: "" });
    expect([config.connectorJobId, config.alertEmail, config.image, config.recordsPerCall, config.scenario, config.columns]).toEqual(Array(6).fill(undefined));
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
    expect(load({ connectorJobId: "00000000-0000-0000-0000-000000000000" }).connectorJobId).toBe("00000000-0000-0000-0000-000000000000");
    expect(load({ connectorJobId: "ABCDEF01-2345-6789-abcd-ef0123456789" }).connectorJobId).toBe("ABCDEF01-2345-6789-abcd-ef0123456789");
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
  ])("rejects %j", (project, message) => {
    expect(() => load(project)).toThrow(message);
  });

  it("reports every problem in one message", () => {
    expect(() => load({ cloud: "gcc", jobName: "X", alertEmail: "ops" })).toThrow(
      /Invalid hr-connector stack configuration:\n {2}- azuread:environment "usgovernment" cannot sign in to GCC tenants[^\n]*\n {2}- alertEmail "ops"[^\n]*\n {2}- jobName "X"/,
    );
  });

  it("accepts a 31-character job name", () => {
    expect(load({ jobName: `h${"r".repeat(29)}1` }).jobName).toHaveLength(31);
  });

  it("requires azure-native:location", () => {
    expect(() => load({}, GCCH.azuread, {})).toThrow(/azure-native:location is not set/);
  });

  it("takes the wizard's column names from `columns` where it remaps them", () => {
    expect(load({ columns: "email=Mail,lastWorkingDate=LastDay" }).wizardColumns).toEqual(["Mail", "TerminationDate", "LastDay"]);
  });
});

describe("secret expiry", () => {
  it("adds the lifetime to the rotation date by calendar, across month, year and leap day", () => {
    expect(load({ secretRotation: "2027-12-15", secretLifetimeDays: "30" }).secretExpiresOn).toBe("2028-01-14");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2027-02-28", 1)).toBe("2027-03-01");
  });

  it("does not depend on the current time", () => {
    jest.useFakeTimers({ now: new Date("2030-06-01T12:00:00Z") });
    try {
      expect(load().secretExpiresOn).toBe("2027-04-30");
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
