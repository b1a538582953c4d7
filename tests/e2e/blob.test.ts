/**
 * Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 34: Azurite, eight runs of the bundle and twenty-five of its main().
 * The bundle runs what only it shows (validate and upload from Blob, status, exit 2 on a read-only container, what az is
 * given, --kept-container's wiring, a copy it may not read); the runs that prove a rule of the state in Blob run main()
 * in this process (`uploadHere`), against the same Azurite and stand-in: a bundle start costs about 0.4 s of CPU.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { delimiter, join } from "node:path";
import { expectOneLineError, jsonLines, runBundle, runCli, summaryOf, until } from "../support/cli";
import { accountSasUrl, KEPT_ACCOUNT, keptAccountClient, keptAccountSasUrl, sasUrl } from "../support/azurite";
import { BlobSuite, generatedBytes, recordsOf } from "../support/blobSuite";
import { envRecordingAz } from "../support/fakeCli";
import { newJobState } from "../../uploader/src/state/jobState";
import { jobKeyOf } from "../../uploader/src/state/stateStore";
import { STANDIN_DEFAULTS, tempDir } from "../support/standin";

/** The CSV and the state in Blob; the run lock's lease and an Azurite restart are in blob-lease.test.ts, the job's managed identity (HTTPS, OAuth) in network-bounds.test.ts. */
describe("Blob Storage: the CSV and the state in Azurite (SAS URLs)", () => {
  const suite = BlobSuite.use();
  const { putCsv, upload, uploadHere, sent, stateNames, keptNames, store } = suite;

  /** Version A (12 records, `seed`) left partly delivered by a run that failed on its second chunk (3 records a chunk): its copy in hr-kept. */
  const partlyDelivered = async (seed: number) => {
    const versionA = await generatedBytes(12, seed);
    const csvUrl = await putCsv(versionA);
    suite.harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 400 });
    expect((await uploadHere(csvUrl, ["--records-per-call", "3"])).code).toBe(5);
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

    const again = await uploadHere(csvUrl, ["--records-per-call", "5"]);
    expect(again.stdout).toMatch(/already delivered in full/);

    // status needs no more than reading and listing hr-state: a SAS for that container alone.
    const status = await runBundle(["status", "--checkpoint", sasUrl(suite.azurite, suite.state.containerName, undefined, "rl")]);
    expect(status.code).toBe(0);
    const lines = status.stdout.split("\n");
    expect(lines.findIndex((line) => /nothing-to-do/.test(line))).toBeLessThan(lines.findIndex((line) => /delivered +12 of 12 records/.test(line)));
    expect(status.stdout).toMatch(new RegExp(`job ${STANDIN_DEFAULTS.jobId}: last full delivery .*hr-data-\\d+/employees\\.csv, 12 of 12 records over 1 run`));
    expect(status.stdout + result.stdout).not.toContain("sig=");

    // A container that is not there is said to be missing (exit 2), not "no runs".
    const missing = await runBundle(["status", "--checkpoint", sasUrl(suite.azurite, "no-such-container")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: no hr-upload state in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/no-such-container: it does not exist/);
    expect(missing.stderr).not.toContain("sig=");
  });

  it("exits 2 before sending anything when it may read the state container but not write it, naming the container and the reason", async () => {
    const csvUrl = await putCsv(await generatedBytes(4));
    const readOnly = sasUrl(suite.azurite, suite.state.containerName, undefined, "rl"); // a reader's role: list and read, no write
    const result = await runBundle([...suite.harness.args(csvUrl, "--log-format", "json"), "--checkpoint", readOnly], suite.harness.env());
    const failed = jsonLines(result.stdout).find((event) => event.event === "failed");
    expect(result.code).toBe(2);
    expect(failed?.msg).toMatch(new RegExp(`^cannot write the state in \\S*/hr-state-\\d+/locks/\\w+ \\(HTTP 403 AuthorizationPermissionMismatch: .*Storage Blob Data Contributor.*\\): nothing was sent`));
    expect(summaryOf(result)).toMatchObject({ outcome: "failed", exitCode: 2 });
    expect(result.stdout).not.toContain("sig=");
    expect(suite.harness.standIn.ingestionRequests).toBe(0);
    expect(await stateNames()).toEqual([]);
  });

  it("never overwrites a job's state another writer changed meanwhile (ETag), yet takes its own retried write for its own", async () => {
    const csvUrl = await putCsv(await generatedBytes(10));
    suite.harness.standIn.ingestionDelayMs = 300;
    const running = uploadHere(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => suite.harness.standIn.received.length >= 1, "chunk 1 received");
    await until(() => suite.harness.standIn.ingestionRequests >= 2, "chunk 2 sent"); // chunk 1's checkpoint was written before
    const [jobState] = await stateNames("jobs/");
    const intruder = JSON.stringify({ written: "by someone else" });
    await suite.state.getBlockBlobClient(jobState!).upload(intruder, intruder.length);
    const result = await running;
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/another run changed this job's state meanwhile/);
    expect((await suite.state.getBlockBlobClient(jobState!).downloadToBuffer()).toString()).toBe(intruder);

    // A write whose answer was lost lands, and the SDK's retry meets a 412: it was ours, so it stands.
    const own = store();
    const key = jobState!.replace(/^jobs\/|\.json$/g, "");
    await suite.state.getBlockBlobClient(jobState!).delete();
    const saved = { ...newJobState(STANDIN_DEFAULTS.jobId, "2026-12-01T06:00:00.000Z"), revision: 1, writtenBy: "run-1" };
    await own.saveJobState(key, saved);
    await suite.state.getBlockBlobClient(jobState!).upload(JSON.stringify({ ...saved, revision: 2 }), JSON.stringify({ ...saved, revision: 2 }).length);
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

  const TRUNCATED_JOB_STATE = '{"version":2,"jobId":';
  /** Job states no run wrote: each read as corrupt by the Blob store, never reinterpreted. */
  const CORRUPT_JOB_STATES = [
    ["{}", "{}"],
    ["[]", "[]"],
    ["null", "null"],
    ["truncated", TRUNCATED_JOB_STATE],
    ["wrong types", JSON.stringify({ ...newJobState(STANDIN_DEFAULTS.jobId, "2026-12-01T06:00:00.000Z"), deliveries: "none" })],
  ];
  const putJobState = async (text: string) => {
    const key = jobKeyOf(STANDIN_DEFAULTS.jobId);
    await suite.state.getBlockBlobClient(`jobs/${key}.json`).upload(text, Buffer.byteLength(text));
    return key;
  };

  // Every shape read by the store in this process (no bundle start each); the run's refusal, exit 2 before sending, once below.
  it.each(CORRUPT_JOB_STATES)("reads a corrupt job state in the container (%s) as not a valid checkpoint, naming the blob", async (_shape, text) => {
    const key = await putJobState(text);
    await expect(store().loadJobState(key)).rejects.toThrow(new RegExp(`hr-state-\\d+/jobs/${key}\\.json is not a valid hr-upload checkpoint \\(.+\\)`));
  });

  it("drops the staged blocks of a copy it does not keep (HR rows, unreadable but stored), and never writes over a copy kept under that name", async () => {
    const store = suite.store(accountSasUrl(suite.azurite, suite.state.containerName));
    const stagedOrKept = async () => {
      const names: string[] = [];
      for await (const blob of suite.kept.listBlobsFlat({ includeUncommitedBlobs: true })) names.push(blob.name);
      return names;
    };
    // Over one block (8 MiB): staged while the file streams past, before the run knows whether it keeps the copy.
    const rows = Buffer.alloc(9 * 1024 * 1024, "alex.doe@agency.gov,2026-03-02T09:00:00Z\n");
    const dropped = await store.createPin("job");
    await dropped.write(rows);
    expect(await stagedOrKept()).toEqual(["job.csv"]);
    expect(await suite.kept.getBlockBlobClient("job.csv").exists()).toBe(false);
    await dropped.discard();
    expect(await stagedOrKept()).toEqual([]);

    const kept = await store.createPin("job");
    await kept.write(Buffer.from("EmailAddress,ResignationDate\n"));
    await kept.keep();
    const notKept = await store.createPin("job");
    await notKept.write(rows);
    await notKept.discard();
    expect(await stagedOrKept()).toEqual(["job.csv"]);
    expect((await suite.kept.getBlockBlobClient("job.csv").downloadToBuffer()).toString()).toBe("EmailAddress,ResignationDate\n");
  });

  it("reads a kept copy whose container does not exist as unavailable (a mistyped --kept-container abandons nothing), and refuses to take it as deleted, naming the container and --kept-container", async () => {
    const store = suite.store(accountSasUrl(suite.azurite, suite.state.containerName), accountSasUrl(suite.azurite, "hr-kept-never-made"));
    expect(store.keptContainer).toBe(`${suite.azurite.blobEndpoint}/hr-kept-never-made`);
    expect(suite.store(accountSasUrl(suite.azurite, suite.state.containerName)).keptContainer).toBeUndefined();
    expect(await store.openPinned({ name: "kept/job.csv", etag: '"0x1"' })).toEqual({ kind: "unavailable", reason: expect.stringContaining("hr-kept-never-made/job.csv not found (ContainerNotFound)") });
    await expect(store.deletePinned({ name: "kept/job.csv" })).rejects.toThrow(
      `the container of kept copies ${suite.azurite.blobEndpoint}/hr-kept-never-made does not exist, so the kept copy ${suite.azurite.blobEndpoint}/hr-kept-never-made/job.csv was not deleted; give the run's --kept-container`,
    );
  });

  it("reads a kept copy that Storage answers 503 for (after its retries) as unavailable, naming the status: never as gone", async () => {
    const busy = createServer((request, response) => {
      request.resume();
      response.writeHead(503, { "x-ms-error-code": "ServerBusy" }).end();
    });
    await new Promise<void>((listening) => busy.listen(0, "127.0.0.1", () => listening()));
    try {
      const keptUrl = `http://127.0.0.1:${(busy.address() as AddressInfo).port}/devstoreaccount1/hr-kept?sv=2024-11-04&sig=not-checked`;
      const store = suite.store(accountSasUrl(suite.azurite, suite.state.containerName), keptUrl);
      expect(await store.openPinned({ name: "kept/job.csv", etag: '"0x1"' })).toEqual({ kind: "unavailable", reason: expect.stringContaining("(HTTP 503 ServerBusy)") });
    } finally {
      busy.closeAllConnections();
      busy.close();
    }
  });

  it("takes the empty blob a discard leaves when stopped or retried for none of a kept copy: deleted by the next discard, read as a copy gone", async () => {
    const store = suite.store(accountSasUrl(suite.azurite, suite.state.containerName));
    const leftover = suite.kept.getBlockBlobClient("job.csv");
    const leaveDiscarded = () => leftover.commitBlockList([], { metadata: { hruploaddiscarded: "1" } });
    // A discard's commit that landed, its answer lost: the retry finds the name taken, by its own empty blob.
    const retried = await store.createPin("job");
    await retried.write(Buffer.alloc(9 * 1024 * 1024, "alex.doe@agency.gov,2026-03-02T09:00:00Z\n"));
    await leaveDiscarded();
    await retried.discard();
    expect(await leftover.exists()).toBe(false);
    // One an earlier run left, with this run's blocks staged under it: both go.
    await leaveDiscarded();
    const next = await store.createPin("job");
    await next.write(Buffer.alloc(9 * 1024 * 1024, "alex.doe@agency.gov,2026-03-02T09:00:00Z\n"));
    await next.discard();
    const names: string[] = [];
    for await (const blob of suite.kept.listBlobsFlat({ includeUncommitedBlobs: true })) names.push(blob.name);
    expect(names).toEqual([]);
    // A run stopped between a discard's commit and its delete, while the state still names a copy that was lost: the next run finds it gone (kept again, or abandoned), not written over.
    const kept = await store.createPin("job");
    await kept.write(Buffer.from("EmailAddress,ResignationDate\n"));
    const copy = await kept.keep();
    await leaveDiscarded();
    expect((await store.openPinned(copy)).kind).toBe("gone");
    await leftover.commitBlockList([]);
    expect((await store.openPinned(copy)).kind).toBe("replaced");
  });

  it("drops the staged blocks of a file it does not send (invalid), in a real run", async () => {
    const valid = await generatedBytes(90_000);
    expect(valid.length).toBeGreaterThan(8 * 1024 * 1024); // over one staged block
    const result = await uploadHere(await putCsv(Buffer.concat([valid, Buffer.from("alex.doe@agency.gov,not a date,2026-03-20T17:00:00Z\n")])));
    expect(result.code).toBe(3);
    expect(suite.harness.standIn.ingestionRequests).toBe(0);
    const left: string[] = [];
    for await (const blob of suite.kept.listBlobsFlat({ includeUncommitedBlobs: true })) left.push(blob.name);
    expect(left).toEqual([]);
  });

  it("takes an admin's Storage token from az with only the variables az needs: never the app's secret or another HR_* setting (issue 18's item 9)", async () => {
    const az = envRecordingAz(tempDir("hr-fake-az-"));
    // A Blob URL without a SAS, outside Container Apps: the admin's az login signs the requests (here to the stand-in, which has no such blob).
    const csvUrl = `${suite.harness.standIn.url}/devstoreaccount1/hr-data/employees.csv`;
    const env = suite.harness.env({ PATH: `${az.bin}${delimiter}${process.env.PATH}`, AZURE_CONFIG_DIR: join(az.bin, ".azure"), HR_APP_SECRET: "never-for-az", HR_JOB_ID: "never-for-az-either" });
    const result = await runBundle(["validate", "--csv", csvUrl], env);
    expect(az.calls().map((call) => call.argv)).toEqual([["account", "get-access-token", "--output", "json", "--resource", "https://storage.azure.com"]]);
    expect(az.calls()[0]?.env.filter((name) => !["PWD", "SHLVL", "_"].includes(name))).toEqual(["AZURE_CONFIG_DIR", "PATH"]);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toMatch(/never-for-az|storage-token/);
  });

  it("refuses a corrupt job state in the container with exit 2, naming it and the reset, before sending anything", async () => {
    const csvUrl = await putCsv(await generatedBytes(3));
    const key = await putJobState(TRUNCATED_JOB_STATE);
    const result = await uploadHere(csvUrl);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`hr-state-\\d+/jobs/${key}\\.json is not a valid hr-upload checkpoint \\(.+; clear it with hr-upload reset --job-id ${STANDIN_DEFAULTS.jobId}`));
    expect(result.stderr).not.toContain("sig=");
    expect(suite.harness.standIn.ingestionRequests).toBe(0);
  });

  it("finishes the version it validated when the CSV is replaced mid-run, then sends the new one", async () => {
    const first = await generatedBytes(20, 1);
    const csvUrl = await putCsv(first);
    suite.harness.standIn.ingestionDelayMs = 250;
    const running = uploadHere(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => suite.harness.standIn.ingestionRequests >= 2, "the second request");
    const replacement = await generatedBytes(20, 2);
    await suite.data.getBlockBlobClient("employees.csv").uploadData(replacement);
    const result = await running;
    expect(result.code).toBe(0);
    expect(summaryOf(result)).toMatchObject({ outcome: "delivered", recordsDelivered: 20 });

    suite.harness.standIn.ingestionDelayMs = 0;
    const next = await uploadHere(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/the file changed since the last run: sending the new version/);
    expect(sent()).toEqual([...recordsOf(first), ...recordsOf(replacement)]);
  });

  it("finishes a partly delivered version from the copy kept in hr-kept (never in hr-state), though the HR system replaced the blob", async () => {
    const { versionA, csvUrl } = await partlyDelivered(3);
    expect(await keptNames()).toEqual([`${jobKeyOf(STANDIN_DEFAULTS.jobId)}.csv`]);
    expect(await stateNames("pinned/")).toEqual([]);
    const versionB = await generatedBytes(7, 4);
    await suite.data.getBlockBlobClient("employees.csv").uploadData(versionB);
    const next = await uploadHere(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toMatch(/^finishing .*employees\.csv .* first, from the copy kept in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/hr-kept: 3 of 12 records/);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
    expect(await keptNames()).toEqual([]);
  });

  it("keeps its copy in --kept-container, another account (its own key and SAS), finishes from there, resets there, names it in the reset command, and refuses the setting beside a state folder", async () => {
    const apart = keptAccountClient(suite.azurite).getContainerClient(`hr-kept-${suite.state.containerName}`);
    await apart.create();
    const keptUrl = keptAccountSasUrl(suite.azurite, apart.containerName);
    try {
      const keptArgs = ["--records-per-call", "3", "--log-format", "json", "--kept-container", keptUrl];
      const versionA = await generatedBytes(12, 21);
      const csvUrl = await putCsv(versionA);
      suite.harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 400 });
      expect((await upload(csvUrl, keptArgs)).code).toBe(5);
      const copies: string[] = [];
      for await (const blob of apart.listBlobsFlat()) copies.push(blob.name);
      expect([copies, await keptNames(), await stateNames("pinned/")]).toEqual([[`${jobKeyOf(STANDIN_DEFAULTS.jobId)}.csv`], [], []]);

      const versionB = await generatedBytes(7, 22);
      await suite.data.getBlockBlobClient("employees.csv").uploadData(versionB);
      const next = await uploadHere(csvUrl, keptArgs);
      expect(next.code).toBe(0);
      expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toContain(`from the copy kept in ${suite.azurite.endpointOf(KEPT_ACCOUNT)}/${apart.containerName}: 3 of 12 records`);
      expect(next.stdout).not.toContain("sig=");
      expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
      expect((await apart.listBlobsFlat().next()).done).toBe(true);

      // reset removes a version under way and its copy there; a corrupt state names the reset with --kept-container.
      await suite.data.getBlockBlobClient("employees.csv").uploadData(await generatedBytes(12, 23));
      suite.harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 400 });
      expect((await uploadHere(csvUrl, keptArgs)).code).toBe(5);
      expect((await apart.listBlobsFlat().next()).done).toBe(false);
      // In-process from here: the bundle's wiring of --kept-container is shown above.
      const reset = await runCli(["reset", "--job-id", STANDIN_DEFAULTS.jobId, "--checkpoint", accountSasUrl(suite.azurite, suite.state.containerName), "--kept-container", keptUrl]);
      expect(reset.code).toBe(0);
      expect((await apart.listBlobsFlat().next()).done).toBe(true);
      await suite.state.getBlockBlobClient(`jobs/${jobKeyOf(STANDIN_DEFAULTS.jobId)}.json`).uploadData(Buffer.from("{}"));
      const corrupt = await runCli(suite.blobArgs(csvUrl, ...keptArgs), suite.harness.env());
      expect(corrupt.code).toBe(2);
      expect(String(jsonLines(corrupt.stdout).find((event) => event.event === "failed")?.msg)).toContain(`--checkpoint ${suite.azurite.blobEndpoint}/${suite.state.containerName} --kept-container ${suite.azurite.endpointOf(KEPT_ACCOUNT)}/${apart.containerName}`);
    } finally {
      await apart.delete();
    }
    const local = await runCli([...suite.harness.args("employees.csv"), "--checkpoint", tempDir(), "--kept-container", "https://kept.blob.core.usgovcloudapi.net/hr-kept"], suite.harness.env());
    expectOneLineError(local, 2, /^error: --kept-container is for a Blob --checkpoint; with a state folder, copies are kept in its kept\/ folder$/);
  });

  it("fails with exit 5, abandoning, overwriting and pinning nothing, when the copy in hr-kept is there but cannot be read (403); the next run finishes it", async () => {
    const key = jobKeyOf(STANDIN_DEFAULTS.jobId);
    const { versionA, csvUrl } = await partlyDelivered(7);
    const copyBefore = await suite.kept.getBlockBlobClient(`${key}.csv`).getProperties();
    const stateBefore = (await suite.state.getBlockBlobClient(`jobs/${key}.json`).downloadToBuffer()).toString("utf8");
    const versionB = await generatedBytes(7, 8);
    await suite.data.getBlockBlobClient("employees.csv").uploadData(versionB);

    // A SAS for hr-state alone: carried to hr-kept, the service refuses it there (403) while hr-state works.
    const stateOnly = sasUrl(suite.azurite, suite.state.containerName);
    const blocked = await runBundle([...suite.harness.args(csvUrl, "--records-per-call", "3", "--log-format", "json"), "--checkpoint", stateOnly], suite.harness.env());
    expect(blocked.code).toBe(5);
    const failed = String(jsonLines(blocked.stdout).find((event) => event.event === "failed")?.msg);
    expect(failed).toMatch(new RegExp(`^the copy of .*employees\\.csv kept in http://127\\.0\\.0\\.1:\\d+/devstoreaccount1/hr-kept \\(kept/${key}\\.csv\\) cannot be read now \\(no access to .*HTTP 403 AuthorizationFailure\\): the identity needs its Storage Blob Data role there, or the SAS is wrong or expired\\); nothing was abandoned or overwritten: rerun once it can be read`));
    expect(jsonLines(blocked.stdout).map((event) => event.event)).not.toContain("abandoned");
    expect(summaryOf(blocked)).toMatchObject({ outcome: "failed", exitCode: 5, recordsDelivered: 0 });
    expect(blocked.stdout).not.toContain("sig=");
    expect(sent()).toEqual(recordsOf(versionA).slice(0, 3));
    // Nothing overwritten, no new version pinned over it: the copy and the job's state are as the first run left them.
    expect((await suite.kept.getBlockBlobClient(`${key}.csv`).getProperties()).etag).toBe(copyBefore.etag);
    expect((await suite.state.getBlockBlobClient(`jobs/${key}.json`).downloadToBuffer()).toString("utf8")).toBe(stateBefore);

    const finished = await uploadHere(csvUrl, ["--records-per-call", "3"]);
    expect(finished.code).toBe(0);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
  });

  it("abandons, and says so with the exact count, only a copy in hr-kept that is gone (404)", async () => {
    const { versionA, csvUrl } = await partlyDelivered(9);
    await suite.kept.deleteBlob(`${jobKeyOf(STANDIN_DEFAULTS.jobId)}.csv`);
    const versionB = await generatedBytes(7, 10);
    await suite.data.getBlockBlobClient("employees.csv").uploadData(versionB);
    const next = await uploadHere(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout)).toContainEqual(expect.objectContaining({ event: "abandoned", recordsNeverDelivered: 9 }));
    expect(sent()).toEqual([...recordsOf(versionA).slice(0, 3), ...recordsOf(versionB)]);
  });

  it("refuses a copy in hr-kept written over since it was kept as corrupt state (exit 2, reset named): nothing abandoned, nothing sent", async () => {
    const { csvUrl } = await partlyDelivered(11);
    await suite.kept.getBlockBlobClient(`${jobKeyOf(STANDIN_DEFAULTS.jobId)}.csv`).uploadData(await generatedBytes(12, 12));
    const refused = await uploadHere(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(refused.code).toBe(2);
    expect(String(jsonLines(refused.stdout).find((event) => event.event === "failed")?.msg)).toMatch(/hr-kept: kept\/[0-9a-f]{32}\.csv is not a valid hr-upload checkpoint \(.* it was written over since it was kept; clear it with hr-upload reset --job-id /);
    expect(jsonLines(refused.stdout).map((event) => event.event)).not.toContain("abandoned");
    expect(sent()).toHaveLength(3);
  });

  it("resumes a blob the HR system appended records to as one version: the records delivered are not sent again", async () => {
    const { versionA, csvUrl } = await partlyDelivered(13);
    const more = await generatedBytes(5, 14);
    const grown = Buffer.concat([versionA, more.subarray(more.indexOf("\n") + 1)]); // records only, no second header
    await suite.data.getBlockBlobClient("employees.csv").uploadData(grown);
    const next = await uploadHere(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(summaryOf(next)).toMatchObject({ outcome: "delivered", recordsDelivered: 14, recordsPossiblyDuplicated: 0, recordsDeliveredTotal: 17 });
    expect(sent()).toEqual(recordsOf(grown));
    expect(await keptNames()).toEqual([]);
  });

  it("fails before sending anything, naming hr-kept, in an account that has no hr-kept yet", async () => {
    await suite.kept.delete();
    try {
      const result = await uploadHere(await putCsv(await generatedBytes(5)), ["--log-format", "json"]);
      expect(sent()).toEqual([]);
      expect({ code: result.code, failed: jsonLines(result.stdout).find((event) => event.event === "failed")?.msg }).toEqual({
        code: 2,
        failed: expect.stringMatching(/^cannot write the state in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/hr-kept\/[0-9a-f]{32}\.csv \(.*not found \(ContainerNotFound\)\): nothing was sent/),
      });
      expect(result.stdout).not.toContain("sig=");
    } finally {
      await suite.kept.create();
    }
  });

  it("finishes a version whose copy an earlier hr-upload kept in hr-state (pinned/), deletes it there, and keeps the next copy in hr-kept only", async () => {
    const key = jobKeyOf(STANDIN_DEFAULTS.jobId);
    const { versionA, csvUrl } = await partlyDelivered(5);
    // As an earlier hr-upload left it: the copy under pinned/ in hr-state, the job's state naming it there.
    const copy = await suite.kept.getBlockBlobClient(`${key}.csv`).downloadToBuffer();
    const { etag } = await suite.state.getBlockBlobClient(`pinned/${key}.csv`).uploadData(copy);
    await suite.kept.deleteBlob(`${key}.csv`);
    const jobBlob = suite.state.getBlockBlobClient(`jobs/${key}.json`);
    const jobState = JSON.parse((await jobBlob.downloadToBuffer()).toString("utf8")) as { pending: { pinned: object } };
    jobState.pending.pinned = { name: `pinned/${key}.csv`, etag };
    await jobBlob.uploadData(Buffer.from(JSON.stringify(jobState)));

    const versionB = await generatedBytes(7, 6);
    await suite.data.getBlockBlobClient("employees.csv").uploadData(versionB);
    suite.harness.standIn.injectFaults({ kind: "pass" }, { kind: "pass" }, { kind: "pass" }, { kind: "status", status: 400 }); // A's last 3 chunks, then B's first fails
    const next = await uploadHere(csvUrl, ["--records-per-call", "3", "--log-format", "json"]);
    expect(next.code).toBe(5);
    expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toMatch(/^finishing .*employees\.csv .* first, from the copy kept in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/hr-state-\d+: 3 of 12 records/);
    expect(sent()).toEqual(recordsOf(versionA));
    expect(await stateNames("pinned/")).toEqual([]);
    expect(await keptNames()).toEqual([`${key}.csv`]);

    const last = await uploadHere(csvUrl, ["--records-per-call", "3"]);
    expect(last.code).toBe(0);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
    expect([await stateNames("pinned/"), await keptNames()]).toEqual([[], []]);
  });
});
