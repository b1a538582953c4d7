/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 12: runs of the bundle, unwritable and full state folders. */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CsvReader, type CsvRecord } from "../../uploader/src/csv/reader";
import { jsonLines, runBundle, runCli, summaryOf, type CliResult } from "../support/cli";
import { generatedCsv, recordsOf, sortedRecords, STANDIN_DEFAULTS, tempDir, UploadHarness } from "../support/standin";
import { literal } from "../support/literal";

/**
 * The state a run believes: a kept copy is present, gone or unavailable; a checkpoint is consistent or refused.
 * Issue 18's items proved here by the real bundle: 3 (a kept copy that cannot be read fails the run), 4 (a checkpoint
 * that contradicts itself is refused), 6 (an appended file is resumed) and 9 (copies in kept/ only). The other runs
 * (the failed run each test starts from, further cases of a rule, reruns) are the same main() in this process.
 */
describe("kept copies and checkpoints are believed only when they are what they say (local state)", () => {
  let harness: UploadHarness;
  let live: string;
  beforeEach(async () => {
    harness = await UploadHarness.start();
    live = join(tempDir(), "employees.csv");
  });
  afterEach(async () => {
    await harness.close();
  });

  /** The run's error, from its `failed` event (JSON logs keep stderr empty). */
  const failure = (result: { stdout: string }) => String(jsonLines(result.stdout).find((event) => event.event === "failed")?.msg ?? "");
  const sent = () => harness.standIn.received.flatMap((chunk) => chunk.records);
  const args = () => harness.args(live, "--records-per-call", "2", "--log-format", "json");
  const onlyFile = (folder: string) => join(harness.checkpointDir, folder, readdirSync(join(harness.checkpointDir, folder))[0] as string);

  /** Version A (10 records) left partly delivered (4 records) by a run that failed on its third chunk. */
  async function partlyDelivered(): Promise<string> {
    const versionA = await generatedCsv(10, 51);
    writeFileSync(live, readFileSync(versionA));
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "pass" }, { kind: "status", status: 400 });
    expect((await runCli(args(), harness.env())).code).toBe(5);
    expect(sent()).toHaveLength(4);
    return versionA;
  }

  it("fails with exit 5, abandoning and overwriting nothing, when the kept copy is there but cannot be read; the next run finishes it", async () => {
    const versionA = await partlyDelivered();
    const copy = onlyFile("kept");
    const bytes = readFileSync(copy);
    // A copy that cannot be opened as a file this once (as root, a directory in its place stands in for EACCES or an antivirus lock).
    rmSync(copy);
    mkdirSync(copy);
    const versionB = await generatedCsv(6, 52);
    writeFileSync(live, readFileSync(versionB));

    const blocked = await runBundle(args(), harness.env());
    expect(blocked.code).toBe(5);
    expect(failure(blocked)).toMatch(new RegExp(`the copy of ${literal(live)} kept in .* \\(kept/.*\\.csv\\) cannot be read now \\(.*\\); nothing was abandoned or overwritten: rerun once it can be read`));
    expect(jsonLines(blocked.stdout).map((event) => event.event)).not.toContain("abandoned");
    expect(summaryOf(blocked)).toMatchObject({ outcome: "failed", exitCode: 5, recordsDelivered: 0 });
    expect(sent()).toHaveLength(4);
    const state = JSON.parse(readFileSync(onlyFile("jobs"), "utf8")) as { pending?: { recordsDelivered: number; recordsTotal: number } };
    expect(state.pending).toMatchObject({ recordsDelivered: 4, recordsTotal: 10 });

    rmSync(copy, { recursive: true });
    writeFileSync(copy, bytes);
    const finished = await runCli(args(), harness.env());
    expect(finished.code).toBe(0);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
  });

  it("finishes a version whose copy an earlier hr-upload kept under pinned/, deletes it there, and keeps the next copy in kept/ only", async () => {
    const versionA = await partlyDelivered();
    // As an earlier hr-upload left it: the copy in pinned/, the job's state naming it there.
    const copy = onlyFile("kept");
    const name = `pinned/${copy.split(/[\\/]/).pop() as string}`;
    mkdirSync(join(harness.checkpointDir, "pinned"), { mode: 0o700 });
    renameSync(copy, join(harness.checkpointDir, name));
    const jobFile = onlyFile("jobs");
    const state = JSON.parse(readFileSync(jobFile, "utf8")) as { pending: { pinned: { name: string } } };
    state.pending.pinned = { name };
    writeFileSync(jobFile, JSON.stringify(state));

    const versionB = await generatedCsv(6, 58);
    writeFileSync(live, readFileSync(versionB));
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "pass" }, { kind: "pass" }, { kind: "status", status: 400 }); // A's last 3 chunks, then B's first fails
    const next = await runBundle(args(), harness.env());
    expect(next.code).toBe(5);
    expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toMatch(/^finishing .* first, from the copy kept in .*: 4 of 10 records/);
    expect(sent()).toEqual(recordsOf(versionA));
    expect([readdirSync(join(harness.checkpointDir, "pinned")), readdirSync(join(harness.checkpointDir, "kept"))]).toEqual([[], [expect.stringMatching(/^[0-9a-f]{32}\.csv$/)]]);

    const last = await runCli(args(), harness.env());
    expect(last.code).toBe(0);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(versionB)]);
    expect(readdirSync(join(harness.checkpointDir, "kept"))).toEqual([]);
  });

  it("still abandons, and says so, only a kept copy that is gone", async () => {
    await partlyDelivered();
    rmSync(onlyFile("kept"));
    writeFileSync(live, readFileSync(await generatedCsv(6, 53)));
    const next = await runCli(args(), harness.env());
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout)).toContainEqual(expect.objectContaining({ event: "abandoned", recordsNeverDelivered: 6 }));
  });

  // The first case with the real bundle, the other by the same main() here.
  it.each<[string, boolean, (args: string[], env: NodeJS.ProcessEnv) => Promise<CliResult>]>([
    ["the file unchanged", false, runBundle],
    ["the file replaced", true, runCli],
  ])("refuses a kept copy whose digest is not the version's as corrupt state (exit 2, reset named), %s: nothing abandoned, nothing sent", async (_case, replaced, run) => {
    await partlyDelivered();
    writeFileSync(onlyFile("kept"), readFileSync(await generatedCsv(10, 54)));
    if (replaced) writeFileSync(live, readFileSync(await generatedCsv(6, 55)));
    const refused = await run(args(), harness.env());
    expect(refused.code).toBe(2);
    expect(failure(refused)).toMatch(/kept\/.*\.csv is not a valid hr-upload checkpoint \(the copy of .* kept for the version under way \(sha256 [0-9a-f]{12}\.\.\.\) is not that version: its SHA-256 is [0-9a-f]{12}\.\.\., not the version's; clear it with hr-upload reset --job-id /);
    expect(failure(refused)).toContain(`--checkpoint ${harness.checkpointDir})`);
    expect(jsonLines(refused.stdout).map((event) => event.event)).not.toContain("abandoned");
    expect(summaryOf(refused)).toMatchObject({ outcome: "failed", exitCode: 2, recordsDelivered: 0 });
    expect(sent()).toHaveLength(4);
  });

  type Pending = { delivered: number[][]; recordsDelivered: number; recordsTotal: number; inFlight: Array<{ records: number[][]; recordCount: number; firstLine: number; since: string }> };
  // The first case with the real bundle, the others by the same main() here.
  it.each<[string, (pending: Pending) => void, RegExp, (args: string[], env: NodeJS.ProcessEnv) => Promise<CliResult>]>([
    ["overlapping delivered ranges", (p) => ((p.delivered = [[0, 4], [2, 6]]), (p.recordsDelivered = 6)), /pending\.delivered\[1\] overlaps or precedes the range before it/, runBundle],
    ["unsorted delivered ranges", (p) => ((p.delivered = [[6, 8], [0, 4]]), (p.recordsDelivered = 6)), /pending\.delivered\[1\] overlaps or precedes the range before it/, runCli],
    ["a delivered count its ranges do not hold", (p) => (p.recordsDelivered = 10), /pending\.recordsDelivered is 10, but its ranges hold 4 records/, runCli],
    ["more delivered than the version holds", (p) => ((p.delivered = [[0, 12]]), (p.recordsDelivered = 12)), /pending\.delivered holds 12 records, more than the version's 10/, runCli],
    ["delivered ranges beyond the version's records, with counts that agree", (p) => ((p.delivered = [[4, 14]]), (p.recordsDelivered = 10)), /its checkpoint names records past the 10 records of /, runCli],
    ["an in-flight mark of another size than its ranges", (p) => p.inFlight.push({ records: [[4, 6]], recordCount: 3, firstLine: 6, since: "2026-01-01T00:00:00.000Z" }), /pending\.inFlight\[0\]\.recordCount is 3, but its ranges hold 2 records/, runCli],
    ["an in-flight mark over delivered records", (p) => p.inFlight.push({ records: [[2, 4]], recordCount: 2, firstLine: 4, since: "2026-01-01T00:00:00.000Z" }), /pending\.inFlight\[0\] holds records already delivered/, runCli],
    ["an in-flight mark beyond the version's records", (p) => p.inFlight.push({ records: [[10, 12]], recordCount: 2, firstLine: 12, since: "2026-01-01T00:00:00.000Z" }), /its checkpoint names records past the 10 records of /, runCli],
  ])("refuses a checkpoint with %s as corrupt (exit 2, reset named), sending nothing", async (_case, corrupt, problem, run) => {
    await partlyDelivered();
    const jobFile = onlyFile("jobs");
    const state = JSON.parse(readFileSync(jobFile, "utf8")) as { pending: Pending };
    corrupt(state.pending);
    writeFileSync(`${jobFile}.new`, JSON.stringify(state));
    renameSync(`${jobFile}.new`, jobFile);
    const refused = await run(args(), harness.env());
    expect(refused.code).toBe(2);
    expect(failure(refused)).toMatch(problem);
    expect(failure(refused)).toContain(`clear it with hr-upload reset --job-id ${STANDIN_DEFAULTS.jobId} --checkpoint ${harness.checkpointDir}`);
    expect(sent()).toHaveLength(4);

    expect((await runCli(["reset", "--job-id", STANDIN_DEFAULTS.jobId, "--checkpoint", harness.checkpointDir], harness.env())).code).toBe(0);
    const fresh = await runCli(args(), harness.env());
    expect(fresh.code).toBe(0);
    expect(sortedRecords(sent().slice(4))).toEqual(sortedRecords(recordsOf(live)));
  });

  it("resumes a file appended to after a failed run as one version: the records delivered are not sent again", async () => {
    await partlyDelivered();
    const appended = await generatedCsv(6, 56);
    appendFileSync(live, readFileSync(appended).subarray(readFileSync(appended).indexOf("\n") + 1)); // records only, no second header
    const next = await runBundle(args(), harness.env());
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout).map((event) => event.event)).not.toContain("abandoned");
    expect(summaryOf(next)).toMatchObject({ outcome: "delivered", recordsDelivered: 12, recordsPossiblyDuplicated: 0, recordsDeliveredTotal: 16 });
    expect(sent()).toEqual(recordsOf(live));
    expect(recordsOf(live)).toHaveLength(16);
  });

  it("finishes the old version first when the new file only looks appended to (its first bytes changed)", async () => {
    const versionA = await partlyDelivered();
    // The first record's first character changed, and records appended: as long as an append, but not one.
    const bytes = readFileSync(live);
    const first = bytes.indexOf("\n") + 1;
    bytes[first] = bytes[first] === 0x7a ? 0x79 : 0x7a; // "z", or "y" if it was one
    const appended = readFileSync(await generatedCsv(2, 57));
    writeFileSync(live, Buffer.concat([bytes, appended.subarray(appended.indexOf("\n") + 1)]));
    const next = await runCli(args(), harness.env());
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout).find((event) => event.event === "resume")?.msg).toMatch(/^finishing .* first, from the copy kept in /);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(live)]);
  });

  it("counts a run that finished an earlier version and then a truncated file per version: delivered never exceeds read", async () => {
    const versionA = await partlyDelivered();
    const bytes = readFileSync(live);
    const fourth = new CsvReader().feed(bytes)[3] as CsvRecord; // the header, then records
    writeFileSync(live, bytes.subarray(0, fourth.end)); // the header and the first 3 records: the file cut short
    const next = await runBundle(args(), harness.env());
    expect([next.code, failure(next)]).toEqual([0, ""]);
    expect(sent()).toEqual([...recordsOf(versionA), ...recordsOf(live)]);
    const earlierVersion = { file: live, fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/), recordsRead: 10, recordsDelivered: 6 };
    expect(summaryOf(next)).toMatchObject({ recordsDelivered: 9, recordsRead: 3, recordsDeliveredTotal: 3, earlierVersion });
    const runs = readdirSync(join(harness.checkpointDir, "runs")).map((name) => JSON.parse(readFileSync(join(harness.checkpointDir, "runs", name), "utf8")) as { endedAt: string });
    expect(runs.sort((a, b) => a.endedAt.localeCompare(b.endedAt)).at(-1)).toMatchObject({ recordsDelivered: 9, recordsRead: 3, earlierVersion });
    const status = await runCli(["status", "--checkpoint", harness.checkpointDir], harness.env());
    expect(status.stdout).toMatch(/delivered +3 of 3 records delivered, after 6 of 10 records of the earlier version of .*employees\.csv \(sha256 [0-9a-f]{12}\.\.\.\), /);
    expect(status.stdout).not.toMatch(/9 of 3 records/);
  });

  it("warns with --skip-invalid about the invalid records of an earlier version it finishes, as for the file at hand", async () => {
    const bytes = readFileSync(await generatedCsv(6, 58), "utf8").split("\n");
    bytes[5] = bytes[5]!.replace(/^[^,]+/, "not-an-email"); // record 5 of the version is invalid
    writeFileSync(live, bytes.join("\n"));
    harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 400 });
    const first = await runCli([...args(), "--skip-invalid"], harness.env());
    expect(first.code).toBe(5);
    expect(jsonLines(first.stdout).filter((event) => event.event === "skipping-invalid")).toHaveLength(1);
    writeFileSync(live, readFileSync(await generatedCsv(2, 59)));
    const next = await runBundle([...args(), "--skip-invalid"], harness.env());
    expect(next.code).toBe(0);
    expect(jsonLines(next.stdout).filter((event) => event.event === "skipping-invalid")).toEqual([
      expect.objectContaining({ level: "warn", invalid: 1, file: live, msg: `--skip-invalid: 1 invalid record of the unfinished version of ${live} will not be sent` }),
    ]);
    expect(sent().map((record) => record[0])).not.toContain("not-an-email");
    expect(sent()).toHaveLength(5 + 2);
  });
});
