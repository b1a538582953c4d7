/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 13: the bundle on the Windows build of Node under Wine. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { BUNDLE, jsonLines, summaryOf, type CliResult } from "../support/cli";
import { generatedCsv, STANDIN_DEFAULTS, UploadHarness } from "../support/standin";
import { TinyProxy } from "../support/tinyproxy";
import { WineNode } from "../support/wineNode";

/**
 * The real bundle on the official Windows build of Node (22.23.3) under Wine 8, started as the README's
 * Task Scheduler set-up starts it (Task Scheduler itself is not here): node.exe C:\tools\hr-upload.js with drive-letter paths, its state in the default %LOCALAPPDATA%\hr-upload,
 * the stand-in's certificate trusted through NODE_EXTRA_CA_CERTS given as a Windows path, every request
 * through a real CONNECT proxy. Each Windows run costs Wine's start-up, so the tests are few runs in one
 * prefix, in order: validate, an upload that fails mid-way, its resume, a rerun, status, reset.
 */
const BUNDLE_ON_WINDOWS = "C:\\tools\\hr-upload.js";
const CA_ON_WINDOWS = "C:\\tools\\ca.pem";
const CSV_ON_WINDOWS = "C:\\HR\\employees.csv";
const RECORDS = 12;
/** %LOCALAPPDATA%\hr-upload, the default state folder: Wine names the profile after the Unix user. */
const STATE_ON_WINDOWS = `C:\\users\\${userInfo().username}\\AppData\\Local\\hr-upload`;

const recordsOf = (file: string): string[][] => (parse(readFileSync(file), { bom: true, relax_column_count: true }) as string[][]).slice(1);
/** Checks `assertions` about a run; a failure's message ends with what the run printed. */
function about(result: CliResult, assertions: () => void): void {
  try {
    assertions();
  } catch (error) {
    (error as Error).message += `\n\nThe run (exit ${result.code}) printed:\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
    throw error;
  }
}

describe("on Windows: the real bundle on node.exe 22.23.3 under Wine", () => {
  let windows: WineNode;
  let proxy: TinyProxy;
  let harness: UploadHarness;
  let csv: string;
  let stateOnLinux: string;

  beforeAll(async () => {
    windows = await WineNode.start(); // first: without wine64 or node.exe, this fails the file saying so, and nothing else was started
    proxy = await TinyProxy.start();
    harness = await UploadHarness.start();
    csv = await generatedCsv(RECORDS, 19);
    windows.put(BUNDLE_ON_WINDOWS, BUNDLE);
    windows.put(CA_ON_WINDOWS, harness.standIn.caFile);
    windows.put(CSV_ON_WINDOWS, csv);
    stateOnLinux = windows.onLinux(STATE_ON_WINDOWS);
  });
  afterAll(async () => {
    await Promise.all([windows?.stop(), proxy?.stop(), harness?.close()]);
  });

  const hrUpload = (args: string[]) =>
    windows.node([BUNDLE_ON_WINDOWS, ...args], {
      HR_APP_SECRET: STANDIN_DEFAULTS.clientSecret,
      HR_RETRY_DELAY: "0.01",
      NODE_EXTRA_CA_CERTS: CA_ON_WINDOWS,
      HTTPS_PROXY: proxy.url,
    });
  const upload = () => hrUpload(harness.args(CSV_ON_WINDOWS, "--records-per-call", "4", "--max-retries", "1", "--log-format", "json"));
  const requestsSeen = () => harness.standIn.tokenRequests + harness.standIn.ingestionRequests;
  /** Every request of a run since (`tunnelsBefore`, `requestsBefore`) went through its own CONNECT tunnel to the stand-in, plus one for the authority's metadata (as on Linux). */
  const expectProxied = (tunnelsBefore: number, requestsBefore: number) =>
    expect({ "CONNECT tunnels the proxy opened for the run": proxy.tunnels().slice(tunnelsBefore) }).toEqual({
      "CONNECT tunnels the proxy opened for the run": Array.from({ length: 1 + requestsSeen() - requestsBefore }, () => new URL(harness.standIn.url).host),
    });
  /** The files of a folder of the state folder (jobs, kept), seen from Linux. */
  const stateFiles = (folder: string) => (existsSync(join(stateOnLinux, folder)) ? readdirSync(join(stateOnLinux, folder)) : []);

  it("validates a file named by a drive-letter path", async () => {
    const result = await hrUpload(["validate", "--csv", CSV_ON_WINDOWS]);
    about(result, () => expect({ exit: result.code, report: result.stdout.trim() }).toEqual({ exit: 0, report: `${CSV_ON_WINDOWS}: ${RECORDS} records read, ${RECORDS} valid, 0 invalid (scenario resignation)` }));
  });

  it("uploads through the proxy, trusting the CA named by a Windows path, keeps a failed chunk's checkpoint in %LOCALAPPDATA%\\hr-upload, and resumes with the rest", async () => {
    expect({ "state folder before the first upload": existsSync(stateOnLinux) }).toEqual({ "state folder before the first upload": false });
    // 3 chunks of 4: chunk 1 is delivered, chunk 2 is answered 503 with Retry-After (not taken, so not possibly duplicated) on its attempt and its one retry.
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 503, retryAfter: "0" }, { kind: "status", status: 503, retryAfter: "0" });
    const failed = await upload();
    about(failed, () => {
      expect({ exit: failed.code, summary: summaryOf(failed) }).toMatchObject({ exit: 5, summary: { outcome: "failed", recordsDelivered: 4, retries: 1 } });
      expect({ "checkpoint and kept copy in %LOCALAPPDATA%\\hr-upload": { jobs: stateFiles("jobs"), kept: stateFiles("kept") } }).toEqual({
        "checkpoint and kept copy in %LOCALAPPDATA%\\hr-upload": { jobs: [expect.stringMatching(/\.json$/)], kept: [expect.stringMatching(/\.csv$/)] },
      });
      expectProxied(0, 0);
    });

    const tunnelsBefore = proxy.tunnels().length;
    const requestsBefore = requestsSeen();
    const resumed = await upload();
    about(resumed, () => {
      expect({ exit: resumed.code, summary: summaryOf(resumed) }).toMatchObject({ exit: 0, summary: { outcome: "delivered", recordsDelivered: 8, recordsDeliveredTotal: RECORDS, recordsPossiblyDuplicated: 0 } });
      expect({ "records the service received, in order": harness.standIn.received.flatMap((chunk) => chunk.records) }).toEqual({ "records the service received, in order": recordsOf(csv) });
      expectProxied(tunnelsBefore, requestsBefore);
    });
  });

  it("sends nothing when the delivered file is uploaded again", async () => {
    const requestsBefore = harness.standIn.ingestionRequests;
    const again = await upload();
    about(again, () => expect({ exit: again.code, outcome: summaryOf(again).outcome, "requests sent": harness.standIn.ingestionRequests - requestsBefore }).toEqual({ exit: 0, outcome: "nothing-to-do", "requests sent": 0 }));
  });

  it("shows the runs with status, and removes the job's state with reset given the state folder as a Windows path", async () => {
    const status = await hrUpload(["status", "--log-format", "json"]);
    const events = jsonLines(status.stdout);
    about(status, () => {
      expect(status.code).toBe(0);
      expect({ "runs listed": events.filter((event) => event.event === "run").map(({ outcome, file }) => ({ outcome, file })) }).toEqual({
        "runs listed": ["nothing-to-do", "delivered", "failed"].map((outcome) => ({ outcome, file: CSV_ON_WINDOWS })),
      });
      expect(events.find((event) => event.event === "last-delivery")).toMatchObject({ file: CSV_ON_WINDOWS, records: RECORDS, runs: 2 });
      expect(summaryOf(status)).toMatchObject({ location: STATE_ON_WINDOWS, runs: 3 });
    });

    const reset = await hrUpload(["reset", "--job-id", STANDIN_DEFAULTS.jobId, "--checkpoint-dir", STATE_ON_WINDOWS]);
    about(reset, () => {
      expect({ exit: reset.code, said: reset.stdout }).toEqual({ exit: 0, said: expect.stringContaining(`job ${STANDIN_DEFAULTS.jobId}: delivery state removed from ${STATE_ON_WINDOWS}`) });
      expect({ "job states left in %LOCALAPPDATA%\\hr-upload\\jobs": stateFiles("jobs") }).toEqual({ "job states left in %LOCALAPPDATA%\\hr-upload\\jobs": [] });
    });
  });
});
