/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 32: Retry-After and token expiry waited out in real time, kill -9. */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { writeCsv } from "../../scripts/generate-csv";
import { BUNDLE, fixture, jsonLines, runCli, summaryOf, until } from "../support/cli";
import { generatedCsv, STANDIN_DEFAULTS, tempDir, UploadHarness } from "../support/standin";

/** The records of a CSV file as the service would count them (header excluded). */
function recordsOf(file: string): string[][] {
  return (parse(readFileSync(file), { bom: true, relax_column_count: true }) as string[][]).slice(1);
}

/**
 * Real MSAL and real HTTPS against the stand-in. The real bundle where the process or its command line is what a test
 * proves: a whole upload, every retryable fault (issue 18's item 2: what is possibly duplicated), kill -9, a wrong
 * secret, secrets in any output, a final answer. Further rules run the same main() in this process, among them the
 * sample script's parameter names, which cli-edge.test.ts gives the bundle's command line.
 */
describe("hr-upload upload against the stand-in (real MSAL, real HTTPS)", () => {
  let harness: UploadHarness;
  beforeEach(async () => {
    harness = await UploadHarness.start();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("delivers every record exactly once, the header in every chunk, with one token for the run", async () => {
    const file = await generatedCsv(23);
    const result = await harness.upload(file, ["--records-per-call", "5", "--log-format", "json"]);
    expect(result.code).toBe(0);
    const { standIn } = harness;
    expect(standIn.received.map((chunk) => chunk.recordCount)).toEqual([5, 5, 5, 5, 3]);
    const header = (parse(readFileSync(file), { to_line: 1 }) as string[][])[0];
    for (const chunk of standIn.received) {
      expect(chunk.header).toEqual(header);
      expect(chunk.fileName).toMatch(/\.csv$/);
      expect(chunk.jobId).toBe(STANDIN_DEFAULTS.jobId);
    }
    expect(standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(file));
    expect(standIn.recordsSaved()).toBe(23);
    expect(standIn.tokenRequests).toBe(1);
    expect(summaryOf(result)).toMatchObject({ event: "summary", outcome: "delivered", recordsDelivered: 23, chunksSent: 5, retries: 0, exitCode: 0 });
  });

  it("never splits a record at a quoted newline, even one record per call", async () => {
    const valid = join(tempDir(), "quoted.csv");
    writeFileSync(valid, readFileSync(fixture("quoted-newlines.csv"), "utf8").replace("bad-email,", "ok@agency.gov,"));
    const result = await harness.uploadHere(valid, ["--records-per-call", "1"]);
    expect(result.code).toBe(0);
    expect(harness.standIn.received).toHaveLength(4);
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(valid));
    expect(harness.standIn.received[0]!.records[0]![3]).toBe("Left on good terms,\nrehire eligible");
  });

  it("survives every retryable fault with nothing lost or doubled", async () => {
    const file = await generatedCsv(20);
    harness.standIn.injectFaults(
      { kind: "status", status: 503 },
      { kind: "status", status: 500 },
      { kind: "reset" },
      { kind: "status", status: 429, retryAfter: "0" },
      { kind: "status", status: 502 },
      { kind: "hang" },
      { kind: "status", status: 504 },
      { kind: "status", status: 408 },
    );
    const result = await harness.upload(file, ["--records-per-call", "4", "--request-timeout", "1", "--log-format", "json"]);
    expect(result.code).toBe(0);
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(file));
    // Every fault hit chunk 1; its 500, 502, 504, 503 without Retry-After, reset and hang came after the whole request was sent, so the service may hold it twice.
    expect(summaryOf(result)).toMatchObject({ outcome: "delivered", recordsDelivered: 20, retries: 8, recordsPossiblyDuplicated: 4 });
    const reasons = jsonLines(result.stdout)
      .filter((event) => event.event === "retry")
      .map((event) => String(event.reason).replace(/^chunk \d+\/\d+ \(line \d+\): /, ""));
    expect(reasons).toEqual(["HTTP 503", "HTTP 500", expect.stringMatching(/^network error talking to 127\.0\.0\.1:\d+ \(ECONNRESET\)$/), "HTTP 429", "HTTP 502", expect.stringMatching(/^no answer from 127\.0\.0\.1:\d+ within 1 s$/), "HTTP 504", "HTTP 408"]);
    const duplicates = jsonLines(result.stdout).filter((event) => event.event === "possibly-duplicated");
    expect(duplicates).toEqual([expect.objectContaining({ level: "warn", chunks: 1, records: 4, firstLines: [2] })]);
  });

  it("honours Retry-After, in seconds and as an HTTP date", async () => {
    const file = await generatedCsv(2);
    harness.standIn.injectFaults(
      { kind: "status", status: 429, retryAfter: "1" },
      { kind: "status", status: 503, retryAfter: new Date(Date.now() + 6_000).toUTCString() },
    );
    const result = await harness.uploadHere(file, ["--log-format", "json", "--retry-delay", "0"]);
    const waits = jsonLines(result.stdout).filter((event) => event.event === "retry").map((event) => event.waitMs as number);
    expect(result.code).toBe(0);
    expect(waits[0]).toBe(1000);
    // The date has one-second resolution, and the run's start and the first wait took a few seconds of it.
    expect(waits[1]).toBeGreaterThan(0);
    expect(waits[1]).toBeLessThanOrEqual(6_000);
  });

  // What a service's free text may hold: a person's address, and terminal escapes that would rewrite an admin's screen.
  const FREE_TEXT = "Rejected record of jane.doe@agency.gov \u001b[31mERROR\u001b[0m\u001b]0;owned\u0007";
  const expectNoFreeText = (output: string) => {
    for (const part of ["jane.doe", "Rejected", "owned", "\u001b", "\u0007"]) expect(output).not.toContain(part);
  };

  // 400 with the real bundle, the other final answers by the same main() here.
  it.each([
    [400, true],
    [404, false],
    [413, false],
  ])("does not retry HTTP %i and exits 5, naming the answer by its size and digest, never its text", async (status, bundle) => {
    harness.standIn.injectFaults({ kind: "status", status, body: FREE_TEXT });
    const csv = await generatedCsv(3);
    const result = bundle ? await harness.upload(csv) : await harness.uploadHere(csv);
    expect(result.code).toBe(5);
    expect(harness.standIn.ingestionRequests).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`HTTP ${status}.*The service answered a ${Buffer.byteLength(FREE_TEXT)}-byte answer \\(sha256 [0-9a-f]{12}\\)`));
    expectNoFreeText(result.stdout + result.stderr);
  });

  it("logs only RecordsSaved and RequestId of a success, whatever else the answer holds", async () => {
    const answer = JSON.stringify({ RecordsSaved: 3, RequestId: "5f0c2a9e-0000-4000-8000-000000000001", Message: FREE_TEXT, Owner: "jane.doe@agency.gov" });
    harness.standIn.injectFaults({ kind: "status", status: 200, body: answer });
    const result = await harness.uploadHere(await generatedCsv(3), ["--log-format", "json"]);
    expect(result.code).toBe(0);
    const delivered = jsonLines(result.stdout).find((event) => event.event === "chunk-delivered");
    expect(delivered).toMatchObject({ recordsSaved: 3 });
    expect(delivered?.msg).toContain("5f0c2a9e-0000-4000-8000-000000000001");
    expectNoFreeText(result.stdout + result.stderr);
  });

  it("refreshes the token once on 401, then fails with exit 4", async () => {
    const file = await generatedCsv(3);
    harness.standIn.injectFaults({ kind: "status", status: 401 });
    expect((await harness.uploadHere(file)).code).toBe(0);
    expect(harness.standIn.tokenRequests).toBe(2);

    harness.standIn.injectFaults({ kind: "status", status: 401 }, { kind: "status", status: 401 });
    const refused = await harness.uploadHere(file, ["--force"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/HTTP 401: the ingestion service refused a freshly issued token/);
  });

  it("gives up after --max-retries and keeps the checkpoint, so a rerun sends only the rest", async () => {
    const file = await generatedCsv(12);
    // Chunk 1 of 3 goes through; chunk 2 fails on every attempt (1 + 2 retries).
    harness.standIn.injectFaults({ kind: "pass" }, ...Array.from({ length: 3 }, () => ({ kind: "status" as const, status: 503 })));
    const failed = await harness.uploadHere(file, ["--records-per-call", "4", "--max-retries", "2", "--log-format", "json"]);
    expect(failed.code).toBe(5);
    expect(summaryOf(failed)).toMatchObject({ outcome: "failed", errorClass: "upload", exitCode: 5, recordsDelivered: 4, retries: 2 });
    expect(jsonLines(failed.stdout)).toContainEqual(expect.objectContaining({ event: "failed", msg: "gave up after 3 attempts; last failure: HTTP 503" }));

    const resumed = await harness.uploadHere(file, ["--records-per-call", "4", "--log-format", "json"]);
    expect(resumed.code).toBe(0);
    expect(summaryOf(resumed)).toMatchObject({ recordsDelivered: 8, recordsDeliveredTotal: 12 });
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(file));
  });

  it("resumes after kill -9 mid-run and delivers the rest exactly once", async () => {
    const file = await generatedCsv(20);
    // The stand-in holds the 4th request unanswered (no timing: a slow machine once let a delayed 4th answer in before the kill).
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "pass" }, { kind: "pass" }, { kind: "hang" });
    const child = spawn(process.execPath, [BUNDLE, ...harness.args(file, "--records-per-call", "2")], { env: { PATH: process.env.PATH, ...harness.env() }, stdio: "ignore" });
    // Kill while the 4th request is held: chunks 1-3 are delivered and checkpointed.
    const closed = new Promise((exited) => child.on("close", exited));
    try {
      await until(() => harness.standIn.ingestionRequests >= 4, "the 4th request");
    } finally {
      child.kill("SIGKILL");
    }
    await closed;
    expect(harness.standIn.received).toHaveLength(3);

    const rerun = await harness.uploadHere(file, ["--records-per-call", "2", "--log-format", "json"]);
    expect(rerun.code).toBe(0);
    const events = jsonLines(rerun.stdout);
    expect(events.find((event) => event.event === "resume")?.msg).toMatch(/^resuming .*: 6 of 20 records were delivered by earlier runs$/);
    // Chunk 4 was in flight when the run died: it is sent again and named, though here the service never kept it.
    expect(events.find((event) => event.event === "possibly-duplicated")).toMatchObject({ level: "warn", chunks: 1, records: 2, firstLines: [8] });
    expect(summaryOf(rerun)).toMatchObject({ outcome: "delivered", recordsDelivered: 14, recordsPossiblyDuplicated: 2, recordsDeliveredTotal: 20 });
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(file));
    // One version delivered over two runs is one delivery.
    const status = await runCli(["status", "--checkpoint", harness.checkpointDir]);
    expect(status.stdout).toMatch(new RegExp(`job ${STANDIN_DEFAULTS.jobId}: last full delivery .*employees\\.csv, 20 of 20 records over 2 runs, 2 possibly duplicated`));
  });

  it("sends nothing for a file already delivered, unless --force or the file changed", async () => {
    const file = await generatedCsv(6);
    expect((await harness.uploadHere(file)).code).toBe(0);
    const requests = harness.standIn.ingestionRequests;
    const again = await harness.uploadHere(file);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already delivered in full to this job on .*nothing to do/);
    expect(harness.standIn.ingestionRequests).toBe(requests);
    expect(harness.standIn.tokenRequests).toBe(1);

    expect((await harness.uploadHere(file, ["--force"])).code).toBe(0);
    expect(harness.standIn.recordsSaved()).toBe(12);
    expect((await harness.uploadHere(file, ["--resend-after-days", "0"])).stdout).toMatch(/older than 0 days/);

    writeFileSync(file, readFileSync(file, "utf8") + "new.leaver@agency.gov,2026-05-01T09:00:00Z,2026-05-15T17:00:00Z,Finance,\n");
    const changed = await harness.uploadHere(file);
    expect(changed.stdout).toMatch(/the file changed since the last run: sending the new version/);
    expect(harness.standIn.recordsSaved()).toBe(6 * 3 + 7);
  });

  it("exits 4 within seconds on a wrong secret, naming the AADSTS code, and never prints the secret", async () => {
    const started = Date.now();
    const result = await harness.upload(await generatedCsv(3), [], { HR_APP_SECRET: "Wr0ng-Secret-Value" });
    expect(result.code).toBe(4);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.stderr).toMatch(/sign-in refused \(AADSTS7000215\): the client secret is wrong/);
    expect(result.stdout + result.stderr).not.toContain("Wr0ng-Secret-Value");
    expect(harness.standIn.ingestionRequests).toBe(0);
  });

  it("explains an expired secret", async () => {
    await harness.close();
    harness = await UploadHarness.start({ secretExpired: true });
    const result = await harness.uploadHere(await generatedCsv(1));
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/AADSTS7000222.*expired.*secretRotation/);
  });

  it("exits 5 within seconds on a job ID that is not the app's, explained", async () => {
    const started = Date.now();
    const args = harness.args(await generatedCsv(3)).map((arg) => (arg === STANDIN_DEFAULTS.jobId ? "11111111-2222-3333-4444-555555555555" : arg));
    const result = await runCli(args, harness.env());
    expect(result.code).toBe(5);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.stderr).toMatch(/HTTP 403: the job ID does not belong to this app ID; check --job-id against the connector's flyout and --app-id\./);
    expect(harness.standIn.ingestionRequests).toBe(1);
  });

  it("never prints the secret or any token, in any format, even when passed as a flag", async () => {
    const file = await generatedCsv(4);
    harness.standIn.injectFaults({ kind: "status", status: 401 }, { kind: "status", status: 503 });
    const outputs = [
      await harness.upload(file, ["--records-per-call", "2"]),
      await harness.upload(file, ["--force", "--log-format", "json", "--app-secret", STANDIN_DEFAULTS.clientSecret], { HR_APP_SECRET: undefined }),
      await harness.upload(file, ["--force", "--dry-run"]),
    ];
    expect(harness.standIn.issuedTokens.size).toBeGreaterThan(1);
    for (const { stdout, stderr } of outputs) {
      expect(stdout + stderr).not.toContain(STANDIN_DEFAULTS.clientSecret);
      for (const token of harness.standIn.issuedTokens) expect(stdout + stderr).not.toContain(token);
    }
    expect(outputs[1]!.stdout).toMatch(/"event":"insecure-secret"/);
  });

  it("sends nothing from an invalid file (exit 3), and only the valid records with --skip-invalid", async () => {
    const file = join(tempDir(), "mixed.csv");
    const injected = await writeCsv(file, { records: 30, seed: 5, errorRate: 0.2 });
    expect(injected.length).toBeGreaterThan(2);
    const refused = await harness.uploadHere(file, ["--records-per-call", "7"]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(new RegExp(`^line ${injected[0]!.line}: `, "m"));
    expect(harness.standIn.tokenRequests + harness.standIn.ingestionRequests).toBe(0);

    const skipped = await harness.uploadHere(file, ["--records-per-call", "7", "--skip-invalid", "--log-format", "json"]);
    expect(skipped.code).toBe(0);
    expect(summaryOf(skipped)).toMatchObject({ valid: 30 - injected.length, invalid: injected.length, recordsDelivered: 30 - injected.length });
    const sent = harness.standIn.received.flatMap((chunk) => chunk.records);
    expect(sent).toHaveLength(30 - injected.length);
    for (const record of sent) {
      expect(record).toHaveLength(5);
      expect(record[0]).toMatch(/^\S+@agency\.gov$/);
      expect(record[1]).not.toBe("2026-02-30T09:00:00Z");
      expect(record[2]).not.toBe("");
    }
    expect(harness.standIn.received.every((chunk) => chunk.recordCount <= 7)).toBe(true);
  });

  it("--dry-run validates and prints the plan without any network", async () => {
    const result = await harness.uploadHere(await generatedCsv(11), ["--records-per-call", "5", "--dry-run"], { HR_APP_SECRET: undefined });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/would POST 3 chunks \(11 records, \d+ bytes\) to https:\/\/127\.0\.0\.1:\d+\/api\/signals\?jobid=e081f4f4/);
    expect(result.stdout).toMatch(/^chunk 3: 1 record from line \d+/m);
    expect(harness.standIn.tokenRequests + harness.standIn.ingestionRequests).toBe(0);
  });

  it("uploads in parallel with --concurrency, still exactly once", async () => {
    const file = await generatedCsv(50);
    harness.standIn.ingestionDelayMs = 50;
    harness.standIn.injectFaults({ kind: "status", status: 503 }, { kind: "reset" });
    const result = await harness.uploadHere(file, ["--records-per-call", "3", "--concurrency", "4"]);
    expect(result.code).toBe(0);
    const sent = harness.standIn.received.flatMap((chunk) => chunk.records);
    expect(sent).toHaveLength(50);
    expect(new Set(sent.map((record) => record[0])).size).toBe(50);
    expect(harness.standIn.tokenRequests).toBe(1);
  });

  it("accepts Microsoft's script parameter names, so switching is one word", async () => {
    const file = await generatedCsv(2);
    const args = harness
      .args(file)
      .map((arg) => ({ "--tenant-id": "--tenantId", "--app-id": "--appId", "--job-id": "--jobId", "--csv": "--csvFilePath" })[arg] ?? arg);
    const result = await runCli([...args, "--RecordsPerCall", "1"], harness.env());
    expect(result.code).toBe(0);
    expect(harness.standIn.received).toHaveLength(2);
  });

  it("warns, in a form the alert rule catches, when the secret expires within 30 days", async () => {
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const result = await harness.uploadHere(await generatedCsv(1), ["--log-format", "json"], { HR_SECRET_EXPIRES_ON: soon });
    expect(jsonLines(result.stdout)).toContainEqual(expect.objectContaining({ level: "warn", event: "secret-expiring", expiresOn: soon }));
    const later = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    const quiet = await harness.uploadHere(await generatedCsv(1), ["--log-format", "json", "--force"], { HR_SECRET_EXPIRES_ON: later });
    expect(jsonLines(quiet.stdout).some((event) => event.event === "secret-expiring")).toBe(false);
  });

  it("gets a new token when the cached one nears expiry, between chunks", async () => {
    await harness.close();
    // MSAL treats a token as expired 300 s before its end: this one is good for about 1 s, and the 4 chunks take 3 s.
    harness = await UploadHarness.start({ tokenLifetimeSeconds: 301 });
    harness.standIn.ingestionDelayMs = 750;
    const result = await harness.uploadHere(await generatedCsv(8), ["--records-per-call", "2"]);
    expect(result.code).toBe(0);
    expect(harness.standIn.recordsSaved()).toBe(8);
    expect(harness.standIn.tokenRequests).toBeGreaterThanOrEqual(2);
    expect(harness.standIn.tokenRequests).toBeLessThanOrEqual(5); // at most one per chunk, plus the first

  });

  it("times out a token request that hangs, retries it, and exits 4 when it never answers", async () => {
    harness.standIn.injectTokenFaults({ kind: "hang" });
    const survived = await harness.uploadHere(await generatedCsv(2), ["--request-timeout", "1"]);
    expect(survived.code).toBe(0);
    expect(harness.standIn.tokenRequests).toBe(2);

    harness.standIn.injectTokenFaults({ kind: "hang" }, { kind: "hang" });
    const started = Date.now();
    const gaveUp = await harness.uploadHere(await generatedCsv(3), ["--request-timeout", "1", "--max-retries", "1"]);
    expect(gaveUp.code).toBe(4);
    expect(gaveUp.stderr).toMatch(/could not get a token after 2 attempts/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(harness.standIn.ingestionRequests).toBe(1);
  });

  it("treats a token response without a token as an authentication failure", async () => {
    harness.standIn.injectTokenFaults({ kind: "status", status: 200, body: "{}" });
    const result = await harness.uploadHere(await generatedCsv(2));
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/answered without an access token/);
    expect(harness.standIn.ingestionRequests).toBe(0);
  });

  it("prints each delivered chunk with the service's RecordsSaved, and a summary with token requests and duration", async () => {
    const result = await harness.uploadHere(await generatedCsv(3), ["--records-per-call", "2"]);
    expect(result.stdout).toMatch(/^chunk 1\/2: 2 records delivered \(HTTP 200; RecordsSaved 2, RequestId [0-9a-f-]{36}\)$/m);
    expect(result.stdout).toMatch(/^chunk 2\/2: 1 record delivered \(HTTP 200; RecordsSaved 1, RequestId [0-9a-f-]{36}\)$/m);
    expect(result.stdout).toMatch(/^delivered 3 records in 2 chunks \(0 retries, 1 token request, \d+\.\d s\)$/m);
  });

  it("takes -FilePath and -appSecret from the sample script too", async () => {
    const args = harness.args(await generatedCsv(2)).map((arg) => (arg === "--csv" ? "--FilePath" : arg));
    const result = await runCli([...args, "--appSecret", STANDIN_DEFAULTS.clientSecret], { ...harness.env(), HR_APP_SECRET: undefined });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/--app-secret is visible in process lists/);
  });

  it("resumes exactly with a lower --records-per-call after a 413, as its message advises, with no --force", async () => {
    const file = await generatedCsv(12);
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 413 });
    const refused = await harness.uploadHere(file, ["--records-per-call", "4"]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/HTTP 413: the chunk is too large for the service; rerun with a lower --records-per-call \(it resumes where this run stopped\)/);
    const halved = await harness.uploadHere(file, ["--records-per-call", "2", "--log-format", "json"]);
    expect(halved.code).toBe(0);
    expect(summaryOf(halved)).toMatchObject({ recordsDelivered: 8, chunksSent: 4, recordsPossiblyDuplicated: 0 });
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(file));
    const forced = await harness.uploadHere(file, ["--records-per-call", "5", "--force"]);
    expect(forced.code).toBe(0);
    expect(harness.standIn.recordsSaved()).toBe(12 + 12);
  });
});
