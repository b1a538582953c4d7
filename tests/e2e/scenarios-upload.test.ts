import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { localStateStore } from "../../uploader/src/state/localState";
import type { RunRecord } from "../../uploader/src/state/stateStore";
import { fixture, jsonLines } from "../support/cli";
import { STANDIN_DEFAULTS, UploadHarness } from "../support/standin";

const SAMPLES = join(__dirname, "../../scripts/samples");
const PROFILE = join(SAMPLES, "employee-profile.csv");
const DAY_MS = 86_400_000;

function pastRun(daysAgo: number, fields: Partial<RunRecord>): RunRecord {
  const at = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
  return {
    version: 1,
    runId: `seeded-${daysAgo}`,
    startedAt: at,
    endedAt: at,
    file: PROFILE,
    jobId: STANDIN_DEFAULTS.jobId,
    scenario: "employee-profile",
    recordsDelivered: 2,
    chunksSent: 1,
    retries: 0,
    outcome: "delivered",
    exitCode: 0,
    ...fields,
  };
}

describe("scenarios through hr-upload upload", () => {
  let harness: UploadHarness;
  beforeEach(async () => {
    harness = await UploadHarness.start();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("sends a mixed file whole, reporting per scenario", async () => {
    const result = await harness.upload(join(SAMPLES, "mixed.csv"), [
      "--scenario", "resignation,job-level-change,performance-review,performance-improvement-plan",
      "--log-format", "json",
    ]);
    expect(result.code).toBe(0);
    expect(harness.standIn.received.map((chunk) => chunk.header[0])).toEqual(["HRScenario"]);
    expect(harness.standIn.receivedEmails()).toEqual(["alex.doe@agency.gov", "sam.lee@agency.gov", "kim.roe@agency.gov", "lee.poe@agency.gov"]);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      outcome: "delivered",
      byScenario: { resignation: { records: 1, invalid: 0 }, "performance-improvement-plan": { records: 1, invalid: 0 } },
    });
  });

  it("sends nothing from an employee-profile file missing a mandatory column", async () => {
    const result = await harness.upload(fixture("scenarios/profile-missing-zip.csv"), ["--scenario", "employee-profile"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/missing required column "EmployeeZipCode".*imports nothing/);
    expect(harness.standIn.tokenRequests + harness.standIn.ingestionRequests).toBe(0);
  });

  it("warns when the profile file has not changed for 20 days", async () => {
    const sha = createHash("sha256").update(readFileSync(PROFILE)).digest("hex");
    const state = localStateStore(harness.checkpointDir);
    await state.saveRunRecord(pastRun(25, { fileSha256: sha }));
    await state.saveRunRecord(pastRun(11, { fileSha256: sha, outcome: "nothing-to-do", recordsDelivered: 0 }));
    const result = await harness.upload(PROFILE, ["--scenario", "employee-profile", "--log-format", "json"]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toContainEqual(expect.objectContaining({ level: "warn", event: "profile-stale", reason: "unchanged", days: 25 }));
  });

  it("warns when the last full delivery of profile data is 20 days old, and stays quiet when it is recent", async () => {
    const state = localStateStore(harness.checkpointDir);
    await state.saveRunRecord(pastRun(22, { fileSha256: "0".repeat(64) }));
    harness.standIn.injectFaults({ kind: "status", status: 400, body: "Bad request" });
    const failed = await harness.upload(PROFILE, ["--scenario", "employee-profile", "--log-format", "json"]);
    expect(failed.code).toBe(5);
    expect(jsonLines(failed.stdout)).toContainEqual(expect.objectContaining({ event: "profile-stale", reason: "not-delivered", days: 22 }));

    const delivered = await harness.upload(PROFILE, ["--scenario", "employee-profile", "--log-format", "json"]);
    expect(delivered.code).toBe(0);
    expect(jsonLines(delivered.stdout).some((event) => event.event === "profile-stale")).toBe(false);
  });

  it("never warns about freshness for other scenarios", async () => {
    const state = localStateStore(harness.checkpointDir);
    await state.saveRunRecord(pastRun(40, { file: join(SAMPLES, "employees.csv"), scenario: "resignation" }));
    harness.standIn.injectFaults({ kind: "status", status: 400 });
    const result = await harness.upload(join(SAMPLES, "employees.csv"), ["--log-format", "json"]);
    expect(result.code).toBe(5);
    expect(jsonLines(result.stdout).some((event) => event.event === "profile-stale")).toBe(false);
  });
});
