/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 31: signals within the grace, kill -9, two runs at once. */
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { writeCsv } from "../../scripts/generate-csv";
import { BUNDLE, jsonLines, runBundle, runCli, startBundle, summaryOf, until, type BundleOptions } from "../support/cli";
import { isRoot, unshare } from "../support/namespaces";
import { generatedCsv, recordsOf, sortedRecords, STANDIN_DEFAULTS, tempDir, UploadHarness } from "../support/standin";


/** The physical line each record of `file` starts on (records may hold quoted line breaks). */
function recordStartLines(file: string): number[] {
  const endLines = (parse(readFileSync(file), { bom: true, relax_column_count: true, info: true }) as unknown as Array<{ info: { lines: number } }>).map((row) => row.info.lines);
  return endLines.slice(0, -1).map((endOfPrevious) => endOfPrevious + 1);
}
const sorted = sortedRecords;

/** The PID of the node process an `unshare --pid --fork` runs (its only child), as the host sees it. */
function childOf(pid: number): number | undefined {
  try {
    const [first] = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The real bundle where a test is about the process: signals, kill -9, node as PID 1, two runs at once (issue 18's
 * item 5: one run per job on a machine), a closed output pipe, state that cannot be written (item 8). The runs that
 * follow one (the resume, the rerun) and the rules of state and versions are the same main() in this process.
 */
describe("the delivery protocol: nothing lost, nothing doubled, whatever the platform does", () => {
  let harness: UploadHarness;
  beforeEach(async () => {
    harness = await UploadHarness.start();
  });
  afterEach(async () => {
    await harness.close();
  });

  const sent = () => harness.standIn.received.flatMap((chunk) => chunk.records);
  const runRecords = () => {
    const dir = join(harness.checkpointDir, "runs");
    return readdirSync(dir)
      .sort()
      .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as Record<string, unknown>);
  };
  const locks = () => readdirSync(join(harness.checkpointDir, "locks"));

  /**
   * Stops a run with `signal` once the stand-in has seen `afterRequests` requests, then checks the stop
   * (exit code within the grace, last-line summary, run record, lock released) and that a rerun
   * completes the file with every record exactly once.
   */
  async function stopAndResume(signal: "SIGTERM" | "SIGINT", concurrency: number, afterRequests: number, options: BundleOptions = {}) {
    // Two records a request, and a chunk beyond the ones that can be in flight at the signal: the stop always leaves work.
    const records = Math.max(24, 2 * (afterRequests + concurrency + 1));
    const file = await generatedCsv(records, 100 + afterRequests * concurrency);
    // The requests after `afterRequests` are held until the signal has been sent (and, 500 ms on, handled by the idle
    // process): however slow the machine, they are in flight when it arrives, and none is sent after them.
    harness.standIn.holdIngestionAfter = afterRequests;
    const args = harness.args(file, "--records-per-call", "2", "--concurrency", String(concurrency), "--log-format", "json");
    const running = startBundle(args, harness.env(), options);
    await until(() => harness.standIn.ingestionRequests >= afterRequests, `request ${afterRequests}`);
    const target = options.wrapper ? childOf(running.child.pid as number) : running.child.pid;
    expect(target).toBeDefined();
    const signalledAt = Date.now();
    process.kill(target as number, signal);
    setTimeout(() => harness.standIn.releaseHeldIngestion(), 500);
    const stopped = await running.result;
    expect(Date.now() - signalledAt).toBeLessThan(20_000); // the default --shutdown-grace
    expect(stopped.code).toBe(signal === "SIGTERM" ? 143 : 130);
    expect(stopped.stderr).toBe("");
    expect(summaryOf(stopped)).toMatchObject({ event: "summary", outcome: "interrupted", exitCode: stopped.code, recordsPossiblyDuplicated: 0 });
    expect(summaryOf(stopped).msg).toMatch(new RegExp(`^interrupted by ${signal}: `));
    expect(runRecords().at(0)).toMatchObject({ outcome: "interrupted", exitCode: stopped.code });
    expect(locks()).toEqual([]);
    // Requests in flight finished within the grace and were checkpointed: nothing is sent twice.
    expect(summaryOf(stopped).recordsDelivered).toBe(sent().length);

    const resumed = await runCli(args, harness.env());
    expect(resumed.code).toBe(0);
    expect(summaryOf(resumed)).toMatchObject({ outcome: "delivered", recordsPossiblyDuplicated: 0, recordsDeliveredTotal: records });
    expect(sorted(sent())).toEqual(sorted(recordsOf(file)));
  }

  // Property-style: each signal and concurrency at an early and a later point of the run.
  it.each([
    ["SIGTERM", 1, 1],
    ["SIGTERM", 1, 7],
    ["SIGTERM", 4, 2],
    ["SIGTERM", 4, 9],
    ["SIGINT", 1, 4],
    ["SIGINT", 1, 10],
    ["SIGINT", 4, 1],
    ["SIGINT", 4, 6],
  ] as const)("%s at --concurrency %i, at request %i: exits 143/130 within the grace, resumes exactly once", async (signal, concurrency, afterRequests) => {
    await stopAndResume(signal, concurrency, afterRequests);
  });

  it("stops the same way when node is PID 1 (the container's entry point)", async () => {
    await stopAndResume("SIGTERM", 4, 3, { wrapper: unshare("--pid", "--fork") });
  });

  it("stops at once on a second signal, and at the end of --shutdown-grace, naming the chunks left in flight next time", async () => {
    const file = await generatedCsv(10, 7);
    harness.standIn.ingestionDelayMs = 60_000; // the service holds every request
    const args = harness.args(file, "--records-per-call", "2", "--concurrency", "2", "--log-format", "json");
    const running = startBundle(args, harness.env());
    await until(() => harness.standIn.ingestionRequests >= 2, "two requests in flight");
    process.kill(running.child.pid as number, "SIGTERM");
    await new Promise((later) => setTimeout(later, 300));
    const secondAt = Date.now();
    process.kill(running.child.pid as number, "SIGTERM");
    const stopped = await running.result;
    expect(Date.now() - secondAt).toBeLessThan(5_000);
    expect(stopped.code).toBe(143);
    expect(summaryOf(stopped)).toMatchObject({ outcome: "interrupted", recordsDelivered: 0 });

    const graced = startBundle([...args, "--shutdown-grace", "1"], harness.env());
    await until(() => harness.standIn.ingestionRequests >= 4, "two more requests in flight");
    const signalledAt = Date.now();
    process.kill(graced.child.pid as number, "SIGINT");
    const halted = await graced.result;
    expect(halted.code).toBe(130);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - signalledAt).toBeLessThan(6_000);

    harness.standIn.ingestionDelayMs = 0;
    const resumed = await runCli(args, harness.env());
    expect(resumed.code).toBe(0);
    // The two chunks halted in flight may have reached the service: sent again, and said so.
    expect(jsonLines(resumed.stdout).find((event) => event.event === "possibly-duplicated")).toMatchObject({ chunks: 2, records: 4, firstLines: [2, 4] });
    expect(summaryOf(resumed)).toMatchObject({ recordsDelivered: 10, recordsPossiblyDuplicated: 4 });
    expect(sorted(sent())).toEqual(sorted(recordsOf(file)));
  });

  it("after kill -9 at --concurrency 4 delivers every record; the chunks the service kept without answering come twice, and the rerun names each", async () => {
    const file = await generatedCsv(40, 3);
    harness.standIn.answerDelayMs = 1_000; // chunks are saved at once, their answers held: the kill loses some answers
    const args = harness.args(file, "--records-per-call", "2", "--concurrency", "4", "--log-format", "json");
    const running = startBundle(args, harness.env());
    await until(() => harness.standIn.received.length >= 6, "six chunks saved");
    running.child.kill("SIGKILL");
    await running.result;

    harness.standIn.answerDelayMs = 0;
    const rerun = await runCli(args, harness.env());
    expect(rerun.code).toBe(0);
    const records = sent().map((record) => JSON.stringify(record));
    const duplicated = records.filter((record, index) => records.indexOf(record) !== index);
    expect(duplicated.length).toBeGreaterThan(0);
    expect(summaryOf(rerun).recordsPossiblyDuplicated).toBeGreaterThanOrEqual(duplicated.length);
    expect(summaryOf(rerun).recordsPossiblyDuplicated).toBeLessThanOrEqual(4 * 2); // at most --concurrency chunks in flight
    // Each duplicate lies in a reported chunk: two records from the line the event names.
    const reportedLines = jsonLines(rerun.stdout)
      .filter((event) => event.event === "possibly-duplicated")
      .flatMap((event) => event.firstLines as number[]);
    const startLines = recordStartLines(file);
    const fileRecords = recordsOf(file).map((record) => JSON.stringify(record));
    for (const record of duplicated) {
      const index = fileRecords.indexOf(record);
      expect([startLines[index], startLines[index - 1]].some((line) => reportedLines.includes(line as number))).toBe(true);
    }
    expect([...new Set(records)].sort()).toEqual(sorted(recordsOf(file)));
  });

  it("lets two runs of the same job through a symlink deliver the file exactly once", async () => {
    const file = await generatedCsv(20, 11);
    const link = join(tempDir(), "link.csv");
    symlinkSync(file, link);
    harness.standIn.ingestionDelayMs = 100;
    const first = startBundle(harness.args(file, "--records-per-call", "2", "--log-format", "json"), harness.env());
    await until(() => harness.standIn.ingestionRequests >= 1, "the first run sending");
    const second = await runBundle(harness.args(link, "--records-per-call", "2", "--log-format", "json"), harness.env());
    expect(second.code).toBe(0);
    expect(summaryOf(second)).toMatchObject({ outcome: "locked", recordsDelivered: 0 });
    expect((await first.result).code).toBe(0);
    const again = await runCli(harness.args(link, "--records-per-call", "2", "--log-format", "json"), harness.env());
    expect(summaryOf(again)).toMatchObject({ outcome: "nothing-to-do" });
    expect(sent()).toEqual(recordsOf(file));
  });

  it("lets one run of a job work on a machine, whatever state folder another is given: the second stands down, naming the machine's lock", async () => {
    const file = await generatedCsv(10, 14);
    harness.standIn.holdIngestionAfter = 0; // the first run's first request waits until the second run has stood down
    const args = harness.args(file, "--records-per-call", "2", "--log-format", "json");
    const scheduled = startBundle(args, harness.env());
    await until(() => harness.standIn.ingestionRequests >= 1, "the scheduled run sending");
    const otherFolder = tempDir("hr-checkpoints-");
    const manual = await runBundle([...args, "--checkpoint-dir", otherFolder], harness.env());
    harness.standIn.releaseHeldIngestion();
    expect(manual.code).toBe(0);
    expect(summaryOf(manual)).toMatchObject({ outcome: "locked", recordsDelivered: 0 });
    expect(summaryOf(manual).msg).toMatch(`another run is working on this machine (its lock in ${harness.lockDir} is held and renewed); standing down (`);
    expect((await scheduled.result).code).toBe(0);
    expect(sent()).toEqual(recordsOf(file));
    expect(readdirSync(harness.lockDir)).toEqual([]); // released
    rmSync(otherFolder, { recursive: true, force: true });
  });

  it("exits 2 before sending anything when the machine's lock folder cannot be written, naming it and --lock-dir", async () => {
    const file = await generatedCsv(4, 15);
    const notAFolder = join(tempDir(), "locks");
    writeFileSync(notAFolder, "");
    const result = await runCli(harness.args(file), harness.env({ HR_LOCK_DIR: join(notAFolder, "sub") }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: cannot lock this job on this machine in ${join(notAFolder, "sub")} \\(ENOTDIR: not a directory\\): nothing was sent; fix the folder's permissions, or choose another --lock-dir\n`));
    expect(harness.standIn.tokenRequests + harness.standIn.ingestionRequests).toBe(0);
  });

  it("sends nothing for content already delivered to the job under another name", async () => {
    const file = await generatedCsv(6, 12);
    expect((await harness.uploadHere(file)).code).toBe(0);
    const copy = join(tempDir(), "copy-of-employees.csv");
    writeFileSync(copy, readFileSync(file));
    const requests = harness.standIn.ingestionRequests;
    const again = await harness.uploadHere(copy, ["--log-format", "json"]);
    expect(again.code).toBe(0);
    expect(summaryOf(again)).toMatchObject({ outcome: "nothing-to-do" });
    expect(summaryOf(again).msg).toMatch(/already delivered in full to this job on .* \(as .*employees\.csv\); nothing to do/);
    expect(harness.standIn.ingestionRequests).toBe(requests);
  });

  it("delivers nothing cut from a file still being written, and resumes the grown file from the version it read once the writer is done", async () => {
    const file = await generatedCsv(20, 13);
    const whole = readFileSync(file);
    harness.standIn.ingestionDelayMs = 150;
    const args = harness.args(file, "--records-per-call", "2", "--log-format", "json");
    const running = startBundle(args, harness.env());
    await until(() => harness.standIn.ingestionRequests >= 2, "two requests");
    appendFileSync(file, "late.leaver@agency.gov,2026-05-01T09:00:00Z,2026-05"); // a record half written
    const result = await running.result;
    expect(result.code).toBe(5);
    expect(jsonLines(result.stdout)).toContainEqual(expect.objectContaining({ event: "failed", msg: expect.stringMatching(/is still being written .*rerun later/) }));
    for (const record of sent()) expect(record).toHaveLength(5); // whole records only
    appendFileSync(file, "-15T17:00:00Z,Finance,\n");

    harness.standIn.ingestionDelayMs = 0;
    const next = await runCli(args, harness.env());
    expect(next.code).toBe(0);
    expect(Buffer.compare(readFileSync(file).subarray(0, whole.length), whole)).toBe(0);
    // The grown file begins with the version read first: it is resumed as that version, the appended record after it; nothing cut, nothing twice.
    expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toMatch(/^resuming .*employees\.csv: it was appended to since \d+ of its 20 records were delivered; the rest and the appended records follow, nothing is sent twice$/);
    expect(summaryOf(next)).toMatchObject({ outcome: "delivered", recordsPossiblyDuplicated: 0, recordsDeliveredTotal: 21 });
    expect(sent()).toEqual(recordsOf(file));
  });

  it("finishes a partly delivered version from its kept copy before the file that replaced it, even once that is deleted too", async () => {
    const versionA = await generatedCsv(12, 21);
    const versionB = await generatedCsv(8, 22, "b.csv");
    const live = join(tempDir(), "employees.csv");
    writeFileSync(live, readFileSync(versionA));
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "pass" }, { kind: "status", status: 400 });
    const args = harness.args(live, "--records-per-call", "2", "--log-format", "json");
    expect((await runCli(args, harness.env())).code).toBe(5);
    // The HR system replaces the file (a new file renamed over it).
    writeFileSync(`${live}.new`, readFileSync(versionB));
    renameSync(`${live}.new`, live);
    const next = await runCli(args, harness.env());
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toMatch(/^finishing .*employees\.csv .* first, from the copy kept in .*: 4 of 12 records were delivered by earlier runs; the file has changed since$/);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);

    // Version C partly delivered, then the file is deleted: C's rest still goes out.
    const versionC = await generatedCsv(6, 23, "c.csv");
    writeFileSync(live, readFileSync(versionC));
    harness.standIn.received.length = 0;
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 400 });
    expect((await runCli(args, harness.env())).code).toBe(5);
    rmSync(live);
    const orphan = await runCli(args, harness.env());
    expect(orphan.code).toBe(2);
    expect(jsonLines(orphan.stdout)).toContainEqual(expect.objectContaining({ event: "failed", msg: `file not found: ${live}` }));
    expect(summaryOf(orphan)).toMatchObject({ recordsDelivered: 4 });
    expect(sent()).toEqual(recordsOf(versionC));
  });

  it("logs an `abandoned` warning with the exact count when the kept copy of a replaced version is gone", async () => {
    const live = join(tempDir(), "employees.csv");
    writeFileSync(live, readFileSync(await generatedCsv(10, 31)));
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 400 });
    const args = harness.args(live, "--records-per-call", "3", "--log-format", "json");
    expect((await runCli(args, harness.env())).code).toBe(5);
    rmSync(join(harness.checkpointDir, "kept"), { recursive: true });
    const versionB = await generatedCsv(5, 32);
    writeFileSync(live, readFileSync(versionB));
    const next = await runCli(args, harness.env());
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout)).toContainEqual(expect.objectContaining({ level: "warn", event: "abandoned", recordsNeverDelivered: 7, recordsInFlight: 0 }));
    expect(sent().slice(3)).toEqual(recordsOf(versionB));
  });

  it("reports a corrupt checkpoint in every shape with exit 2, and `hr-upload reset` clears it after showing it", async () => {
    const file = await generatedCsv(4, 41);
    expect((await harness.uploadHere(file)).code).toBe(0);
    const jobs = join(harness.checkpointDir, "jobs");
    const [name] = readdirSync(jobs);
    const good = readFileSync(join(jobs, name as string), "utf8");
    const requests = harness.standIn.ingestionRequests;
    for (const [shape, corrupt] of ["{}", "[]", "null", good.slice(0, 40), good.replace(/"revision": \d+/, '"revision": "7"')].entries()) {
      writeFileSync(join(jobs, name as string), corrupt);
      // The first shape through the real bundle (no stack trace on its stderr), the others by the same main() here.
      const refused = shape === 0 ? await harness.upload(file, ["--force"]) : await harness.uploadHere(file, ["--force"]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${join(jobs, name as string)} is not a valid hr-upload checkpoint (`);
      expect(refused.stderr).toContain(`; clear it with hr-upload reset --job-id ${STANDIN_DEFAULTS.jobId} --checkpoint ${harness.checkpointDir})`);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    expect(harness.standIn.ingestionRequests).toBe(requests);
    const reset = await runBundle(["reset", "--job-id", STANDIN_DEFAULTS.jobId, "--checkpoint", harness.checkpointDir], {});
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/is corrupt \(.*\); its content cannot be shown/);
    expect((await harness.uploadHere(file)).code).toBe(0);
    expect(harness.standIn.recordsSaved()).toBe(8);
  });

  it("keeps uploading when its output pipe closes (`upload | head -1`): every record delivered, exit 0, no stack trace", async () => {
    const file = await generatedCsv(30, 51);
    const args = harness.args(file, "--records-per-call", "1").map((arg) => `'${arg}'`);
    const shell = `'${process.execPath}' '${BUNDLE}' ${args.join(" ")} 2>"$ERRORS" | head -1; echo "exit=\${PIPESTATUS[0]}"`;
    const errors = join(tempDir(), "stderr.txt");
    // Asynchronously: the stand-in serving the run lives in this process.
    const piped = await runBundle([], { ...harness.env(), ERRORS: errors }, { wrapper: ["bash", "-c", shell] });
    expect(piped.stdout).toMatch(/^chunk 1\/30: 1 record delivered .*\nexit=0\n$/);
    expect(readFileSync(errors, "utf8")).toBe("");
    expect(sent()).toEqual(recordsOf(file));
  });
});

describe("state that cannot be written fails before anything is sent (exit 2, naming the place and the OS reason)", () => {
  let harness: UploadHarness;
  beforeAll(async () => {
    harness = await UploadHarness.start();
  });
  afterAll(async () => {
    await harness.close();
  });

  /** Runs the bundle in a mount namespace of its own (its mounts vanish with it), after `setup` prepared the state folder. */
  async function uploadWithState(setup: string, state: string, file: string, runAs: string[] = [], bundle = BUNDLE) {
    return runBundle(harness.args(file, "--checkpoint-dir", state), harness.env(), { bundle, wrapper: [...unshare("--mount"), "bash", "-c", `${setup} && exec ${runAs.join(" ")} "$@"`, "bash"] });
  }

  /** A folder any user can read, in this test file's temporary folder (made readable too). */
  const readableDir = () => {
    const dir = tempDir();
    for (const folder of [dir, join(dir, "..")]) chmodSync(folder, 0o755);
    return dir;
  };

  it.each([
    ["full", "mount -t tmpfs -o size=8k tmpfs STATE", "ENOSPC: no space left on device"],
    ["read-only", "mount -t tmpfs -o ro tmpfs STATE", "EROFS: read-only file system"],
  ])("%s", async (_kind, setup, reason) => {
    const dir = readableDir();
    const state = join(dir, "state");
    mkdirSync(state);
    const file = join(dir, "employees.csv");
    await writeCsv(file, { records: 200, seed: 61 });
    const requests = harness.standIn.ingestionRequests + harness.standIn.tokenRequests;
    const result = await uploadWithState(setup.replace("STATE", state), state, file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot write the state in ${state} (${reason})`);
    expect(harness.standIn.ingestionRequests + harness.standIn.tokenRequests).toBe(requests);
  });

  it("full at the lock: the failed start takes its lock file back, so nothing blocks the next run", async () => {
    const dir = readableDir();
    const state = join(dir, "state");
    mkdirSync(state);
    const file = join(dir, "employees.csv");
    await writeCsv(file, { records: 20, seed: 63 });
    // One page of room: the lock file is created, its owner cannot be written. What is left in locks/ is listed after the run.
    const afterRun = `code=$?; echo "locks left: [$(ls -A ${state}/locks 2>/dev/null | tr '\\n' ' ')]" >&2; exit $code`;
    const result = await runBundle(harness.args(file, "--checkpoint-dir", state), harness.env(), {
      wrapper: [...unshare("--mount"), "bash", "-c", `mount -t tmpfs -o size=4k tmpfs ${state} && mkdir ${state}/locks && head -c 4096 /dev/zero > ${state}/filler; "$@"; ${afterRun}`, "bash"],
    });
    const lines = result.stderr.trimEnd().split("\n");
    expect({ exit: result.code, failure: lines[0], after: lines.at(-1) }).toEqual({
      exit: 2,
      failure: expect.stringContaining(`cannot write the state in ${state} (ENOSPC: no space left on device)`),
      after: "locks left: []",
    });
  });

  it("unwritable (another user's folder)", async () => {
    const dir = readableDir();
    const state = join(dir, "state");
    mkdirSync(state, { mode: isRoot ? 0o755 : 0o555 }); // root may write anywhere: it runs the upload as another user
    const file = join(dir, "employees.csv");
    await writeCsv(file, { records: 5, seed: 62 });
    chmodSync(file, 0o644);
    chmodSync(join(harness.standIn.caFile, ".."), 0o755); // the run trusts the stand-in through this file
    chmodSync(harness.standIn.caFile, 0o644);
    // The other user runs a copy of the bundle here: the checkout may be in a folder only its owner can enter (mktemp -d).
    const bundle = join(dir, "hr-upload.js");
    copyFileSync(BUNDLE, bundle);
    chmodSync(bundle, 0o644);
    const requests = harness.standIn.ingestionRequests;
    // Anyone else runs it as themselves, outside any user namespace: in one, they would be root there, and write the folder.
    const result = isRoot
      ? await uploadWithState("true", state, file, ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], bundle)
      : await runBundle(harness.args(file, "--checkpoint-dir", state), harness.env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot write the state in ${state} (EACCES: permission denied)`);
    expect(harness.standIn.ingestionRequests).toBe(requests);
  });
});
