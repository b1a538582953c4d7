import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { envVarFor, FLAGS, type FlagName, type FlagSpec } from "../../uploader/src/cli/flags";
import { expectOneLineError, fixture, jsonLines, runCli } from "../support/cli";
import { tempDir } from "../support/standin";

const GUIDS = {
  tenant: "8d1f4e6a-2b3c-4d5e-9f60-7a8b9c0d1e2f",
  app: "29ee526e-f9a7-4e98-a682-67f41bfd643e",
  job: "e081f4f4-3831-48d6-7bb3-fcfab1581458",
};
const SAMPLES = join(__dirname, "../../scripts/samples");

/** A dry run: it reads every upload setting and the CSV, and touches neither the network nor the state folder. */
const UPLOAD: Partial<Record<FlagName, string>> = {
  cloud: "gcch",
  "tenant-id": GUIDS.tenant,
  "app-id": GUIDS.app,
  "job-id": GUIDS.job,
  csv: fixture("seed-example.csv"),
};

/** Flags as a command line; an undefined value leaves the flag out. */
function argsOf(flags: Partial<Record<FlagName, string | true>>): string[] {
  return Object.entries(flags).flatMap(([flag, value]) => {
    if (value === undefined) return [];
    if (value === true) return [`--${flag}`];
    return value.startsWith("-") ? [`--${flag}=${value}`] : [`--${flag}`, value];
  });
}
const dryRun = (flags: Partial<Record<FlagName, string | true>>, env: NodeJS.ProcessEnv = {}) => runCli(["upload", ...argsOf({ ...flags, "dry-run": true })], env);

let dir: string;
beforeAll(() => {
  dir = tempDir("hr-precedence-");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("precedence: the command line, then HR_* variables, then defaults", () => {
  // Each flag: a value it refuses (set in its variable) and one it takes (given on the command line).
  it.each<[FlagName, string, string, RegExp]>([
    ["cloud", "azure", "dod", /^error: HR_CLOUD must be one of commercial, gcc, gcch, dod$/],
    ["tenant-id", "not a tenant", GUIDS.tenant, /^error: HR_TENANT_ID must be a GUID/],
    ["app-id", "app", GUIDS.app, /^error: HR_APP_ID must be a GUID/],
    ["job-id", "job", GUIDS.job, /^error: HR_JOB_ID must be a GUID/],
    ["csv", "/nonexistent/employees.csv", fixture("seed-example.csv"), /^error: file not found: \/nonexistent\/employees\.csv$/],
    ["scenario", "promotion", "resignation", /^error: unknown scenario "promotion"/],
    ["columns", "mail", "email=EmailAddress", /^error: --columns takes field=Header pairs/],
    ["records-per-call", "0", "10", /^error: HR_RECORDS_PER_CALL must be a whole number from 1/],
    ["request-timeout", "0", "30", /^error: HR_REQUEST_TIMEOUT must be a number from 0.1/],
    ["max-retries", "-1", "3", /^error: HR_MAX_RETRIES must be a whole number from 0/],
    ["retry-delay", "soon", "1", /^error: HR_RETRY_DELAY must be a number from 0/],
    ["concurrency", "100", "2", /^error: HR_CONCURRENCY must be a whole number from 1 to 16$/],
    ["resend-after-days", "-1", "7", /^error: HR_RESEND_AFTER_DAYS must be a number from 0/],
    ["checkpoint", "http://acct.blob.core.usgovcloudapi.net/hr-state", "/nonexistent-state-dir", /^error: --checkpoint must be an https Blob Storage URL/],
    ["secret-expires-on", "2026-02-30", "2030-01-01", /^error: HR_SECRET_EXPIRES_ON: 2026-02-30 is not a calendar date$/],
    ["authority-host", "http://login.example.us", "https://login.example.us", /^error: HR_AUTHORITY_HOST must be an https URL$/],
    ["ingestion-url", "http://ingest.example.us", "https://ingest.example.us", /^error: HR_INGESTION_URL must be an https URL$/],
    ["log-format", "xml", "text", /^error: HR_LOG_FORMAT must be text or json$/],
  ])("--%s beats its variable, which beats the default", async (flag, refused, taken, message) => {
    const env = { [envVarFor(flag)]: refused };
    expectOneLineError(await dryRun({ ...UPLOAD, [flag]: undefined }, env), 2, message);
    const result = await dryRun({ ...UPLOAD, [flag]: taken }, env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it.each<FlagName>(["force", "skip-invalid", "show-values"])("--%s beats a variable that is not a yes or no", async (flag) => {
    const env = { [envVarFor(flag)]: "maybe" };
    expectOneLineError(await dryRun(UPLOAD, env), 2, new RegExp(`^error: ${envVarFor(flag)} must be true or false$`));
    expect((await dryRun({ ...UPLOAD, [flag]: true }, env)).code).toBe(0);
  });

  it("--limit (status) beats HR_LIMIT", async () => {
    const state = ["--checkpoint-dir", join(dir, "state")];
    mkdirSync(join(dir, "state"));
    expectOneLineError(await runCli(["status", ...state], { HR_LIMIT: "0" }), 2, /^error: HR_LIMIT must be a whole number from 1/);
    expect((await runCli(["status", ...state, "--limit", "5"], { HR_LIMIT: "0" })).code).toBe(0);
  });

  it("the command line's --cloud is the one used, not HR_CLOUD", async () => {
    const result = await dryRun({ ...UPLOAD, cloud: "dod" }, { HR_CLOUD: "commercial" });
    expect(result.stdout).toContain("https://webhook-itarl5.ingestion.apps.mil/api/signals");
    expect(result.stdout).toContain(`token from https://login.microsoftonline.us/${GUIDS.tenant}`);
  });

  it("warns that --app-secret shows in process lists only when the secret came from the command line", async () => {
    const fromFlag = await dryRun({ ...UPLOAD, "app-secret": "from-the-flag" }, { HR_APP_SECRET: "from-the-variable" });
    expect(fromFlag.stderr).toMatch(/^warning: --app-secret is visible in process lists; prefer the HR_APP_SECRET environment variable$/m);
    expect((await dryRun(UPLOAD, { HR_APP_SECRET: "from-the-variable" })).stderr).toBe("");
    for (const { stdout, stderr } of [fromFlag]) expect(stdout + stderr).not.toMatch(/from-the-(flag|variable)/);
  });
});

describe("an empty HR_* variable is the same as an unset one, for every flag", () => {
  const everyFlag = (Object.keys(FLAGS) as FlagName[]).filter((flag) => !(FLAGS[flag] as FlagSpec).commandLineOnly);

  it.each(everyFlag.map((flag) => [envVarFor(flag), flag] as const))("%s empty or blank", async (_variable, flag) => {
    for (const empty of ["", "  "]) {
      const env = { [envVarFor(flag)]: empty };
      const result = await dryRun(UPLOAD, env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect((await runCli(["validate", "--csv", fixture("seed-example.csv")], env)).code).toBe(0);
    }
  });

  it.each(["tenant-id", "cloud", "csv"] as const)("a required flag whose variable is empty is reported as missing", async (flag) => {
    expectOneLineError(await dryRun({ ...UPLOAD, [flag]: undefined }, { [envVarFor(flag)]: "" }), 2, new RegExp(`^error: --${flag} is required \\(or set ${envVarFor(flag)}\\)`));
  });

  it("refuses an empty value on the command line, naming the flag", async () => {
    expectOneLineError(await dryRun({ ...UPLOAD, "token-resource": "" }), 2, /^error: --token-resource is given an empty value: give it a value, or leave it out$/);
    expectOneLineError(await runCli(["validate", "--csvFilePath", " "]), 2, /^error: --csvFilePath is given an empty value/);
  });
});

describe("a flag given twice is an error naming it", () => {
  it.each([
    [["--cloud", "gcch", "--cloud", "dod"], /^error: --cloud is given twice; give it once$/],
    [["--cloud", "gcch", "--cloud", "gcch"], /^error: --cloud is given twice; give it once$/],
    [["--tenant-id", GUIDS.tenant, "--tenantId", GUIDS.tenant], /^error: --tenant-id is given twice \(as --tenant-id and --tenantId\); give it once$/],
    [["--csvFilePath", "a.csv", "--FilePath", "b.csv"], /^error: --csv is given twice \(as --csvFilePath and --FilePath\); give it once$/],
    [["--force", "--force"], /^error: --force is given twice; give it once$/],
    [["--app-secret=one", "--appSecret", "two"], /^error: --app-secret is given twice \(as --app-secret and --appSecret\); give it once$/],
  ])("%j", async (twice, message) => {
    const result = await runCli(["upload", ...argsOf({ ...UPLOAD, cloud: undefined, "tenant-id": undefined, csv: undefined }), ...twice, "--dry-run"]);
    expectOneLineError(result, 2, message);
    expect(result.stderr).not.toMatch(/one|two/);
  });
});

describe("enumerated values match in any case, trimmed", () => {
  it.each([" GCCH ", "Gcch", "gcch\t"])("--cloud %j", async (cloud) => {
    const result = await dryRun({ ...UPLOAD, cloud });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("https://webhook-itarl4.ingestion.office365.us/api/signals");
  });

  it("HR_CLOUD=DoD", async () => {
    expect((await dryRun({ ...UPLOAD, cloud: undefined }, { HR_CLOUD: "DoD" })).stdout).toContain("webhook-itarl5.ingestion.apps.mil");
  });

  it("--log-format JSON, and HR_LOG_FORMAT=' Json '", async () => {
    for (const [args, env] of [[["--log-format", "JSON"], {}], [[], { HR_LOG_FORMAT: " Json " }]] as const) {
      const result = await runCli(["validate", "--csv", fixture("seed-example.csv"), ...args], env);
      expect(jsonLines(result.stdout).at(-1)).toMatchObject({ event: "summary", outcome: "valid" });
    }
  });

  it("--scenario ' Job-Level-Change ' and a list in any case", async () => {
    expect((await runCli(["validate", "--csv", join(SAMPLES, "job-level-change.csv"), "--scenario", " Job-Level-Change "])).code).toBe(0);
    const mixed = await runCli(["validate", "--csv", join(SAMPLES, "mixed.csv"), "--scenario", "RESIGNATION, job-level-change,Performance-Review,performance-improvement-plan"]);
    expect(mixed.code).toBe(0);
  });
});

describe("--tenant-id takes a GUID or a verified domain name", () => {
  it.each(["contoso.onmicrosoft.us", "contoso.onmicrosoft.com", "agency.gov", "hr.agency.gov", "xn--bcher-kva.example"])("accepts %s and signs in there", async (tenant) => {
    const result = await dryRun({ ...UPLOAD, "tenant-id": tenant });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`token from https://login.microsoftonline.us/${tenant} `);
  });

  it.each(["contoso", "common", "-contoso.onmicrosoft.us", "contoso..onmicrosoft.us", "contoso.onmicrosoft.us.", "10.0.0.1", "https://contoso.onmicrosoft.us", "8d1f4e6a2b3c4d5e9f607a8b9c0d1e2f"])(
    "refuses %s",
    async (tenant) => {
      expectOneLineError(await dryRun({ ...UPLOAD, "tenant-id": tenant }), 2, /^error: --tenant-id must be a GUID \(8-4-4-4-12 hexadecimal digits\) or a verified domain name of the tenant, such as contoso\.onmicrosoft\.us$/);
    },
  );
});

describe("--checkpoint and --checkpoint-dir", () => {
  const status = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(["status", ...args], env);

  it("refuses both from the command line, or both from the environment", async () => {
    expectOneLineError(await status(["--checkpoint", join(dir, "a"), "--checkpoint-dir", join(dir, "b")]), 2, /^error: --checkpoint and --checkpoint-dir both say where the state lives; give one of them$/);
    expectOneLineError(await status([], { HR_CHECKPOINT: join(dir, "a"), HR_CHECKPOINT_DIR: join(dir, "b") }), 2, /^error: HR_CHECKPOINT and HR_CHECKPOINT_DIR both say/);
    expectOneLineError(await dryRun({ ...UPLOAD, checkpoint: join(dir, "a"), "checkpoint-dir": join(dir, "b") }), 2, /both say where the state lives/);
  });

  it("uses the command line's one when the other comes from the environment", async () => {
    for (const folder of ["flag", "flag2", "variable"]) mkdirSync(join(dir, folder));
    const fromFlag = await status(["--checkpoint-dir", join(dir, "flag")], { HR_CHECKPOINT: join(dir, "variable") });
    expect(fromFlag.stdout).toContain(`No runs recorded in ${join(dir, "flag")}.`);
    const fromCheckpointFlag = await status(["--checkpoint", join(dir, "flag2")], { HR_CHECKPOINT_DIR: join(dir, "variable") });
    expect(fromCheckpointFlag.stdout).toContain(`No runs recorded in ${join(dir, "flag2")}.`);
    // A folder that is not there is said to be missing, not "no runs" (exit 2).
    expectOneLineError(await status(["--checkpoint-dir", join(dir, "typo")]), 2, new RegExp(`^error: no hr-upload state in ${join(dir, "typo")}: it does not exist; check --checkpoint or --checkpoint-dir \\(a run creates it\\)$`));
  });
});

describe("date flags refuse days that do not exist", () => {
  it.each([
    ["2026-02-30", /^error: --secret-expires-on: 2026-02-30 is not a calendar date$/],
    ["2027-02-29", /^error: --secret-expires-on: 2027-02-29 is not a calendar date$/],
    ["2026-04-31T00:00:00Z", /^error: --secret-expires-on: 2026-04-31T00:00:00Z is not a calendar date$/],
    ["2026-13-01", /not a calendar date/],
    ["next year", /^error: --secret-expires-on must be a date \(yyyy-mm-dd\) or an ISO 8601 date-time/],
    ["2026-03-02 10:00", /must be a date \(yyyy-mm-dd\)/],
  ])("%s", async (date, message) => {
    expectOneLineError(await dryRun({ ...UPLOAD, "secret-expires-on": date }), 2, message);
  });

  it("takes a real date or date-time and warns when it is near", async () => {
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
    for (const date of [soon.slice(0, 10), soon.replace(/\.\d+Z$/, "Z")]) {
      const result = await dryRun({ ...UPLOAD, "secret-expires-on": date });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(new RegExp(`^warning: the client secret expires on ${soon.slice(0, 10)} \\(\\d+ days\\)`));
    }
    expect((await dryRun({ ...UPLOAD, "secret-expires-on": "2028-02-29" })).code).toBe(0);
  });
});

describe("a scenario column without --scenario means any scenario", () => {
  it.each([
    ["--scenario-column", ["--scenario-column", "HRScenario"], {}],
    ["HR_SCENARIO_COLUMN", [], { HR_SCENARIO_COLUMN: "HRScenario" }],
    ["--scenario-values", ["--scenario-values", "resignation=Resignation"], {}],
  ])("%s alone: Learn's four-scenario sample validates", async (_case, args, env) => {
    const result = await runCli(["validate", "--csv", join(SAMPLES, "mixed.csv"), ...args], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/4 records read, 4 valid, 0 invalid \(by scenario: resignation 1, job-level-change 1, performance-review 1, performance-improvement-plan 1, employee-profile 0\)/);
  });

  it("checks each record against its own scenario, and names a scenario whose columns the header lacks when its first record appears", async () => {
    const file = join(dir, "resignations-and-a-profile.csv");
    writeFileSync(file, "HRScenario,EmailAddress,TerminationDate,LastWorkingDate\nResignation,a@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\nEmployee profile,pat.profile@agency.gov,,\n");
    const result = await runCli(["validate", "--csv", file, "--scenario-column", "hrscenario"]);
    expectOneLineError(
      result,
      3,
      /^error: line 3: this record's scenario is employee-profile, but the header line lacks its columns: missing required columns "EmployeeFirstName", "EmployeeLastName", "EmployeeAddressLine1" \(or "EmployeeAddLine1"\), "EmployeeZipCode"; if your file names them differently, map: --columns firstName=<YourHeader>,lastName=<YourHeader>,addressLine1=<YourHeader>,zipCode=<YourHeader>; the service imports nothing/,
    );
    expect(result.stderr).not.toContain("pat.profile");
  });

  it("still refuses at the header a file that no scenario fits", async () => {
    const file = join(dir, "no-scenario-fits.csv");
    writeFileSync(file, "HRScenario,Mail\nResignation,a@agency.gov\n");
    expectOneLineError(await runCli(["validate", "--csv", file, "--scenario-column", "HRScenario"]), 3, /^error: line 1: missing required columns "EmailAddress" for resignation, job-level-change/);
  });
});

describe("--show-values is refused where the output goes to Log Analytics", () => {
  const file = fixture("every-error.csv");
  it.each([
    ["with --log-format json", ["--show-values", "--log-format", "json"], {}, /^error: --show-values is refused with --log-format json: that output goes to Log Analytics and cell values are PII; use it on your own machine, with text output$/],
    ["with HR_LOG_FORMAT=json", ["--show-values"], { HR_LOG_FORMAT: "json" }, /^error: --show-values is refused with HR_LOG_FORMAT json/],
    ["in a Container Apps job", ["--show-values"], { CONTAINER_APP_JOB_NAME: "hr-upload-job" }, /^error: --show-values is refused in Container Apps \(CONTAINER_APP_JOB_NAME is set\)/],
    ["with the Container Apps identity endpoint", [], { HR_SHOW_VALUES: "true", IDENTITY_ENDPOINT: "http://localhost:42356/msi/token" }, /^error: HR_SHOW_VALUES is refused in Container Apps \(IDENTITY_ENDPOINT is set\)/],
  ])("%s (exit 2, one line, no value)", async (_case, args, env, message) => {
    const result = await runCli(["validate", "--csv", file, ...args], env);
    expect(result.stdout + result.stderr).not.toContain("no-at-sign.example.gov");
    if (result.stdout === "") {
      expectOneLineError(result, 2, message);
    } else {
      // json: the failure and the summary, nothing else.
      expect(result.code).toBe(2);
      const [failed, summary, ...rest] = jsonLines(result.stdout);
      expect(`error: ${failed?.msg}`).toMatch(message);
      expect(summary).toMatchObject({ event: "summary", outcome: "failed", exitCode: 2 });
      expect(rest).toEqual([]);
    }
  });

  it("applies to upload too", async () => {
    expectOneLineError(await dryRun({ ...UPLOAD, "show-values": true }, { CONTAINER_APP_JOB_NAME: "hr-upload-job" }), 2, /--show-values is refused in Container Apps/);
  });

  it("still shows values locally with text output, and ignores empty Container Apps variables", async () => {
    const result = await runCli(["validate", "--csv", file, "--show-values"], { CONTAINER_APP_JOB_NAME: "", IDENTITY_ENDPOINT: " " });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("no-at-sign.example.gov");
  });
});
