import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultCheckpointDir, localCheckpointStore } from "../../uploader/src/checkpoint/localStore";
import { checkpointKey, type Checkpoint } from "../../uploader/src/checkpoint/store";
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

describe("local checkpoint store", () => {
  it("round-trips a checkpoint through an atomic rename, leaving no temp file, owner-only", async () => {
    const dir = join(tempDir(), "nested", "checkpoints");
    const store = localCheckpointStore(dir);
    const key = checkpointKey(checkpoint.jobId, checkpoint.source);
    expect(await store.load(key)).toBeUndefined();
    await store.save(key, checkpoint);
    await store.save(key, { ...checkpoint, deliveredChunks: [0, 1, 2] });
    expect(await store.load(key)).toEqual({ ...checkpoint, deliveredChunks: [0, 1, 2] });
    expect(readdirSync(dir)).toEqual([`${key}.json`]);
    expect(statSync(join(dir, `${key}.json`)).mode & 0o777).toBe(0o600);
  });

  it("says how to recover from a corrupt checkpoint", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "k.json"), "{ torn");
    await expect(localCheckpointStore(dir).load("k")).rejects.toThrow(UsageError);
    await expect(localCheckpointStore(dir).load("k")).rejects.toThrow(/corrupt; delete it to start over/);
  });

  it("keys by job and file, case-insensitively on the job ID", () => {
    expect(checkpointKey("E081F4F4-3831-48D6-7BB3-FCFAB1581458", "a.csv")).toBe(checkpointKey("e081f4f4-3831-48d6-7bb3-fcfab1581458", "a.csv"));
    expect(checkpointKey(checkpoint.jobId, "a.csv")).not.toBe(checkpointKey(checkpoint.jobId, "b.csv"));
  });

  it("defaults to the user's state directory", () => {
    expect(defaultCheckpointDir({ XDG_STATE_HOME: "/state" }, "linux")).toBe("/state/hr-upload/checkpoints");
    expect(defaultCheckpointDir({ LOCALAPPDATA: "C:\\Users\\a\\AppData\\Local" }, "win32")).toMatch(/hr-upload.checkpoints$/);
  });
});
