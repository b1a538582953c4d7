import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { AnonymousCredential, type ContainerClient } from "@azure/storage-blob";
import { parse } from "csv-parse/sync";
import { IdentityStandIn } from "../../scripts/identityStandin";
import { localJobEnvironment } from "../../scripts/lib/jobEnvironment";
import { testCertificate } from "../support/testCertificate";
import { newJobState } from "../../uploader/src/state/jobState";
import { blobStateStore } from "../../uploader/src/state/blobState";
import { jobKeyOf } from "../../uploader/src/state/stateStore";
import { parseBlobUrl } from "../../uploader/src/storage/blobUrl";
import { jsonLines, runBundle, startBundle, summaryOf, until } from "../support/cli";
import { ManualClock } from "../support/clock";
import { accountSasUrl, adminClient, Azurite, sasUrl } from "../support/azurite";
import { generatedCsv, STANDIN_DEFAULTS, tempDir, UploadHarness } from "../support/standin";

const recordsOf = (bytes: Buffer) => (parse(bytes, { bom: true, relax_column_count: true }) as string[][]).slice(1);

async function generatedBytes(records: number, seed = records): Promise<Buffer> {
  return readFileSync(await generatedCsv(records, seed));
}

describe("Blob Storage: the CSV and the state in Azurite (SAS URLs)", () => {
  let azurite: Azurite;
  let harness: UploadHarness;
  let data: ContainerClient;
  let state: ContainerClient;
  /** hr-kept beside every hr-state-N: the one container of kept copies in the account. */
  let kept: ContainerClient;
  let testNumber = 0;

  beforeAll(async () => {
    azurite = await Azurite.start();
    kept = adminClient(azurite).getContainerClient("hr-kept");
    await kept.create();
  });
  afterAll(async () => {
    await azurite.stop();
  });
  beforeEach(async () => {
    harness = await UploadHarness.start();
    testNumber++;
    data = adminClient(azurite).getContainerClient(`hr-data-${testNumber}`);
    state = adminClient(azurite).getContainerClient(`hr-state-${testNumber}`);
    await data.create();
    await state.create();
    for await (const blob of kept.listBlobsFlat()) await kept.deleteBlob(blob.name);
  });
  afterEach(async () => {
    await harness.close();
  });

  const putCsv = async (bytes: Buffer, name = "employees.csv") => {
    await data.getBlockBlobClient(name).uploadData(bytes);
    return sasUrl(azurite, data.containerName, name);
  };
  // An account SAS: the run keeps its copies in hr-kept, beside the state container.
  const blobArgs = (csvUrl: string, ...extra: string[]) => [...harness.args(csvUrl, ...extra), "--checkpoint", accountSasUrl(azurite, state.containerName)];
  const upload = (csvUrl: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) => runBundle(blobArgs(csvUrl, ...extra), harness.env(env));
  const sent = () => harness.standIn.received.flatMap((chunk) => chunk.records);
  const stateNames = async (prefix = "") => {
    const names: string[] = [];
    for await (const blob of state.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  };
  const keptNames = async () => {
    const names: string[] = [];
    for await (const blob of kept.listBlobsFlat()) names.push(blob.name);
    return names;
  };
  const store = () => blobStateStore(parseBlobUrl(sasUrl(azurite, state.containerName), "--checkpoint", "container"), { credential: new AnonymousCredential(), pipeline: {} });

  /** Version A (12 records, `seed`) left partly delivered by a run that failed on its second chunk (3 records a chunk): its copy in hr-kept. */
  const partlyDelivered = async (seed: number) => {
    const versionA = await generatedBytes(12, seed);
    const csvUrl = await putCsv(versionA);
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 400 });
    expect((await upload(csvUrl, ["--records-per-call", "3"])).code).toBe(5);
    return { versionA, csvUrl };
  };

  it("streams and hashes the blob, and validates it like a local file", async () => {
    const bytes = await generatedBytes(20_000);
    const result = await runBundle(["validate", "--csv", await putCsv(bytes), "--log-format", "json"]);
    expect(result.code).toBe(0);
    expect(summaryOf(result)).toMatchObject({ recordsRead: 20_000, valid: 20_000, sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(result.stdout).not.toContain("sig=");
  });

  it("uploads from Blob with its state in Blob, writes a run record, and status reports the delivery", async () => {
    const bytes = await generatedBytes(12);
    const csvUrl = await putCsv(bytes);
    const result = await upload(csvUrl, ["--records-per-call", "5", "--log-format", "json"]);
    expect(result.code).toBe(0);
    expect(sent()).toEqual(recordsOf(bytes));
    // The kept copy went once the version was delivered.
    for (const name of await stateNames()) expect(name).toMatch(/^(jobs\/[0-9a-f]{32}\.json|locks\/[0-9a-f]{32}|runs\/\d{13}-[0-9a-f-]{36}\.json)$/);
    expect(await keptNames()).toEqual([]);

    const again = await upload(csvUrl, ["--records-per-call", "5"]);
    expect(again.stdout).toMatch(/already delivered in full/);

    // status needs no more than reading and listing hr-state: a SAS for that container alone.
    const status = await runBundle(["status", "--checkpoint", sasUrl(azurite, state.containerName, undefined, "rl")]);
    expect(status.code).toBe(0);
    const lines = status.stdout.split("\n");
    expect(lines.findIndex((line) => /nothing-to-do/.test(line))).toBeLessThan(lines.findIndex((line) => /delivered +12 of 12 records/.test(line)));
    expect(status.stdout).toMatch(new RegExp(`job ${STANDIN_DEFAULTS.jobId}: last full delivery .*hr-data-\\d+/employees\\.csv, 12 of 12 records over 1 run`));
    expect(status.stdout + result.stdout).not.toContain("sig=");

    // A container that is not there is said to be missing (exit 2), not "no runs".
    const missing = await runBundle(["status", "--checkpoint", sasUrl(azurite, "no-such-container")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: no hr-upload state in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/no-such-container: it does not exist/);
    expect(missing.stderr).not.toContain("sig=");
  });

  it("waits out the lease of a killed replica, then resumes and sends the rest exactly once", async () => {
    const bytes = await generatedBytes(20);
    const csvUrl = await putCsv(bytes);
    harness.standIn.ingestionDelayMs = 300;
    const killed = startBundle(blobArgs(csvUrl, "--records-per-call", "2", "--lock-lease", "15"), harness.env());
    await until(() => harness.standIn.ingestionRequests >= 4, "the fourth request");
    killed.child.kill("SIGKILL");
    await killed.result;

    // The job's retry replica starts at once: the dead run's lease is still there, and lapses within 15 s.
    harness.standIn.ingestionDelayMs = 0;
    const retried = Date.now();
    const rerun = await upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"]);
    expect(rerun.code).toBe(0);
    expect(Date.now() - retried).toBeLessThan(25_000);
    expect(jsonLines(rerun.stdout).find((event) => event.event === "resume")?.msg).toMatch(/6 of 20 records were delivered by earlier runs/);
    expect(summaryOf(rerun)).toMatchObject({ outcome: "delivered", recordsDelivered: 14, recordsPossiblyDuplicated: 2 });
    expect(sent()).toEqual(recordsOf(bytes));
  }, 60_000);

  it("stops before its next request once its lease is taken away (exit 5, checkpoint kept), and the rerun sends the rest exactly once", async () => {
    const bytes = await generatedBytes(30);
    const csvUrl = await putCsv(bytes);
    harness.standIn.ingestionDelayMs = 300; // 15 requests take longer than a heartbeat (2.5 s for a 15 s lease)
    const running = upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"]);
    await until(() => harness.standIn.received.length >= 2, "two chunks delivered");
    const [lock] = await stateNames("locks/");
    await state.getBlobClient(lock!).getBlobLeaseClient().breakLease(0); // an operator, or another replica after a lapse
    const stopped = await running;
    expect(stopped.code).toBe(5);
    expect(jsonLines(stopped.stdout).find((event) => event.event === "failed")?.msg).toMatch(/^lost the run lock \(its lease was broken or taken by another run\)/);
    expect(summaryOf(stopped)).toMatchObject({ outcome: "failed", exitCode: 5 });
    const deliveredBeforeStop = sent().length;
    expect(deliveredBeforeStop).toBeLessThan(30);

    harness.standIn.ingestionDelayMs = 0;
    const rerun = await upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"]);
    expect(rerun.code).toBe(0);
    expect(summaryOf(rerun)).toMatchObject({ outcome: "delivered", recordsDelivered: 30 - deliveredBeforeStop, recordsPossiblyDuplicated: 0 });
    expect(sent()).toEqual(recordsOf(bytes));
  });

  it("lets only one of two concurrent runs of the same job work: the other sees its heartbeat and stands down", async () => {
    const bytes = await generatedBytes(20);
    const csvUrl = await putCsv(bytes);
    harness.standIn.ingestionDelayMs = 600; // the first run lasts longer than a heartbeat period (2.5 s for a 15 s lease)
    const first = upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"]);
    await until(() => harness.standIn.ingestionRequests >= 1, "the first run sending");
    // As another replica would: a machine (container) of its own, so only the lease keeps the two apart.
    const otherMachine = tempDir("hr-locks-");
    const second = await upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"], { HR_LOCK_DIR: otherMachine });
    rmSync(otherMachine, { recursive: true, force: true });
    expect(second.code).toBe(0);
    expect(summaryOf(second)).toMatchObject({ outcome: "locked", recordsDelivered: 0 });
    expect(second.stdout).toMatch(/another run is working for this connector job/);
    // It said once that it waited, and on what.
    expect(jsonLines(second.stdout).filter((event) => event.event === "waiting-for-lock")).toEqual([expect.objectContaining({ holder: expect.stringMatching(/^the lease on .*locks\//) })]);
    expect((await first).code).toBe(0);
    expect(sent()).toEqual(recordsOf(bytes));
  });

  it("stops vouching for its lease when it is taken away, or once renewals have failed for too long", async () => {
    const clock = new ManualClock();
    const lost: string[] = [];
    const options = { clock, leaseMs: 30_000, stop: new AbortController().signal, onLost: (detail: string) => lost.push(detail) };
    const broken = await store().acquireLock("k", options);
    expect(broken).toBeDefined();
    await clock.someoneSleeps(); // its first renewal done, the heartbeat waits for its next
    await state.getBlobClient("locks/k").getBlobLeaseClient().breakLease(0); // taken away behind its back
    expect(() => broken!.assertHeld()).not.toThrow();
    clock.advance(5_000); // the next renewal finds the lease gone
    await until(() => lost.length > 0, "the lost lease noticed");
    expect(() => broken!.assertHeld()).toThrow(/lost the run lock \(its lease was broken or taken by another run\)/);
    await broken!.release();

    const stalled = await store().acquireLock("stalled", { ...options, onLost: () => undefined });
    await clock.someoneSleeps();
    await azurite.stop(); // renewals fail from now on
    try {
      clock.advance(15_000);
      expect(() => stalled!.assertHeld()).not.toThrow();
      clock.advance(6_000); // past a lease less two heartbeats since the last renewal that worked
      expect(() => stalled!.assertHeld()).toThrow(/lost the run lock \(its lease could not be renewed in time\)/);
    } finally {
      await azurite.restart();
    }
    await stalled!.release();
  });

  it("exits 2 before sending anything when it may read the state container but not write it, naming the container and the reason", async () => {
    const csvUrl = await putCsv(await generatedBytes(4));
    const readOnly = sasUrl(azurite, state.containerName, undefined, "rl"); // a reader's role: list and read, no write
    const result = await runBundle([...harness.args(csvUrl, "--log-format", "json"), "--checkpoint", readOnly], harness.env());
    const failed = jsonLines(result.stdout).find((event) => event.event === "failed");
    expect(result.code).toBe(2);
    expect(failed?.msg).toMatch(new RegExp(`^cannot write the state in \\S*/hr-state-\\d+/locks/\\w+ \\(HTTP 403 AuthorizationPermissionMismatch: .*Storage Blob Data Contributor.*\\): nothing was sent`));
    expect(summaryOf(result)).toMatchObject({ outcome: "failed", exitCode: 2 });
    expect(result.stdout).not.toContain("sig=");
    expect(harness.standIn.ingestionRequests).toBe(0);
    expect(await stateNames()).toEqual([]);
  });

  it("never overwrites a job's state another writer changed meanwhile (ETag), yet takes its own retried write for its own", async () => {
    const csvUrl = await putCsv(await generatedBytes(10));
    harness.standIn.ingestionDelayMs = 300;
    const running = upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => harness.standIn.received.length >= 1, "chunk 1 received");
    await until(() => harness.standIn.ingestionRequests >= 2, "chunk 2 sent"); // chunk 1's checkpoint was written before
    const [jobState] = await stateNames("jobs/");
    const intruder = JSON.stringify({ written: "by someone else" });
    await state.getBlockBlobClient(jobState!).upload(intruder, intruder.length);
    const result = await running;
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/another run changed this job's state meanwhile/);
    expect((await state.getBlockBlobClient(jobState!).downloadToBuffer()).toString()).toBe(intruder);

    // A write whose answer was lost lands, and the SDK's retry meets a 412: it was ours, so it stands.
    const own = store();
    const key = jobState!.replace(/^jobs\/|\.json$/g, "");
    await state.getBlockBlobClient(jobState!).delete();
    const saved = { ...newJobState(STANDIN_DEFAULTS.jobId, "2026-12-01T06:00:00.000Z"), revision: 1, writtenBy: "run-1" };
    await own.saveJobState(key, saved);
    await state.getBlockBlobClient(jobState!).upload(JSON.stringify({ ...saved, revision: 2 }), JSON.stringify({ ...saved, revision: 2 }).length);
    await expect(own.saveJobState(key, { ...saved, revision: 2 })).resolves.toBeUndefined();
  });

  it("never writes back a job's state that reset removed meanwhile (a stalled writer's ETag names a blob that is gone)", async () => {
    const key = jobKeyOf(STANDIN_DEFAULTS.jobId);
    const stalled = store();
    const saved = { ...newJobState(STANDIN_DEFAULTS.jobId, "2026-12-01T06:00:00.000Z"), revision: 1, writtenBy: "run-1" };
    await stalled.saveJobState(key, saved);
    await store().deleteJobState(key); // reset, under the job's lease it took over
    await expect(stalled.saveJobState(key, { ...saved, revision: 2 })).rejects.toThrow(/another run changed this job's state meanwhile \(this run lost the job's lock\)/);
    expect(await stateNames("jobs/")).toEqual([]);
  });

  it.each([
    ["{}", "{}"],
    ["[]", "[]"],
    ["null", "null"],
    ["truncated", '{"version":2,"jobId":'],
    ["wrong types", JSON.stringify({ ...newJobState(STANDIN_DEFAULTS.jobId, "2026-12-01T06:00:00.000Z"), deliveries: "none" })],
  ])("refuses a corrupt job state in the container (%s) with exit 2, naming it, before sending anything", async (_shape, text) => {
    const csvUrl = await putCsv(await generatedBytes(3));
    const key = jobKeyOf(STANDIN_DEFAULTS.jobId);
    await state.getBlockBlobClient(`jobs/${key}.json`).upload(text, Buffer.byteLength(text));
    const result = await upload(csvUrl);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`hr-state-\\d+/jobs/${key}\\.json is not a valid hr-upload checkpoint \\(.+; clear it with hr-upload reset --job-id ${STANDIN_DEFAULTS.jobId}`));
    expect(result.stderr).not.toContain("sig=");
    expect(harness.standIn.ingestionRequests).toBe(0);
  });

  it("rides out an Azurite restart mid-run with nothing lost or doubled", async () => {
    const bytes = await generatedBytes(20);
    const csvUrl = await putCsv(bytes);
    harness.standIn.ingestionDelayMs = 250;
    const running = upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => harness.standIn.ingestionRequests >= 3, "the third request");
    await azurite.restart();
    const result = await running;
    expect(result.code).toBe(0);
    expect(sent()).toEqual(recordsOf(bytes));
  }, 90_000);

  it("finishes the version it validated when the CSV is replaced mid-run, then sends the new one", async () => {
    const first = await generatedBytes(20, 1);
    const csvUrl = await putCsv(first);
    harness.standIn.ingestionDelayMs = 250;
    const running = upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => harness.standIn.ingestionRequests >= 2, "the second request");
    const replacement = await generatedBytes(20, 2);
    await data.getBlockBlobClient("employees.csv").uploadData(replacement);
    const result = await running;
    expect(result.code).toBe(0);
    expect(summaryOf(result)).toMatchObject({ outcome: "delivered", recordsDelivered: 20 });

    harness.standIn.ingestionDelayMs = 0;
    const next = await upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/the file changed since the last run: sending the new version/);
    expect(sent()).toEqual([...recordsOf(first), ...recordsOf(replacement)]);
  });

  it("finishes a partly delivered version from the copy kept in hr-kept (never in hr-state), though the HR system replaced the blob", async () => {
    const { versionA, csvUrl } = await partlyDelivered(3);
    expect(await keptNames()).toEqual([`${jobKeyOf(STANDIN_DEFAULTS.jobId)}.csv`]);
    expect(await stateNames("pinned/")).toEqual([]);
    const versionB = await generatedBytes(7, 4);
    await data.getBlockBlobClient("employees.csv").uploadData(versionB);
    const next = await upload(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toMatch(/^finishing .*employees\.csv .* first, from the copy kept in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/hr-kept: 3 of 12 records/);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
    expect(await keptNames()).toEqual([]);
  });

  it("fails with exit 5, abandoning, overwriting and pinning nothing, when the copy in hr-kept is there but cannot be read (403); the next run finishes it", async () => {
    const key = jobKeyOf(STANDIN_DEFAULTS.jobId);
    const { versionA, csvUrl } = await partlyDelivered(7);
    const copyBefore = await kept.getBlockBlobClient(`${key}.csv`).getProperties();
    const stateBefore = (await state.getBlockBlobClient(`jobs/${key}.json`).downloadToBuffer()).toString("utf8");
    const versionB = await generatedBytes(7, 8);
    await data.getBlockBlobClient("employees.csv").uploadData(versionB);

    // A SAS for hr-state alone: carried to hr-kept, the service refuses it there (403) while hr-state works.
    const stateOnly = sasUrl(azurite, state.containerName);
    const blocked = await runBundle([...harness.args(csvUrl, "--records-per-call", "3", "--log-format", "json"), "--checkpoint", stateOnly], harness.env());
    expect(blocked.code).toBe(5);
    const failed = String(jsonLines(blocked.stdout).find((event) => event.event === "failed")?.msg);
    expect(failed).toMatch(new RegExp(`^the copy of .*employees\\.csv kept in http://127\\.0\\.0\\.1:\\d+/devstoreaccount1/hr-kept \\(kept/${key}\\.csv\\) cannot be read now \\(no access to .*HTTP 403\\): the identity needs its Storage Blob Data role there, or the SAS is wrong or expired\\); nothing was abandoned or overwritten: rerun once it can be read`));
    expect(jsonLines(blocked.stdout).map((event) => event.event)).not.toContain("abandoned");
    expect(summaryOf(blocked)).toMatchObject({ outcome: "failed", exitCode: 5, recordsDelivered: 0 });
    expect(blocked.stdout).not.toContain("sig=");
    expect(sent()).toEqual(recordsOf(versionA).slice(0, 3));
    // Nothing overwritten, no new version pinned over it: the copy and the job's state are as the first run left them.
    expect((await kept.getBlockBlobClient(`${key}.csv`).getProperties()).etag).toBe(copyBefore.etag);
    expect((await state.getBlockBlobClient(`jobs/${key}.json`).downloadToBuffer()).toString("utf8")).toBe(stateBefore);

    const finished = await upload(csvUrl, ["--records-per-call", "3"]);
    expect(finished.code).toBe(0);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
  });

  it("abandons, and says so with the exact count, only a copy in hr-kept that is gone (404)", async () => {
    const { versionA, csvUrl } = await partlyDelivered(9);
    await kept.deleteBlob(`${jobKeyOf(STANDIN_DEFAULTS.jobId)}.csv`);
    const versionB = await generatedBytes(7, 10);
    await data.getBlockBlobClient("employees.csv").uploadData(versionB);
    const next = await upload(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout)).toContainEqual(expect.objectContaining({ event: "abandoned", recordsNeverDelivered: 9 }));
    expect(sent()).toEqual([...recordsOf(versionA).slice(0, 3), ...recordsOf(versionB)]);
  });

  it("refuses a copy in hr-kept written over since it was kept as corrupt state (exit 2, reset named): nothing abandoned, nothing sent", async () => {
    const { csvUrl } = await partlyDelivered(11);
    await kept.getBlockBlobClient(`${jobKeyOf(STANDIN_DEFAULTS.jobId)}.csv`).uploadData(await generatedBytes(12, 12));
    const refused = await upload(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(refused.code).toBe(2);
    expect(String(jsonLines(refused.stdout).find((event) => event.event === "failed")?.msg)).toMatch(/hr-kept: kept\/[0-9a-f]{32}\.csv is not a valid hr-upload checkpoint \(.* it was written over since it was kept; clear it with hr-upload reset --job-id /);
    expect(jsonLines(refused.stdout).map((event) => event.event)).not.toContain("abandoned");
    expect(sent()).toHaveLength(3);
  });

  it("resumes a blob the HR system appended records to as one version: the records delivered are not sent again", async () => {
    const { versionA, csvUrl } = await partlyDelivered(13);
    const more = await generatedBytes(5, 14);
    const grown = Buffer.concat([versionA, more.subarray(more.indexOf("\n") + 1)]); // records only, no second header
    await data.getBlockBlobClient("employees.csv").uploadData(grown);
    const next = await upload(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(summaryOf(next)).toMatchObject({ outcome: "delivered", recordsDelivered: 14, recordsPossiblyDuplicated: 0, recordsDeliveredTotal: 17 });
    expect(sent()).toEqual(recordsOf(grown));
    expect(await keptNames()).toEqual([]);
  });

  it("fails before sending anything, naming hr-kept, in an account that has no hr-kept yet", async () => {
    await kept.delete();
    try {
      const result = await upload(await putCsv(await generatedBytes(5)), ["--log-format", "json"]);
      expect(sent()).toEqual([]);
      expect({ code: result.code, failed: jsonLines(result.stdout).find((event) => event.event === "failed")?.msg }).toEqual({
        code: 2,
        failed: expect.stringMatching(/^cannot write the state in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/hr-kept\/[0-9a-f]{32}\.csv \(.*not found \(ContainerNotFound\)\): nothing was sent/),
      });
      expect(result.stdout).not.toContain("sig=");
    } finally {
      await kept.create();
    }
  });

  it("finishes a version whose copy an earlier hr-upload kept in hr-state (pinned/), deletes it there, and keeps the next copy in hr-kept only", async () => {
    const key = jobKeyOf(STANDIN_DEFAULTS.jobId);
    const { versionA, csvUrl } = await partlyDelivered(5);
    // As an earlier hr-upload left it: the copy under pinned/ in hr-state, the job's state naming it there.
    const copy = await kept.getBlockBlobClient(`${key}.csv`).downloadToBuffer();
    const { etag } = await state.getBlockBlobClient(`pinned/${key}.csv`).uploadData(copy);
    await kept.deleteBlob(`${key}.csv`);
    const jobBlob = state.getBlockBlobClient(`jobs/${key}.json`);
    const jobState = JSON.parse((await jobBlob.downloadToBuffer()).toString("utf8")) as { pending: { pinned: object } };
    jobState.pending.pinned = { name: `pinned/${key}.csv`, etag };
    await jobBlob.uploadData(Buffer.from(JSON.stringify(jobState)));

    const versionB = await generatedBytes(7, 6);
    await data.getBlockBlobClient("employees.csv").uploadData(versionB);
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "pass" }, { kind: "pass" }, { kind: "status", status: 400 }); // A's last 3 chunks, then B's first fails
    const next = await upload(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(next.code).toBe(5);
    expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toMatch(/^finishing .*employees\.csv .* first, from the copy kept in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/hr-state-\d+: 3 of 12 records/);
    expect(sent()).toEqual(recordsOf(versionA));
    expect(await stateNames("pinned/")).toEqual([]);
    expect(await keptNames()).toEqual([`${key}.csv`]);

    const last = await upload(csvUrl, ["--records-per-call", "3"]);
    expect(last.code).toBe(0);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
    expect([await stateNames("pinned/"), await keptNames()]).toEqual([[], []]);
  });
});

describe("the production path: HTTPS + OAuth Azurite, the Container Apps identity endpoint, the bundle configured like the job", () => {
  it("reads the CSV and keeps its state with the job's managed identity", async () => {
    const certificate = await testCertificate();
    const azurite = await Azurite.start({ certificate, oauth: true });
    const identity = await IdentityStandIn.start();
    const harness = await UploadHarness.start({ certificate });
    try {
      const bytes = await generatedBytes(9);
      expect(await azurite.putAsAdmin("hr-data?restype=container", "")).toBe(201);
      expect(await azurite.putAsAdmin("hr-state?restype=container", "")).toBe(201);
      expect(await azurite.putAsAdmin("hr-kept?restype=container", "")).toBe(201);
      expect(await azurite.putAsAdmin("hr-data/employees.csv", bytes, { "x-ms-blob-type": "BlockBlob" })).toBe(201);

      const jobEnvironment = {
        ...localJobEnvironment({ standInUrl: harness.standIn.url, caFile: certificate.certFile, identity, blobEndpoint: azurite.blobEndpoint, recordsPerCall: 4 }),
        HR_LOG_FORMAT: "json",
      };
      const result = await runBundle(["upload"], jobEnvironment);
      expect(result.stderr).toBe("");
      expect(summaryOf(result)).toMatchObject({ outcome: "delivered", recordsDelivered: 9, exitCode: 0 });
      expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(bytes));
      expect(identity.requests).toHaveLength(1); // one token, shared by the CSV and the state clients
      expect(identity.requests.every((request) => request.clientId === identity.clientId && request.resource === "https://storage.azure.com")).toBe(true);

      const status = await runBundle(["status", "--log-format", "json"], jobEnvironment);
      expect(jsonLines(status.stdout)).toContainEqual(expect.objectContaining({ event: "last-delivery", jobId: STANDIN_DEFAULTS.jobId, file: `${azurite.blobEndpoint}/hr-data/employees.csv` }));

      // Without the identity there is no way in: OAuth is really enforced.
      const withoutIdentity = { ...jobEnvironment, IDENTITY_ENDPOINT: undefined, IDENTITY_HEADER: undefined, PATH: "/nonexistent" };
      const refused = await runBundle(["validate"], withoutIdentity);
      expect(refused.code).toBe(4);
      expect(refused.stdout).toMatch(/no Storage credential: install the Azure CLI and run az login, or use a SAS URL/);
    } finally {
      await harness.close();
      await identity.close();
      await azurite.stop();
    }
  });
});
