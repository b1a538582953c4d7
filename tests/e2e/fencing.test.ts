/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 15: locks taken over after their lease (4 s). */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, runBundle, runCli, startBundle, summaryOf, until, type RunningBundle } from "../support/cli";
import { jobKeyOf } from "../../uploader/src/state/stateStore";
import { unshare } from "../support/namespaces";
import { thisMachine } from "../support/platforms";
import { generatedCsv, recordsOf, sortedRecords, STANDIN_DEFAULTS, tempDir, UploadHarness } from "../support/standin";

/**
 * A short lease of the state folder's lock (2 to 60 s are allowed there; Blob's are 15 to 60): a silent holder on
 * another machine is taken over 4 s + one heartbeat (a sixth) after its last touch, instead of waiting out 15 s.
 */
const LEASE = ["--lock-lease", "4"];
/** How long a test may wait for a takeover: a lease and a heartbeat, and room for a loaded machine. */
const TAKEOVER_MS = 20_000;

/**
 * Locks and fencing with the real bundle: a lock left by a killed run whose PID another process now has is taken
 * over at once; a run that stalls past its lease (SIGSTOP) on another machine sharing the state folder is taken
 * over, and when it wakes (SIGCONT) it writes nothing over the new holder's state and sends nothing more (issue 18's
 * items 5 and 7). Runs that only meet a rule of the lock (a refusal, standing down, the upload after a reset) are the
 * same main() in this process.
 */
describe("locks and fencing: one holder per job, and a former holder never writes over the job's state, nor sends, once taken over (real bundle, local state)", () => {
  let harness: UploadHarness;
  let otherMachine: string;
  beforeEach(async () => {
    harness = await UploadHarness.start();
    otherMachine = tempDir("hr-locks-");
  });
  afterEach(async () => {
    await harness.close();
    rmSync(otherMachine, { recursive: true, force: true });
  });

  const sent = () => harness.standIn.received.flatMap((chunk) => chunk.records);
  const jobFile = () => join(harness.checkpointDir, "jobs", readdirSync(join(harness.checkpointDir, "jobs"))[0] as string);
  const failure = (result: { stdout: string }) => String(jsonLines(result.stdout).find((event) => event.event === "failed")?.msg ?? "");

  /**
   * Starts a run on "another machine" sharing this state folder (its own host name, in a UTS namespace, and its own
   * machine-wide lock folder), lets it deliver `delivered` requests and holds its next one; then stops the process.
   */
  async function stalledHolder(file: string, delivered: number): Promise<RunningBundle> {
    harness.standIn.holdIngestionAfter = delivered;
    const wrapper = [...unshare("--uts"), "sh", "-c", 'hostname stalled-host && exec "$@"', "sh"];
    const running = startBundle(harness.args(file, "--records-per-call", "2", ...LEASE, "--log-format", "json"), harness.env({ HR_LOCK_DIR: otherMachine }), { wrapper });
    await until(() => harness.standIn.ingestionRequests > delivered, "the stalled run's held request");
    process.kill(running.child.pid as number, "SIGSTOP");
    return running;
  }

  it("a run stalled past its lease, taken over, wakes to find it lost the job: exit 5 naming the lost lock, the new holder's checkpoint untouched, nothing more sent", async () => {
    const file = await generatedCsv(12, 81);
    const stalled = await stalledHolder(file, 2);
    try {
      // Its held request is answered (the service kept the chunk) while it cannot read the answer.
      harness.standIn.releaseHeldIngestion();
      await until(() => harness.standIn.received.length === 3, "the stalled run's chunk kept");
      harness.standIn.holdIngestionAfter = 4; // the new holder sends one chunk, then its next is held while the old one wakes

      const takeover = startBundle(harness.args(file, "--records-per-call", "2", ...LEASE, "--log-format", "json"), harness.env());
      await until(() => harness.standIn.ingestionRequests > 4, "the new holder sending", TAKEOVER_MS);
      const newHoldersState = readFileSync(jobFile(), "utf8");
      expect(JSON.parse(newHoldersState)).toMatchObject({ pending: { inFlight: [expect.anything()] } });
      const requestsBefore = harness.standIn.ingestionRequests;

      process.kill(stalled.child.pid as number, "SIGCONT");
      const woken = await stalled.result;
      expect(woken.code).toBe(5);
      expect(woken.stderr).toBe("");
      // The answer of its held request comes first: the write that would record it is refused (fenced), and it stops there.
      expect(failure(woken)).toMatch(/^chunk 3\/6 \(line 7\) was delivered but its checkpoint could not be saved \(another run changed this job's state meanwhile \(this run lost the job's lock\); stopped so that nothing is sent twice/);
      expect(summaryOf(woken)).toMatchObject({ event: "summary", outcome: "failed", exitCode: 5 });
      expect(readFileSync(jobFile(), "utf8")).toBe(newHoldersState); // not one byte of the old holder's
      expect(harness.standIn.ingestionRequests).toBe(requestsBefore); // and not one request more

      harness.standIn.releaseHeldIngestion();
      const finished = await takeover.result;
      expect(finished.code).toBe(0);
      expect(jsonLines(finished.stdout).filter((event) => event.event === "waiting-for-lock")).toEqual([expect.objectContaining({ holder: expect.stringMatching(/ on stalled-host$/) })]);
      // The chunk the old holder had in flight is sent again, and said to be possibly doubled; every other record once.
      expect(summaryOf(finished)).toMatchObject({ outcome: "delivered", recordsPossiblyDuplicated: 2, recordsDeliveredTotal: 12 });
      expect(sortedRecords(sent())).toEqual(sortedRecords([...recordsOf(file), ...recordsOf(file).slice(4, 6)]));
    } finally {
      stalled.child.kill("SIGKILL");
    }
  }, 60_000);

  const resetArgs = () => ["reset", "--job-id", STANDIN_DEFAULTS.jobId, "--checkpoint", harness.checkpointDir, ...LEASE, "--log-format", "json"];

  // The rule: reset takes the job's lock as a run does. A live run is never reset under it (reset refuses, exit 5);
  // a run silent for a lease (stalled, on another machine) is taken over, and its writes are fenced from then on.
  it("hr-upload reset refuses while a live run holds the job, and the run delivers every record once", async () => {
    const file = await generatedCsv(10, 82);
    harness.standIn.holdIngestionAfter = 2;
    const running = startBundle(harness.args(file, "--records-per-call", "2", "--log-format", "json"), harness.env());
    await until(() => harness.standIn.ingestionRequests > 2, "the run sending");
    const stateBefore = readFileSync(jobFile(), "utf8");
    const refused = await runCli(resetArgs()); // the refusal is a rule of the lock: the same main() here
    expect(refused.code).toBe(5);
    expect(failure(refused)).toBe(`a run is working for job ${STANDIN_DEFAULTS.jobId} now (its lock in ${harness.checkpointDir} is held); reset it when that run has ended`);
    expect(readFileSync(jobFile(), "utf8")).toBe(stateBefore);
    harness.standIn.releaseHeldIngestion();
    expect((await running.result).code).toBe(0);
    expect(sent()).toEqual(recordsOf(file));
  });

  it("hr-upload reset takes over from a run stalled past its lease; the run, woken, writes no state back and sends nothing more", async () => {
    const file = await generatedCsv(12, 83);
    const stalled = await stalledHolder(file, 2);
    try {
      const cleared = await runBundle(resetArgs());
      expect(cleared.code).toBe(0);
      expect(jsonLines(cleared.stdout).filter((event) => event.event === "waiting-for-lock")).toEqual([expect.objectContaining({ holder: expect.stringMatching(/ on stalled-host$/) })]);
      expect(summaryOf(cleared)).toMatchObject({ outcome: "reset", exitCode: 0 });
      expect(readdirSync(join(harness.checkpointDir, "jobs"))).toEqual([]);

      const requestsBefore = harness.standIn.ingestionRequests;
      process.kill(stalled.child.pid as number, "SIGCONT");
      harness.standIn.releaseHeldIngestion(); // its held request is answered: the service kept that chunk
      const woken = await stalled.result;
      expect(woken.code).toBe(5);
      expect(failure(woken)).toMatch(/^chunk 3\/6 \(line \d+\) was delivered but its checkpoint could not be saved \(another run changed this job's state meanwhile \(this run lost the job's lock\)/);
      expect(readdirSync(join(harness.checkpointDir, "jobs"))).toEqual([]); // the reset stands
      expect(harness.standIn.ingestionRequests).toBe(requestsBefore);

      // As reset says: the next upload sends the file in full.
      const next = await harness.uploadHere(file, ["--records-per-call", "2", "--log-format", "json"]);
      expect(next.code).toBe(0);
      expect(summaryOf(next)).toMatchObject({ outcome: "delivered", recordsDelivered: 12 });
    } finally {
      stalled.child.kill("SIGKILL");
    }
  }, 60_000);

  /** Both locks of the job left by a run killed where nothing could remove them, naming a live process of this host tagged `tag`. */
  function leftLocks(pid: number, tag: string | undefined) {
    const owner = JSON.stringify({ pid, host: thisMachine.hostname, tag, acquiredAt: "2026-12-01T06:00:00.000Z" });
    const key = jobKeyOf(STANDIN_DEFAULTS.jobId);
    mkdirSync(join(harness.checkpointDir, "locks"), { recursive: true });
    writeFileSync(join(harness.checkpointDir, "locks", `${key}.lock`), owner);
    writeFileSync(join(harness.lockDir, `${key}.lock`), owner);
  }

  it("takes over at once the locks of a killed run whose PID a newer process now has, and stands down for the holder itself", async () => {
    const file = await generatedCsv(6, 84);
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      const pid = other.pid as number;
      const tag = (await thisMachine.processTagOf(pid)) as string;
      expect(tag).toMatch(/^pid:\[\d+\]\/\d+$/);
      leftLocks(pid, tag);
      const held = await harness.uploadHere(file, ["--log-format", "json"]); // standing down is a rule of the lock: main() here
      expect(summaryOf(held)).toMatchObject({ outcome: "locked", exitCode: 0, recordsDelivered: 0 });

      // The same PID, but the killed run started earlier than the process that has it now.
      leftLocks(pid, `${tag.split("/")[0] as string}/${Number(tag.split("/")[1]) - 1}`);
      const run = await harness.upload(file, ["--log-format", "json"]);
      expect(summaryOf(run)).toMatchObject({ outcome: "delivered", exitCode: 0, recordsDelivered: 6 });
      expect(jsonLines(run.stdout).map((event) => event.event)).not.toContain("waiting-for-lock"); // at once, not after a lease
      expect(sent()).toEqual(recordsOf(file));
    } finally {
      other.kill();
    }
  });
});
