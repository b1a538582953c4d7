import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors";
import { type Checkpoint, type RunLock, type RunRecord, type StateStore, runRecordName } from "./stateStore";

/** The default folder: the user's state directory (XDG on Linux, LOCALAPPDATA on Windows). */
export function defaultStateDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "hr-upload");
  if (platform === "darwin") return join(homedir(), "Library", "Application Support", "hr-upload");
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "hr-upload");
}

/** State in a local folder: checkpoints/, runs/ and locks/, written owner-only. */
export function localStateStore(dir: string): StateStore {
  const checkpointPath = (key: string) => join(dir, "checkpoints", `${key}.json`);
  const readJson = async <T>(path: string): Promise<T | undefined> => {
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw new UsageError(`cannot read ${path} (${error.code ?? "error"})`);
    });
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UsageError(`${path} is corrupt; delete it to start over`);
    }
  };

  return {
    location: dir,
    loadCheckpoint: (key) => readJson<Checkpoint>(checkpointPath(key)),
    saveCheckpoint: (key, checkpoint) => writeAtomically(checkpointPath(key), checkpoint),
    saveRunRecord: (record) => writeAtomically(join(dir, "runs", runRecordName(record)), record),
    async listRunRecords() {
      const names = await readdir(join(dir, "runs")).catch(() => [] as string[]);
      const records = await Promise.all(names.filter((name) => name.endsWith(".json")).map((name) => readJson<RunRecord>(join(dir, "runs", name))));
      return records.filter((record): record is RunRecord => record !== undefined).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
    acquireLock: (key) => acquireLockFile(join(dir, "locks", `${key}.lock`)),
  };
}

/** Temp file + fsync + rename: a crash leaves the old file or the new one, never a torn one. */
async function writeAtomically(path: string, value: object): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const file = await open(temporary, "w", 0o600);
  try {
    await file.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path).catch(async (error: unknown) => {
    await unlink(temporary).catch(() => undefined);
    throw error;
  });
}

/**
 * An exclusive lock file naming its owner. A lock whose owner process is gone
 * (killed, crashed) is taken over; one held by a live process is respected.
 */
async function acquireLockFile(path: string): Promise<RunLock | undefined> {
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  const owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, "wx", 0o600);
      await file.writeFile(JSON.stringify(owner));
      await file.close();
      return { assertHeld: () => undefined, release: () => unlink(path).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = JSON.parse(await readFile(path, "utf8").catch(() => "{}")) as Partial<typeof owner>;
      if (holder.host === owner.host && holder.pid !== undefined && isAlive(holder.pid)) return undefined;
      if (holder.host !== undefined && holder.host !== owner.host) return undefined; // another machine's run: cannot check, respect it
      await unlink(path).catch(() => undefined); // stale: its run is gone
    }
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
