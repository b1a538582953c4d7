import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
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
  // The rename itself must reach the disk too, or a power cut could bring the old checkpoint back.
  const folder = await open(join(path, ".."), "r");
  await folder.sync().finally(() => folder.close());
}

/** A lock file not refreshed for this long belongs to a run that is gone (killed, crashed, another container). */
export const LOCAL_LOCK_STALE_MS = 60_000;
const LOCAL_LOCK_HEARTBEAT_MS = 10_000;

/**
 * An exclusive lock file naming its owner, touched every 10 s while the run
 * lasts. A lock that is unreadable, whose owner process is gone, or that has
 * not been touched for a minute is taken over; a live one is respected.
 */
async function acquireLockFile(path: string): Promise<RunLock | undefined> {
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  const owner = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, "wx", 0o600);
      await file.writeFile(owner);
      await file.close();
      const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(path, now, now).catch(() => undefined);
      }, LOCAL_LOCK_HEARTBEAT_MS);
      heartbeat.unref();
      return {
        assertHeld: () => undefined,
        release: async () => {
          clearInterval(heartbeat);
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const seen = await readFile(path, "utf8").catch(() => undefined);
      if (seen === undefined) continue; // released meanwhile: try again
      if (!(await isStale(path, seen))) return undefined;
      // Take over only the stale lock we judged: another run may have replaced it a moment ago.
      if ((await readFile(path, "utf8").catch(() => undefined)) === seen) await unlink(path).catch(() => undefined);
    }
  }
  return undefined;
}

async function isStale(path: string, content: string): Promise<boolean> {
  let holder: { pid?: number; host?: string };
  try {
    holder = JSON.parse(content) as typeof holder;
  } catch {
    return true; // torn: its writer died between creating and writing it
  }
  if (holder.host === hostname() && holder.pid !== undefined && !isAlive(holder.pid)) return true;
  const touched = await stat(path).then((info) => info.mtimeMs, () => 0);
  return Date.now() - touched > LOCAL_LOCK_STALE_MS;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
