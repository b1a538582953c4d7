/** The Gov stack in its other shapes: the first pass, a prebuilt image, no alert address, uploader options. */
import { CONNECTOR_JOB_ID, TYPE, ofType, only, runGov, type Json, jobGrants } from "./harness";

const envOf = (job: Json): Json[] => job.template.containers[0].env;

const PINNED_BASE = `mcr.microsoft.com/azurelinux/distroless/nodejs:24-nonroot@sha256:${"a".repeat(64)}`;
/**
 * A stack with a job and every uploader and image option set, each to its own value: one run serves each
 * option's test, and an option wired to another's place still fails it.
 */
const TUNED = {
  connectorJobId: CONNECTOR_JOB_ID,
  imageBase: PINNED_BASE,
  recordsPerCall: "2000",
  scenario: "resignation",
  columns: "email=Mail",
  schedule: "30 2 * * 1-5",
  jobName: "hr-upload-gov",
  csvBlobName: "exports/hr today.csv",
};

describe("first pass, without connectorJobId", () => {
  it("creates everything but the job, its image and its alerts", async () => {
    const run = await runGov();
    for (const type of [TYPE.job, TYPE.image, TYPE.actionGroup, TYPE.metricAlert, TYPE.queryRule]) expect([type, ofType(run, type)]).toEqual([type, []]);
    for (const type of [TYPE.application, TYPE.password, TYPE.vault, TYPE.secret, TYPE.environment, TYPE.registry]) {
      expect([type, ofType(run, type)]).toEqual([type, [expect.anything()]]);
    }
    expect(ofType(run, TYPE.storageAccount).map((account) => account.name)).toEqual(["hrconnector", "hrconnectorkept"]);
    expect(jobGrants(run)).toHaveLength(5);
    expect(run.outputs).not.toHaveProperty("jobName");
  });

  it("tells exactly what to type into the connector wizard and what to run next", async () => {
    const run = await runGov();
    const nextSteps = run.outputs.nextSteps as string;
    expect(nextSteps).toContain(`App ID: ${only(run, TYPE.application).state.clientId}`);
    expect(nextSteps).toContain("column names: EmailAddress, TerminationDate, LastWorkingDate");
    expect(nextSteps).toContain("pulumi config set connectorJobId <job-id> && pulumi up");
    // The second pass assembles the image and pushes it with the deployer's own az login: nothing to run for it.
    expect(nextSteps).toContain(`pushes it to ${only(run, TYPE.registry).state.name} with your az login (no Docker)`);
    expect(nextSteps).not.toContain("az acr login");
  });

  it("names the columns as `columns` remaps them", async () => {
    const run = await runGov({ columns: "email=Mail,terminationDate=TermDate" });
    expect(run.outputs.nextSteps).toContain("column names: Mail, TermDate, LastWorkingDate");
  });

  it("pushes nothing when a prebuilt image is configured", async () => {
    const run = await runGov({ image: "example.azurecr.us/hr-upload:1.0.0" });
    expect(run.outputs.nextSteps).not.toContain("pushes it to");
  });
});

describe("image", () => {
  it("is not built when `image` is set; the job runs that image", async () => {
    const run = await runGov({ connectorJobId: CONNECTOR_JOB_ID, image: "example.azurecr.us/hr-upload:1.0.0" });
    expect(ofType(run, TYPE.image)).toEqual([]);
    expect(only(run, TYPE.job).inputs.template.containers[0].image).toBe("example.azurecr.us/hr-upload:1.0.0");
  });

  it("is assembled and run by digest when `image` is unset", async () => {
    const run = await runGov({ connectorJobId: CONNECTOR_JOB_ID });
    expect(only(run, TYPE.job).inputs.template.containers[0].image).toBe(only(run, TYPE.image).state.ref);
  });

  it("takes its base from `imageBase`, which must be pinned by digest", async () => {
    const run = await runGov(TUNED);
    expect(only(run, TYPE.image).inputs.base).toBe(PINNED_BASE);
    await expect(runGov({ connectorJobId: CONNECTOR_JOB_ID, imageBase: "mcr.microsoft.com/azurelinux/distroless/nodejs:24-nonroot" })).rejects.toThrow(/imageBase .* must be pinned by digest/);
  });
});

describe("without alertEmail", () => {
  it("still creates every alert rule, with no action group to mail", async () => {
    const run = await runGov({ connectorJobId: CONNECTOR_JOB_ID });
    expect(ofType(run, TYPE.actionGroup)).toEqual([]);
    expect(only(run, TYPE.metricAlert).inputs.actions).toEqual([]);
    expect(ofType(run, TYPE.queryRule).map((rule) => rule.inputs.actions)).toEqual(Array(5).fill({ actionGroups: [] }));
  });
});

describe("uploader options", () => {
  it("are passed to the job only when configured, before the secret reference", async () => {
    const plain = await runGov({ connectorJobId: CONNECTOR_JOB_ID });
    const names = envOf(only(plain, TYPE.job).inputs).map((variable) => variable.name);
    expect(names.filter((name) => ["HR_RECORDS_PER_CALL", "HR_SCENARIO", "HR_COLUMNS"].includes(name))).toEqual([]);

    const tuned = await runGov(TUNED);
    expect(envOf(only(tuned, TYPE.job).inputs).slice(-4)).toEqual([
      { name: "HR_RECORDS_PER_CALL", value: "2000" },
      { name: "HR_SCENARIO", value: "resignation" },
      { name: "HR_COLUMNS", value: "email=Mail" },
      { name: "HR_APP_SECRET", secretRef: "hr-app-secret" },
    ]);
  });

  it("use the configured schedule, job name and CSV blob", async () => {
    const run = await runGov(TUNED);
    const job = only(run, TYPE.job).inputs;
    expect(job.jobName).toBe("hr-upload-gov");
    expect(job.configuration.scheduleTriggerConfig.cronExpression).toBe("30 2 * * 1-5");
    expect(envOf(job).find((variable) => variable.name === "HR_CSV")?.value).toMatch(/\/hr-data\/exports\/hr%20today\.csv$/);
    expect(run.outputs.jobName).toBe("hr-upload-gov");
  });
});
