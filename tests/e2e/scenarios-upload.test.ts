import { createHash } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { newJobState } from "../../uploader/src/state/jobState";
import { systemPlatform } from "../../uploader/src/cli/systemPlatform";
import { localStateStore } from "../../uploader/src/state/localState";
import { jobKeyOf, type CompletedDelivery, type JobState } from "../../uploader/src/state/stateStore";
import { fixture, jsonLines } from "../support/cli";
import { STANDIN_DEFAULTS, UploadHarness } from "../support/standin";

const SAMPLES = join(__dirname, "../../scripts/samples");
const PROFILE = realpathSync(join(SAMPLES, "employee-profile.csv"));
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

/** What the job's state would hold after earlier runs: past deliveries, and what each file held since when. */
async function seedJobState(dir: string, deliveries: Array<Partial<CompletedDelivery> & { days: number }>, files: JobState["files"] = {}): Promise<void> {
  const state: JobState = {
    ...newJobState(STANDIN_DEFAULTS.jobId, daysAgo(60)),
    deliveries: deliveries.map(({ days, ...delivery }) => ({
      sha256: "0".repeat(64),
      file: PROFILE,
      records: 2,
      startedAt: daysAgo(days),
      completedAt: daysAgo(days),
      runs: 1,
      recordsPossiblyDuplicated: 0,
      ...delivery,
    })),
    files,
  };
  await localStateStore(dir, systemPlatform()).saveJobState(jobKeyOf(STANDIN_DEFAULTS.jobId), state);
}

/** A mixed file through the real bundle; the other scenario rules by the same main() in this process. */
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
    const result = await harness.uploadHere(fixture("scenarios/profile-missing-zip.csv"), ["--scenario", "employee-profile"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/missing required column "EmployeeZipCode".*imports nothing/);
    expect(harness.standIn.tokenRequests + harness.standIn.ingestionRequests).toBe(0);
  });

  it("warns when the profile file has not changed for 20 days", async () => {
    const sha = createHash("sha256").update(readFileSync(PROFILE)).digest("hex");
    await seedJobState(harness.checkpointDir, [{ days: 11, sha256: sha }], { [PROFILE]: { sha256: sha, since: daysAgo(25) } });
    const result = await harness.uploadHere(PROFILE, ["--scenario", "employee-profile", "--log-format", "json"]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toContainEqual(expect.objectContaining({ level: "warn", event: "profile-stale", reason: "unchanged", days: 25 }));
  });

  it("warns when the last full delivery of profile data is 20 days old, and stays quiet when it is recent", async () => {
    await seedJobState(harness.checkpointDir, [{ days: 22 }]);
    harness.standIn.injectFaults({ kind: "status", status: 400, body: "Bad request" });
    const failed = await harness.uploadHere(PROFILE, ["--scenario", "employee-profile", "--log-format", "json"]);
    expect(failed.code).toBe(5);
    expect(jsonLines(failed.stdout)).toContainEqual(expect.objectContaining({ event: "profile-stale", reason: "not-delivered", days: 22 }));

    const delivered = await harness.uploadHere(PROFILE, ["--scenario", "employee-profile", "--log-format", "json"]);
    expect(delivered.code).toBe(0);
    expect(jsonLines(delivered.stdout).some((event) => event.event === "profile-stale")).toBe(false);
  });

  it("never warns about freshness for other scenarios", async () => {
    await seedJobState(harness.checkpointDir, [{ days: 40, file: join(SAMPLES, "employees.csv") }]);
    harness.standIn.injectFaults({ kind: "status", status: 400 });
    const result = await harness.uploadHere(join(SAMPLES, "employees.csv"), ["--log-format", "json"]);
    expect(result.code).toBe(5);
    expect(jsonLines(result.stdout).some((event) => event.event === "profile-stale")).toBe(false);
  });
});
