import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AnonymousCredential, type ContainerClient } from "@azure/storage-blob";
import { parse } from "csv-parse/sync";
import { writeCsv } from "../../scripts/generate-csv";
import { IdentityStandIn } from "../../scripts/identityStandin";
import { localJobEnvironment } from "../../scripts/lib/jobEnvironment";
import { makeLoopbackCertificate } from "../../scripts/lib/loopbackCert";
import { blobStateStore } from "../../uploader/src/state/blobState";
import { parseBlobUrl } from "../../uploader/src/storage/blobUrl";
import { BUNDLE, jsonLines, runBundle, type CliResult } from "../support/cli";
import { adminClient, Azurite, sasUrl } from "../support/azurite";
import { STANDIN_DEFAULTS, tempDir, UploadHarness } from "../support/standin";

const summaryOf = (result: CliResult) => jsonLines(result.stdout).at(-1) as Record<string, unknown>;
const recordsOf = (bytes: Buffer) => (parse(bytes, { bom: true, relax_column_count: true }) as string[][]).slice(1);
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((later) => setTimeout(later, 20));
};

async function generatedBytes(records: number, seed = records): Promise<Buffer> {
  const file = join(tempDir(), "employees.csv");
  await writeCsv(file, { records, seed });
  return readFileSync(file);
}

describe("Blob Storage: the CSV and the state in Azurite (SAS URLs)", () => {
  let azurite: Azurite;
  let harness: UploadHarness;
  let data: ContainerClient;
  let state: ContainerClient;
  let testNumber = 0;

  beforeAll(async () => {
    azurite = await Azurite.start();
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
  });
  afterEach(async () => {
    await harness.close();
  });

  const putCsv = async (bytes: Buffer, name = "employees.csv") => {
    await data.getBlockBlobClient(name).uploadData(bytes);
    return sasUrl(azurite, data.containerName, name);
  };
  const blobArgs = (csvUrl: string, ...extra: string[]) => [...harness.args(csvUrl, ...extra), "--checkpoint", sasUrl(azurite, state.containerName)];
  const upload = (csvUrl: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) => runBundle(blobArgs(csvUrl, ...extra), harness.env(env));

  it("streams and hashes the blob, and validates it like a local file", async () => {
    const bytes = await generatedBytes(20_000);
    const result = await runBundle(["validate", "--csv", await putCsv(bytes), "--log-format", "json"]);
    expect(result.code).toBe(0);
    expect(summaryOf(result)).toMatchObject({ recordsRead: 20_000, valid: 20_000, sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(result.stdout).not.toContain("sig=");
  });

  it("uploads from Blob with Blob checkpoints, writes a run record, and status reports it", async () => {
    const bytes = await generatedBytes(12);
    const csvUrl = await putCsv(bytes);
    const result = await upload(csvUrl, ["--records-per-call", "5", "--log-format", "json"]);
    expect(result.code).toBe(0);
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(bytes));
    for await (const blob of state.listBlobsFlat()) expect(blob.name).toMatch(/^(checkpoints\/[0-9a-f]{32}\.json|locks\/[0-9a-f]{32}|runs\/.+\.json)$/);

    const again = await upload(csvUrl, ["--records-per-call", "5"]);
    expect(again.stdout).toMatch(/already delivered in full/);

    const status = await runBundle(["status", "--checkpoint", sasUrl(azurite, state.containerName)]);
    expect(status.code).toBe(0);
    const lines = status.stdout.split("\n");
    expect(lines.findIndex((line) => /nothing-to-do/.test(line))).toBeLessThan(lines.findIndex((line) => /delivered +12 of 12 records/.test(line)));
    expect(status.stdout).toMatch(new RegExp(`job ${STANDIN_DEFAULTS.jobId}: .*hr-data-\\d+/employees\\.csv, 12 records`));
    expect(status.stdout + result.stdout).not.toContain("sig=");
  });

  it("resumes from the Blob checkpoint after kill -9 and sends the rest exactly once", async () => {
    const bytes = await generatedBytes(20);
    const csvUrl = await putCsv(bytes);
    harness.standIn.ingestionDelayMs = 300;
    const child = spawn(process.execPath, [BUNDLE, ...blobArgs(csvUrl, "--records-per-call", "2")], { env: { PATH: process.env.PATH, ...harness.env() }, stdio: "ignore" });
    await until(() => harness.standIn.ingestionRequests >= 4);
    child.kill("SIGKILL");
    await new Promise((exited) => child.on("close", exited));

    harness.standIn.ingestionDelayMs = 0;
    // The killed run's lease has not expired yet: a rerun now stands down, and says so.
    const early = await upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    expect(early.code).toBe(0);
    expect(summaryOf(early)).toMatchObject({ outcome: "locked" });

    await new Promise((later) => setTimeout(later, 31_000)); // the lease (30 s) expires by itself
    const rerun = await upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    expect(rerun.code).toBe(0);
    expect(jsonLines(rerun.stdout).find((event) => event.event === "resume")?.msg).toMatch(/3 of 10 chunks/);
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(bytes));
  }, 90_000);

  it("lets only one of two concurrent runs on the same file and job work", async () => {
    const bytes = await generatedBytes(10);
    const csvUrl = await putCsv(bytes);
    harness.standIn.ingestionDelayMs = 300;
    const first = upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => harness.standIn.ingestionRequests >= 1);
    const second = await upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    expect(second.code).toBe(0);
    expect(summaryOf(second)).toMatchObject({ outcome: "locked", recordsDelivered: 0 });
    expect(second.stdout).toMatch(/another run holds the lock/);
    expect((await first).code).toBe(0);
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(bytes));
  });

  it("stops vouching for its lease once renewals fail, so a run cannot send after losing it", async () => {
    const store = blobStateStore(parseBlobUrl(sasUrl(azurite, state.containerName), "--checkpoint"), new AnonymousCredential());
    const lock = await store.acquireLock("k");
    expect(lock).toBeDefined();
    expect(await store.acquireLock("k")).toBeUndefined();
    await state.getBlobClient("locks/k").getBlobLeaseClient().breakLease(0); // taken away behind its back
    expect(() => lock!.assertHeld()).not.toThrow();
    await new Promise((later) => setTimeout(later, 21_000)); // past the last renewal that succeeded + 20 s
    expect(() => lock!.assertHeld()).toThrow(/lost the run lock/);
    await lock!.release();
  }, 40_000);

  it("never overwrites a checkpoint another writer changed meanwhile (ETag)", async () => {
    const csvUrl = await putCsv(await generatedBytes(10));
    harness.standIn.ingestionDelayMs = 300;
    const running = upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => harness.standIn.received.length >= 1);
    await until(() => harness.standIn.ingestionRequests >= 2); // chunk 1's checkpoint is written before chunk 2 is sent
    const [checkpoint] = await (async () => {
      const names: string[] = [];
      for await (const blob of state.listBlobsFlat({ prefix: "checkpoints/" })) names.push(blob.name);
      return names;
    })();
    const intruder = JSON.stringify({ written: "by someone else" });
    await state.getBlockBlobClient(checkpoint!).upload(intruder, intruder.length);

    const result = await running;
    expect(result.code).toBe(5);
    expect(result.stderr + result.stdout).toMatch(/another run changed this file's checkpoint meanwhile/);
    expect((await state.getBlockBlobClient(checkpoint!).downloadToBuffer()).toString()).toBe(intruder);
  });

  it("rides out an Azurite restart mid-run with nothing lost or doubled", async () => {
    const bytes = await generatedBytes(20);
    const csvUrl = await putCsv(bytes);
    harness.standIn.ingestionDelayMs = 250;
    const running = upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => harness.standIn.ingestionRequests >= 3);
    await azurite.restart();
    const result = await running;
    expect(result.code).toBe(0);
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(bytes));
  }, 90_000);

  it("stops cleanly when the CSV is replaced mid-read, and the next run sends the new file from the start", async () => {
    const csvUrl = await putCsv(await generatedBytes(20, 1));
    harness.standIn.ingestionDelayMs = 250;
    const running = upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    await until(() => harness.standIn.ingestionRequests >= 2);
    const replacement = await generatedBytes(20, 2);
    await data.getBlockBlobClient("employees.csv").uploadData(replacement);

    const result = await running;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/was replaced while it was being read/);
    expect(summaryOf(result)).toMatchObject({ outcome: "failed", errorClass: "upload" });

    harness.standIn.ingestionDelayMs = 0;
    harness.standIn.received.length = 0;
    const next = await upload(csvUrl, ["--records-per-call", "2", "--log-format", "json"]);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/changed since the last run: starting over/);
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(replacement));
  });
});

describe("the production path: HTTPS + OAuth Azurite, the Container Apps identity endpoint, the bundle configured like the job", () => {
  it("reads the CSV and keeps its state with the job's managed identity", async () => {
    const certificate = await makeLoopbackCertificate();
    const azurite = await Azurite.start({ certificate, oauth: true });
    const identity = await IdentityStandIn.start();
    const harness = await UploadHarness.start({ certificate });
    try {
      const bytes = await generatedBytes(9);
      expect(await azurite.putAsAdmin("hr-data?restype=container", "")).toBe(201);
      expect(await azurite.putAsAdmin("hr-state?restype=container", "")).toBe(201);
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
