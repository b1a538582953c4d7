import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { CorruptStateError, HrError, StateWriteError, UploadError, UsageError } from "../core/errors";
import type { Platform } from "../core/platform";
import { ensureFolder, openLocalFile, osReason, writeSyncedFile } from "../source/localFile";
import { acquireLocalLock } from "../lock/localLock";
import { legacyCheckpointKeysOf, parseState } from "./shapes";
import { CHANGED_MEANWHILE, keptCopyName, newestRunRecordNames, readEach, runRecordName, runRecordStartedAt, type JobState, type LegacyCheckpoint, type PinWriter, type RunRecord, type StateStore } from "./stateStore";

/** The default folder: the user's state directory (XDG on Linux, LOCALAPPDATA on Windows). */
export function defaultStateDir(env: NodeJS.ProcessEnv, platform: Pick<Platform, "os" | "homedir" | "path">): string {
  const { join: joined } = platform.path;
  if (platform.os === "win32") return joined(env.LOCALAPPDATA || joined(platform.homedir, "AppData", "Local"), "hr-upload");
  if (platform.os === "darwin") return joined(platform.homedir, "Library", "Application Support", "hr-upload");
  return joined(env.XDG_STATE_HOME || joined(platform.homedir, ".local", "state"), "hr-upload");
}

/** State in a local folder: jobs/, kept/, locks/, runs/ (and format-1 checkpoints/, pinned/), written owner-only. */
export function localStateStore(dir: string, platform: Platform): StateStore {
  const jobPath = (jobKey: string) => join(dir, "jobs", `${jobKey}.json`);
  const legacyPath = (key: string) => join(dir, "checkpoints", `${key}.json`);
  const pinPath = (name: string) => join(dir, name);
  const writeFailed = (error: unknown) => (error instanceof StateWriteError ? error : new StateWriteError(dir, osReason(error)));

  const readState = async <T>(path: string, what: Parameters<typeof parseState>[1]): Promise<T | undefined> => {
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw new UsageError(`cannot read ${path} (${osReason(error)})`);
    });
    if (text === undefined) return undefined;
    const parsed = parseState<T>(text, what);
    if ("problem" in parsed) throw new CorruptStateError(path, parsed.problem);
    return parsed.value;
  };
  const write = (path: string, value: object) => writeAtomically(path, `${JSON.stringify(value, null, 2)}\n`, platform).catch((error: unknown) => {
    throw writeFailed(error);
  });
  const names = (folder: string) => readdir(join(dir, folder)).catch(() => [] as string[]);
  /** Per job, the revision this store last read or wrote; none (absent) when the job had no state. */
  const lastSeen = new Map<string, Revision | undefined>();

  return {
    location: dir,
    async loadJobState(jobKey) {
      const state = await readState<JobState>(jobPath(jobKey), "job state");
      lastSeen.set(jobKey, state && revisionOf(state));
      return state;
    },
    async saveJobState(jobKey, state) {
      // Fencing: a write lands only over the revision this store last read or wrote for the job (none: over no state),
      // and as its next revision; or over its own write, retried. A former holder that stalled past its lease and was taken
      // over (by a run, or by reset, which holds the job's lock to remove the state) finds another state there, or none, and
      // stops: its next in-flight mark, which comes before each request, is this check.
      // A state that cannot be read this once (EACCES, EIO, an antivirus lock) is a failed write, tried again; not a lost lock.
      const text = await readFile(jobPath(jobKey), "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw writeFailed(error);
      });
      const parsed = text === undefined ? undefined : parseState<JobState>(text, "job state");
      const onDisk = parsed === undefined ? undefined : "value" in parsed ? revisionOf(parsed.value) : UNREADABLE;
      const expected = lastSeen.get(jobKey);
      const follows = sameRevision(onDisk, expected) && state.revision === (expected?.revision ?? state.revision - 1) + 1;
      if (!follows && !sameRevision(onDisk, revisionOf(state))) throw new UploadError(CHANGED_MEANWHILE);
      await write(jobPath(jobKey), state);
      lastSeen.set(jobKey, revisionOf(state));
    },
    async deleteJobState(jobKey) {
      await unlink(jobPath(jobKey)).catch(ignoreMissing);
      lastSeen.delete(jobKey);
    },
    async listJobStates() {
      const jobs = (await names("jobs")).filter((file) => file.endsWith(".json"));
      const { items, unreadable } = await readEach(jobs, (name) => readState<JobState>(join(dir, "jobs", name), "job state"));
      return { states: items, unreadable };
    },
    acquireLock: (jobKey, options) => acquireLocalLock(join(dir, "locks", `${jobKey}.lock`), dir, platform, options),
    async createPin(jobKey) {
      const name = keptCopyName(jobKey);
      const pin = await createLocalPin(pinPath(name), name, platform).catch((error: unknown) => {
        throw writeFailed(error);
      });
      const guarded = <A extends unknown[], R>(step: (...args: A) => Promise<R>) => (...args: A) =>
        step(...args).catch((error: unknown) => {
          throw writeFailed(error);
        });
      return { write: guarded(pin.write), keep: guarded(pin.keep), discard: guarded(pin.discard), release: pin.release };
    },
    async openPinned(copy) {
      try {
        return { kind: "present", source: await openLocalFile(pinPath(copy.name)) };
      } catch (error) {
        if (((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return { kind: "gone" };
        return { kind: "unavailable", reason: error instanceof HrError ? error.message : osReason(error) };
      }
    },
    keptIn: () => dir,
    deletePinned: (copy) => unlink(pinPath(copy.name)).catch(ignoreMissing),
    exists: () => stat(dir).then((info) => info.isDirectory(), () => false),
    saveRunRecord: (record) => write(join(dir, "runs", runRecordName(record)), record),
    async listRunRecords(limit) {
      const newest = newestRunRecordNames(await names("runs"), limit);
      const { items, unreadable } = await readEach(newest, (name) => readState<RunRecord>(join(dir, "runs", name), "run record"));
      return { records: items, unreadable };
    },
    async pruneRunRecords(before) {
      const old = (await names("runs")).filter((name) => (runRecordStartedAt(name) ?? Infinity) < before);
      await Promise.all(old.map((name) => unlink(join(dir, "runs", name)).catch(ignoreMissing)));
      return old.length;
    },
    loadLegacyCheckpoint: (key) => readState<LegacyCheckpoint>(legacyPath(key), "legacy checkpoint"),
    deleteLegacyCheckpoint: (key) => unlink(legacyPath(key)).catch(ignoreMissing),
    legacyCheckpointsOf: async (jobId) => legacyCheckpointKeysOf(await names("checkpoints"), (name) => readFile(join(dir, "checkpoints", name), "utf8").catch(() => undefined), jobId),
  };
}

/** Which write of a job's state: its revision and the run that wrote it (revisions restart after a reset). */
interface Revision {
  readonly revision: number;
  readonly writtenBy: string;
}
const UNREADABLE: Revision = { revision: -1, writtenBy: "" };
const revisionOf = (state: JobState): Revision => ({ revision: state.revision, writtenBy: state.writtenBy });
const sameRevision = (a: Revision | undefined, b: Revision | undefined) => a?.revision === b?.revision && a?.writtenBy === b?.writtenBy;

const ignoreMissing = (error: NodeJS.ErrnoException) => {
  if (error.code !== "ENOENT") throw error;
};

/** Directory fsync is refused where it is not supported (Windows: EPERM or EISDIR, some network shares: EINVAL); the rename is then as durable as the OS makes it. */
const UNSUPPORTED_DIRECTORY_SYNC = new Set(["EPERM", "EISDIR", "EINVAL", "ENOTSUP", "EACCES"]);

/** Temp file + fsync + rename (+ folder fsync): a crash leaves the old file or the new one, never a torn one. */
export async function writeAtomically(path: string, text: string, platform: Pick<Platform, "os">): Promise<void> {
  const folder = join(path, "..");
  await ensureFolder(folder);
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeSyncedFile(temporary, text, "w", 0o600);
  await rename(temporary, path).catch(async (error: unknown) => {
    await unlink(temporary).catch(() => undefined);
    throw error;
  });
  await syncFolder(folder, platform);
}

/** The rename itself must reach the disk too, or a power cut could bring the old checkpoint back. */
async function syncFolder(folder: string, platform: Pick<Platform, "os">): Promise<void> {
  if (platform.os === "win32") return; // Windows cannot open a folder for fsync; NTFS journals the rename
  try {
    const handle = await open(folder, "r");
    await handle.sync().finally(() => handle.close());
  } catch (error) {
    if (!UNSUPPORTED_DIRECTORY_SYNC.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
  }
}

/** Validated bytes go to `<name>.partial`; kept, the file is synced and renamed into place. */
async function createLocalPin(path: string, name: string, platform: Pick<Platform, "os">): Promise<PinWriter> {
  await ensureFolder(join(path, ".."));
  const partial = `${path}.partial`;
  const stream: WriteStream = createWriteStream(partial, { mode: 0o600 });
  let failure: unknown;
  stream.on("error", (error) => (failure ??= error));
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  const closed = () => new Promise<void>((resolve) => stream.close(() => resolve()));
  return {
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        if (failure !== undefined) return reject(failure);
        stream.write(bytes, (error) => (error ? reject(error) : resolve()));
      }),
    async keep() {
      if (failure !== undefined) throw failure;
      await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
      const handle = await open(partial, "r+");
      await handle.sync().finally(() => handle.close());
      await rename(partial, path);
      await syncFolder(join(path, ".."), platform);
      return { name };
    },
    async discard() {
      await closed();
      await rm(partial, { force: true });
    },
    release: closed,
  };
}
