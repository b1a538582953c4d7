import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CorruptStateError, EXIT_CODES, StateWriteError } from "../../uploader/src/core/errors";
import type { Platform } from "../../uploader/src/core/platform";
import { platformOf } from "../../uploader/src/cli/systemPlatform";
import { NEVER_CANCELLED } from "../../uploader/src/core/stop";
import { startTimeLookup } from "../../uploader/src/cli/processStart";
import { CheckpointWriter } from "../../uploader/src/state/checkpointWriter";
import { newJobState } from "../../uploader/src/state/jobState";
import { defaultStateDir, localStateStore } from "../../uploader/src/state/localState";
import { defaultMachineLockDir, machineLocks } from "../../uploader/src/lock/machineLock";
import { jobKeyOf, runRecordName, type JobState, type RunRecord } from "../../uploader/src/state/stateStore";
import type { LockOptions } from "../../uploader/src/lock/runLock";
import { ManualClock } from "../support/clock";
import { asLinux, asWindows, thisMachine } from "../support/platforms";
import { tempDir } from "../support/standin";

const JOB_ID = "e081f4f4-3831-48d6-7bb3-fcfab1581458";
const platform = thisMachine;

const jobState: JobState = {
  version: 2,
  jobId: JOB_ID,
  revision: 3,
  writtenBy: "run-1",
  updatedAt: "2026-11-24T06:00:00.000Z",
  firstRunAt: "2026-11-20T06:00:00.000Z",
  deliveries: [{ sha256: "c".repeat(64), file: "/data/old.csv", records: 10, startedAt: "2026-11-20T06:00:00.000Z", completedAt: "2026-11-20T06:01:00.000Z", runs: 2, recordsPossiblyDuplicated: 0 }],
  files: { "/data/employees.csv": { sha256: "a".repeat(64), since: "2026-11-24T06:00:00.000Z" } },
  pending: {
    sha256: "a".repeat(64),
    file: "/data/employees.csv",
    bytes: 1000,
    pinned: { name: "pinned/x.csv" },
    fingerprint: "local:1:2:1000:5",
    recordsTotal: 12,
    delivered: [[0, 4]],
    recordsDelivered: 4,
    inFlight: [{ records: [[4, 8]], recordCount: 4, firstLine: 6, since: "2026-11-24T06:00:00.000Z" }],
    recordsPossiblyDuplicated: 0,
    startedAt: "2026-11-24T06:00:00.000Z",
    runs: 1,
  },
};

const run = (startedAt: string, outcome: string): RunRecord => ({
  version: 2,
  runId: `${"0".repeat(8)}-0000-4000-8000-${String(Date.parse(startedAt)).padStart(12, "0").slice(-12)}`,
  startedAt,
  endedAt: startedAt,
  file: "/data/employees.csv",
  jobId: JOB_ID,
  scenario: "resignation",
  recordsDelivered: 1,
  chunksSent: 1,
  retries: 0,
  outcome,
  exitCode: 0,
});

const lockOptions = (clock: ManualClock, extra: Partial<LockOptions> = {}): LockOptions => ({ clock, leaseMs: 30_000, stop: new AbortController().signal, onLost: () => undefined, ...extra });

describe("local state store", () => {
  it("round-trips a job's state through an atomic rename, leaving no temp file, owner-only", async () => {
    const dir = join(tempDir(), "nested");
    const store = localStateStore(dir, platform);
    const key = jobKeyOf(JOB_ID);
    expect(await store.loadJobState(key)).toBeUndefined();
    await store.saveJobState(key, jobState);
    await store.saveJobState(key, { ...jobState, revision: 4 }); // the next revision: fenced writes follow each other
    expect(await store.loadJobState(key)).toEqual({ ...jobState, revision: 4 });
    expect(readdirSync(join(dir, "jobs"))).toEqual([`${key}.json`]);
    expect(statSync(join(dir, "jobs", `${key}.json`)).mode & 0o777).toBe(0o600);
  });

  it("takes a job state it cannot read this once for a failed write (which the writer tries again), not for a lost lock", async () => {
    const dir = tempDir();
    const store = localStateStore(dir, platform);
    const key = jobKeyOf(JOB_ID);
    await store.saveJobState(key, jobState);
    mkdirSync(join(dir, "jobs", `${key}.json.unreadable`));
    // The state's name now names a folder: reading it fails with EISDIR, as an EACCES or an antivirus lock would fail.
    rmSync(join(dir, "jobs", `${key}.json`));
    renameSync(join(dir, "jobs", `${key}.json.unreadable`), join(dir, "jobs", `${key}.json`));
    const error = await store.saveJobState(key, { ...jobState, revision: 4 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StateWriteError);
    expect(String(error)).not.toMatch(/changed this job's state meanwhile/);
  });

  it.each([
    ["{}", "{}", /version is not 2/],
    ["[]", "[]", /it is a list, not an object/],
    ["null", "null", /it is null, not an object/],
    ["truncated", '{"version": 2, "jobId": "x", "revis', /not valid JSON \(truncated\?\)/],
    ["a count as text", JSON.stringify({ ...jobState, revision: "3" }), /revision is not a whole number/],
    ["a backwards range", JSON.stringify({ ...jobState, pending: { ...jobState.pending, delivered: [[4, 0]] } }), /pending\.delivered\[0\] is not a range of records/],
    ["an object for a list", JSON.stringify({ ...jobState, deliveries: {} }), /deliveries is object, not a list/],
  ])("refuses a corrupt job state (%s), naming it (exit 2)", async (_shape, text, problem) => {
    const dir = tempDir();
    mkdirSync(join(dir, "jobs"));
    writeFileSync(join(dir, "jobs", "k.json"), text);
    const error = await localStateStore(dir, platform).loadJobState("k").catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CorruptStateError);
    expect((error as CorruptStateError).exitCode).toBe(EXIT_CODES.usage);
    expect((error as Error).message).toContain(join(dir, "jobs", "k.json"));
    expect((error as Error).message).toMatch(problem);
  });

  it("lists the newest run records first, up to a limit, skipping and naming unreadable ones, and prunes old ones", async () => {
    const dir = tempDir();
    const store = localStateStore(dir, platform);
    expect(await store.listRunRecords(10)).toEqual({ records: [], unreadable: [] });
    await store.saveRunRecord(run("2026-11-22T06:00:00.000Z", "delivered"));
    await store.saveRunRecord(run("2026-11-24T06:00:00.000Z", "failed"));
    await store.saveRunRecord(run("2026-11-23T06:00:00.000Z", "nothing-to-do"));
    // A format-1 record name (ISO start time) sorts among them by its time.
    writeFileSync(join(dir, "runs", "2026-11-21T06-00-00-000Z-00000000-0000-4000-8000-000000000001.json"), JSON.stringify({ ...run("2026-11-21T06:00:00.000Z", "delivered"), version: 1 }));
    writeFileSync(join(dir, "runs", runRecordName(run("2026-11-25T06:00:00.000Z", "x"))), "{ torn");
    const { records, unreadable } = await store.listRunRecords(3);
    expect(records.map((record) => record.outcome)).toEqual(["failed", "nothing-to-do"]);
    expect(unreadable).toEqual([{ name: expect.stringContaining(join(dir, "runs")), problem: "it is not valid JSON (truncated?)" }]);
    expect((await store.listRunRecords(10)).records.map((record) => record.startedAt.slice(0, 10))).toEqual(["2026-11-24", "2026-11-23", "2026-11-22", "2026-11-21"]);

    expect(await store.pruneRunRecords(Date.parse("2026-11-23T00:00:00Z"))).toBe(2);
    expect((await store.listRunRecords(10)).records.map((record) => record.startedAt.slice(0, 10))).toEqual(["2026-11-24", "2026-11-23"]);
  });

  it("keeps a copy only when asked to, in kept/ (owner-only), and reads it back by range", async () => {
    const dir = tempDir();
    const store = localStateStore(dir, platform);
    const dropped = await store.createPin("k");
    await dropped.write(Buffer.from("a,b\n"));
    await dropped.discard();
    expect(readdirSync(join(dir, "kept"))).toEqual([]);
    const pin = await store.createPin("k");
    await pin.write(Buffer.from("EmailAddress\n"));
    await pin.write(Buffer.from("a@agency.gov\n"));
    const copy = await pin.keep();
    expect(copy).toEqual({ name: "kept/k.csv" });
    expect(readFileSync(join(dir, "kept", "k.csv"), "utf8")).toBe("EmailAddress\na@agency.gov\n");
    expect([statSync(join(dir, "kept")).mode & 0o777, statSync(join(dir, "kept", "k.csv")).mode & 0o777]).toEqual([0o700, 0o600]);
    const opened = await store.openPinned(copy);
    if (opened.kind !== "present") throw new Error(`the kept copy is ${opened.kind}`);
    expect((await opened.source.readRanges([{ start: 13, end: 26 }], Buffer.from("H\n"))).toString()).toBe("H\na@agency.gov\n");
    await opened.source.close();
    await store.deletePinned(copy);
    expect(await store.openPinned(copy)).toEqual({ kind: "gone" });
  });

  it("defaults to the user's state directory, on Windows too", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "/state" }, asLinux())).toBe("/state/hr-upload");
    expect(defaultStateDir({}, asLinux())).toBe("/home/hr-admin/.local/state/hr-upload");
    expect(defaultStateDir({ LOCALAPPDATA: "D:\\Profiles\\a\\AppData\\Local" }, asWindows())).toBe("D:\\Profiles\\a\\AppData\\Local\\hr-upload");
    expect(defaultStateDir({}, asWindows())).toBe("C:\\Users\\hr-admin\\AppData\\Local\\hr-upload");
  });

  it("keeps the machine-wide job locks in one folder of the machine: the temporary folder, /tmp on macOS (whose TMPDIR is per user), or %ProgramData% on Windows", () => {
    expect(defaultMachineLockDir({}, asLinux({ tmpdir: "/tmp" }))).toBe("/tmp/hr-upload-locks");
    expect(defaultMachineLockDir({}, asLinux({ os: "darwin", tmpdir: "/var/folders/xy/T" }))).toBe("/tmp/hr-upload-locks");
    expect(defaultMachineLockDir({ ProgramData: "D:\\ProgramData" }, asWindows())).toBe("D:\\ProgramData\\hr-upload\\locks");
    expect(defaultMachineLockDir({}, asWindows())).toBe("C:\\ProgramData\\hr-upload\\locks");
  });

  it("makes the machine's lock folder one every account may lock in (sticky, like /tmp), its locks readable by all", async () => {
    const dir = join(tempDir(), "hr-upload-locks");
    const lock = await machineLocks(dir, thisMachine).acquire("k", { clock: new ManualClock(), leaseMs: 30_000, stop: new AbortController().signal, onLost: () => undefined });
    expect(lock).toBeDefined();
    expect(statSync(dir).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(dir, "k.lock")).mode & 0o777).toBe(0o644);
    await lock?.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("local run lock", () => {
  const lockFile = (dir: string, key: string) => join(dir, "locks", `${key}.lock`);
  const holdBy = (dir: string, key: string, owner: object) => {
    mkdirSync(join(dir, "locks"), { recursive: true });
    writeFileSync(lockFile(dir, key), JSON.stringify(owner));
  };

  it("locks a job against a second run of this process's host, and frees it on release", async () => {
    const clock = new ManualClock();
    const store = localStateStore(tempDir(), platform);
    const lock = await store.acquireLock("k", lockOptions(clock));
    expect(lock).toBeDefined();
    expect(await store.acquireLock("k", lockOptions(clock))).toBeUndefined();
    expect(await store.acquireLock("other", lockOptions(clock))).toBeDefined();
    await lock!.release();
    expect(await store.acquireLock("k", lockOptions(clock))).toBeDefined();
  });

  it("never takes the lock of a live holder on this host, however old its last touch (a laptop waking from sleep)", async () => {
    const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      const dir = tempDir();
      holdBy(dir, "k", { pid: holder.pid, host: platform.hostname, tag: await platform.processTagOf(holder.pid as number) });
      const twoHoursAgo = new Date(Date.now() - 7_200_000);
      utimesSync(lockFile(dir, "k"), twoHoursAgo, twoHoursAgo);
      const clock = new ManualClock();
      expect(await clock.runUntil(localStateStore(dir, platform).acquireLock("k", lockOptions(clock)))).toBeUndefined();
      expect(JSON.parse(readFileSync(lockFile(dir, "k"), "utf8"))).toMatchObject({ pid: holder.pid });
    } finally {
      holder.kill();
    }
  });

  it("names a lock it cannot read (a folder in its place) as a state it cannot use, instead of looking at it again and again", async () => {
    const dir = tempDir();
    mkdirSync(lockFile(dir, "k"), { recursive: true });
    const clock = new ManualClock();
    const error = await clock.runUntil(localStateStore(dir, platform).acquireLock("k", lockOptions(clock))).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StateWriteError);
    expect(String(error)).toMatch(/EISDIR|illegal operation on a directory/);
  });

  it("takes over at once the lock of a holder on this host that is gone, even if its PID now names another process", async () => {
    const dir = tempDir();
    const gone = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString());
    holdBy(dir, "dead", { pid: gone, host: platform.hostname });
    // PID 1 runs, but started long before the holder did: its tag differs, so it is not the holder.
    holdBy(dir, "reused", { pid: 1, host: platform.hostname, tag: `${(await platform.processTagOf(process.pid))?.split("/")[0]}/1` });
    const clock = new ManualClock();
    const store = localStateStore(dir, platform);
    expect(await store.acquireLock("dead", lockOptions(clock))).toBeDefined();
    expect(await store.acquireLock("reused", lockOptions(clock))).toBeDefined();
    expect(JSON.parse(readFileSync(lockFile(dir, "dead"), "utf8"))).toMatchObject({ pid: process.pid });
  });

  it("waits out a silent holder it cannot see (another machine) for one lease, then takes its lock", async () => {
    const dir = tempDir();
    holdBy(dir, "silent", { pid: 1, host: "another-container" });
    const clock = new ManualClock();
    const started = clock.now();
    const waits: string[] = [];
    const lock = await clock.runUntil(localStateStore(dir, platform).acquireLock("silent", lockOptions(clock, { onWait: (holder) => waits.push(holder) })));
    expect(lock).toBeDefined();
    expect(waits).toEqual(["process 1 on another-container"]); // said once, with the holder

    expect(clock.now() - started).toBeGreaterThan(30_000); // a whole lease without a heartbeat
    expect(clock.now() - started).toBeLessThan(45_000);
    await lock!.release();
  });

  it("stops waiting for a silent holder as soon as the run is stopped: no further look, the lock file left as it was", async () => {
    const dir = tempDir();
    holdBy(dir, "silent", { pid: 1, host: "another-container" });
    const clock = new ManualClock();
    const stop = new AbortController();
    const waiting = localStateStore(dir, platform).acquireLock("silent", lockOptions(clock, { stop: stop.signal }));
    await clock.someoneSleeps(); // it has looked once, and waits to look again
    clock.advance(5_000);
    await clock.someoneSleeps();
    stop.abort({ kind: "signal", signal: "SIGTERM" });
    expect(await waiting).toBeUndefined(); // no time moved: the sleep was cut short
    expect(JSON.parse(readFileSync(lockFile(dir, "silent"), "utf8"))).toMatchObject({ host: "another-container" });
  });

  it("stands down for a holder it cannot see whose heartbeat it sees", async () => {
    const dir = tempDir();
    const store = localStateStore(dir, platform);
    const clock = new ManualClock();
    holdBy(dir, "beating", { pid: 1, host: "another-container" });
    let lastBeat = clock.now();
    clock.onAdvance((now) => {
      if (now - lastBeat < 5_000) return;
      lastBeat = now; // the other machine touches its lock every 5 s
      utimesSync(lockFile(dir, "beating"), new Date(now), new Date(now));
    });
    const waitedFrom = clock.now();
    expect(await clock.runUntil(store.acquireLock("beating", lockOptions(clock)))).toBeUndefined();
    expect(clock.now() - waitedFrom).toBeLessThan(10_000);
  });

  it("notices when its lock file was taken away, and then refuses to vouch for it", async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const lost: string[] = [];
    const lock = await localStateStore(dir, platform).acquireLock("k", lockOptions(clock, { onLost: (detail) => lost.push(detail) }));
    expect(() => lock!.assertHeld()).not.toThrow();
    holdBy(dir, "k", { pid: 1, host: "another-container" }); // replaced behind its back
    expect(() => lock!.assertHeld()).toThrow(/lost the run lock \(the lock file was removed or replaced/);
    expect(lost).toHaveLength(1);
    await lock!.release();
    expect(JSON.parse(readFileSync(lockFile(dir, "k"), "utf8"))).toMatchObject({ host: "another-container" }); // not ours to delete
  });

  it("refuses to work in a folder it cannot write, naming it and the OS reason", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "locks"), "a file where the locks folder should be");
    const windows: Platform = { ...platform, os: "win32" };
    await expect(localStateStore(dir, windows).acquireLock("k", lockOptions(new ManualClock()))).rejects.toThrow(new RegExp(`cannot write the state in ${dir} \\((EEXIST|ENOTDIR)`));
  });
});

describe("process identity on Windows and macOS: a reused PID never holds a job", () => {
  const lockFile = (dir: string) => join(dir, "locks", "k.lock");
  /** A live process (its PID answers) that a lock names with the start `recorded`, on a platform whose lookup says `lookup`. */
  async function judge(os: "win32" | "darwin", recorded: string, lookup: (pid: number) => Promise<string | undefined>) {
    const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      const dir = tempDir();
      mkdirSync(join(dir, "locks"));
      writeFileSync(lockFile(dir), JSON.stringify({ pid: holder.pid, host: platform.hostname, tag: `${os}/${recorded}` }));
      const injected = platformOf(os, { scope: os, startTimeOf: async (pid) => (pid === holder.pid ? lookup(pid) : `own start ${pid}`) });
      const clock = new ManualClock();
      const lock = await clock.runUntil(localStateStore(dir, injected).acquireLock("k", lockOptions(clock)));
      const owner = JSON.parse(readFileSync(lockFile(dir), "utf8")) as { pid: number; tag?: string };
      await lock?.release();
      return { taken: lock !== undefined, owner };
    } finally {
      holder.kill();
    }
  }

  it.each(["win32", "darwin"] as const)("%s: takes over at once the lock of a live PID that started at another time than its holder, recording its own start", async (os) => {
    const { taken, owner } = await judge(os, "133000000000000000", async () => "133999999999999999");
    expect(taken).toBe(true);
    expect(owner).toEqual(expect.objectContaining({ pid: process.pid, tag: `${os}/own start ${process.pid}` }));
  });

  it.each(["win32", "darwin"] as const)("%s: never takes the lock of the holder itself (same PID, same start)", async (os) => {
    const { taken, owner } = await judge(os, "133000000000000000", async () => "133000000000000000");
    expect(taken).toBe(false);
    expect(owner.pid).not.toBe(process.pid);
  });

  // The documented choice: a start this host cannot tell now leaves the PID's word, as for a lock without a tag (an
  // hr-upload before process identity). Taking over would risk two runs at once; standing down costs one run.
  const failing: (pid: number) => Promise<string | undefined> = () => Promise.reject(new Error("powershell.exe: access denied"));
  const silent: (pid: number) => Promise<string | undefined> = () => Promise.resolve(undefined);
  it.each([
    ["win32", "fails", failing],
    ["darwin", "tells nothing", silent],
  ] as const)("%s: when the start-time lookup %s, a live PID still holds the job, as before", async (os, _how, lookup) => {
    expect((await judge(os, "Mon Dec  7 04:50:36 2026", lookup)).taken).toBe(false);
  });

  it("asks macOS's ps for a start in one form whatever the locale or time zone (procps here takes the same options), and nothing for a PID that is gone", async () => {
    const lookup = startTimeLookup("darwin", {});
    const own = await lookup(process.pid);
    expect(own).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \d{4}$/);
    expect(await lookup(process.pid)).toBe(own);
    const gone = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString());
    expect(await lookup(gone)).toBeUndefined();
  });

  /** A stand-in Windows PowerShell at %SystemRoot%\System32\WindowsPowerShell\v1.0 (on Linux, one file named by that Windows path) running `script`. */
  function standInPowerShell(script: string): string {
    const root = join(tempDir(), "Windows");
    const file = `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
    writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return root;
  }

  it("asks Windows PowerShell's CIM for the creation time of exactly that process, as a FILETIME; anything else it prints tells nothing", async () => {
    // Prints a FILETIME only when asked the documented query for PID 4242, with no profile and no prompt.
    const root = standInPowerShell(`[ "$1 $2 $3 $4" = "-NoLogo -NoProfile -NonInteractive -Command" ] && [ "$5" = "\\$p = Get-CimInstance -ClassName Win32_Process -Filter 'ProcessId = 4242'; if (\\$p) { \\$p.CreationDate.ToFileTimeUtc() }" ] && echo 134090000000000000`);
    const lookup = startTimeLookup("win32", { SystemRoot: root });
    expect(await lookup(4242)).toBe("134090000000000000");
    expect(await lookup(4243)).toBeUndefined();
    expect(await startTimeLookup("win32", { SystemRoot: standInPowerShell("echo 'FIXME: powershell stub'") })(4242)).toBeUndefined();
  });

  it("tells nothing, rather than waiting, when Windows PowerShell is not where Windows keeps it", async () => {
    expect(await startTimeLookup("win32", { SystemRoot: join(tempDir(), "Windows") })(process.pid)).toBeUndefined();
  });
});

describe("local state writes are fenced", () => {
  // Each run is a process with its own store: what a store last read or wrote is that run's fence.
  /** A run starting a job with no state in `dir`: its store and its writer, its first state written. */
  async function firstRun(dir: string, runId: string, clock: ManualClock) {
    const store = localStateStore(dir, thisMachine);
    const writer = new CheckpointWriter(store, "k", newJobState("job", "2026-01-01T00:00:00.000Z"), runId, clock, NEVER_CANCELLED.halt);
    await writer.commit((state) => state);
    return { store, writer };
  }

  it("refuses the write of a former holder once a newer holder has written the job's state: its next in-flight mark fails, so it sends nothing more", async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const { writer: first } = await firstRun(dir, "run-a", clock);
    // Run A stalls; run B takes the job over from what A last wrote, and writes.
    const storeB = localStateStore(dir, thisMachine);
    const second = new CheckpointWriter(storeB, "k", (await storeB.loadJobState("k")) as JobState, "run-b", clock, NEVER_CANCELLED.halt);
    await second.commit((state) => state);
    await second.commit((state) => state);
    // A wakes up: whatever it writes next is refused, and B's state stands.
    await expect(first.commit((state) => state)).rejects.toThrow(/another run changed this job's state meanwhile \(this run lost the job's lock\); stopped so that nothing is sent twice/);
    expect(await storeB.loadJobState("k")).toMatchObject({ revision: 3, writtenBy: "run-b" });
    await second.commit((state) => state);
    expect(await storeB.loadJobState("k")).toMatchObject({ revision: 4, writtenBy: "run-b" });
  });

  it("refuses the write of a former holder after reset removed the state, and after a new run started the job again at its first revisions", async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const { store: storeA, writer: stalled } = await firstRun(dir, "run-a", clock);
    await localStateStore(dir, thisMachine).deleteJobState("k"); // reset, under the job's lock it took over
    await expect(stalled.commit((state) => state)).rejects.toThrow(/another run changed this job's state meanwhile/);
    expect(await storeA.loadJobState("k")).toBeUndefined(); // nothing written back

    const { writer: again } = await firstRun(dir, "run-a", clock); // revision 1 by run-a
    await localStateStore(dir, thisMachine).deleteJobState("k");
    const { store: storeB } = await firstRun(dir, "run-b", clock); // revision 1 by run-b
    // A's next write is revision 2, which would follow B's revision 1 by number alone: refused, B's state stands.
    await expect(again.commit((state) => state)).rejects.toThrow(/another run changed this job's state meanwhile/);
    expect(await storeB.loadJobState("k")).toMatchObject({ revision: 1, writtenBy: "run-b" });
  });

  it("accepts its own write retried (its answer lost), and a job's first state", async () => {
    const dir = tempDir();
    const store = localStateStore(dir, thisMachine);
    const writer = new CheckpointWriter(store, "k", newJobState("job", "2026-01-01T00:00:00.000Z"), "run-a", new ManualClock(), NEVER_CANCELLED.halt);
    await writer.commit((state) => state);
    const written = (await store.loadJobState("k")) as JobState;
    await store.saveJobState("k", written); // the same write again: accepted
    await expect(store.saveJobState("k", { ...written, writtenBy: "run-b" })).rejects.toThrow(/another run changed this job's state meanwhile/);
    await store.deleteJobState("k");
    await expect(store.saveJobState("k", { ...written, revision: 7 })).resolves.toBeUndefined();
  });
});
