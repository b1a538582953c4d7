import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { defaultStateDir, localStateStore } from "../../uploader/src/state/localState";
import { checkpointKey, type Checkpoint, type RunRecord } from "../../uploader/src/state/stateStore";
import { UsageError } from "../../uploader/src/errors";
import { tempDir } from "../support/standin";

const checkpoint: Checkpoint = {
  version: 1,
  jobId: "e081f4f4-3831-48d6-7bb3-fcfab1581458",
  source: "/data/employees.csv",
  fileSha256: "a".repeat(64),
  planSha256: "b".repeat(64),
  recordsPerCall: 5000,
  totalChunks: 3,
  totalRecords: 12000,
  deliveredChunks: [0, 2],
  recordsDelivered: 7000,
  updatedAt: "2026-11-24T06:00:00.000Z",
};

const run = (startedAt: string, outcome: string): RunRecord => ({
  version: 1,
  runId: `run-${startedAt}`,
  startedAt,
  endedAt: startedAt,
  file: "/data/employees.csv",
  jobId: checkpoint.jobId,
  scenario: "resignation",
  recordsDelivered: 1,
  chunksSent: 1,
  retries: 0,
  outcome,
  exitCode: 0,
});

describe("local state store", () => {
  it("round-trips a checkpoint through an atomic rename, leaving no temp file, owner-only", async () => {
    const dir = join(tempDir(), "nested");
    const store = localStateStore(dir);
    const key = checkpointKey(checkpoint.jobId, checkpoint.source);
    expect(await store.loadCheckpoint(key)).toBeUndefined();
    await store.saveCheckpoint(key, checkpoint);
    await store.saveCheckpoint(key, { ...checkpoint, deliveredChunks: [0, 1, 2] });
    expect(await store.loadCheckpoint(key)).toEqual({ ...checkpoint, deliveredChunks: [0, 1, 2] });
    expect(readdirSync(join(dir, "checkpoints"))).toEqual([`${key}.json`]);
    expect(statSync(join(dir, "checkpoints", `${key}.json`)).mode & 0o777).toBe(0o600);
  });

  it("says how to recover from a corrupt checkpoint", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "checkpoints"));
    writeFileSync(join(dir, "checkpoints", "k.json"), "{ torn");
    await expect(localStateStore(dir).loadCheckpoint("k")).rejects.toThrow(UsageError);
    await expect(localStateStore(dir).loadCheckpoint("k")).rejects.toThrow(/corrupt; delete it to start over/);
  });

  it("lists run records newest first", async () => {
    const store = localStateStore(tempDir());
    expect(await store.listRunRecords()).toEqual([]);
    await store.saveRunRecord(run("2026-11-22T06:00:00.000Z", "delivered"));
    await store.saveRunRecord(run("2026-11-24T06:00:00.000Z", "failed"));
    await store.saveRunRecord(run("2026-11-23T06:00:00.000Z", "nothing-to-do"));
    expect((await store.listRunRecords()).map((record) => record.outcome)).toEqual(["failed", "nothing-to-do", "delivered"]);
  });

  it("locks a job and file against a second live run, and takes over a dead run's lock", async () => {
    const dir = tempDir();
    const store = localStateStore(dir);
    const lock = await store.acquireLock("k");
    expect(lock).toBeDefined();
    expect(await store.acquireLock("k")).toBeUndefined();
    expect(await store.acquireLock("other")).toBeDefined();
    await lock!.release();
    expect(await store.acquireLock("k")).toBeDefined();

    // A lock left by a process that no longer exists (killed) is stale.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(join(dir, "locks", "stale.lock"), JSON.stringify({ pid: Number(dead), host: hostname(), startedAt: "2026-11-24T06:00:00Z" }));
    expect(await store.acquireLock("stale")).toBeDefined();
  });

  it("takes over a torn lock file, and one from another machine untouched for a minute, but not a fresh one", async () => {
    const dir = tempDir();
    const store = localStateStore(dir);
    mkdirSync(join(dir, "locks"));
    writeFileSync(join(dir, "locks", "torn.lock"), "");
    expect(await store.acquireLock("torn")).toBeDefined();

    const elsewhere = JSON.stringify({ pid: 1, host: "another-container", startedAt: "2026-11-24T06:00:00Z" });
    writeFileSync(join(dir, "locks", "fresh.lock"), elsewhere);
    expect(await store.acquireLock("fresh")).toBeUndefined();
    writeFileSync(join(dir, "locks", "old.lock"), elsewhere);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(join(dir, "locks", "old.lock"), twoMinutesAgo, twoMinutesAgo);
    expect(await store.acquireLock("old")).toBeDefined();
  });

  it("keys checkpoints by job and file, case-insensitively on the job ID", () => {
    expect(checkpointKey("E081F4F4-3831-48D6-7BB3-FCFAB1581458", "a.csv")).toBe(checkpointKey("e081f4f4-3831-48d6-7bb3-fcfab1581458", "a.csv"));
    expect(checkpointKey(checkpoint.jobId, "a.csv")).not.toBe(checkpointKey(checkpoint.jobId, "b.csv"));
  });

  it("defaults to the user's state directory", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "/state" }, "linux")).toBe("/state/hr-upload");
    expect(defaultStateDir({ LOCALAPPDATA: "C:\\Users\\a\\AppData\\Local" }, "win32")).toMatch(/hr-upload$/);
  });
});
