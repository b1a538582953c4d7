import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { chmod, link, mkdir, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
import { dirname } from "node:path";
import { isoAt } from "../core/clock";
import { StateWriteError } from "../core/errors";
import type { Platform } from "../core/platform";
import { ensureFolder, osReason, writeSyncedFile } from "../source/localFile";
import { keepHeld, type LockHolding } from "./heartbeat";
import { lookAgain, waitForLock } from "./lockWait";
import type { LockOptions, RunLock } from "./runLock";

const BUSY = Symbol("busy");
/** How soon to look again at a lock file another process holds open this once. */
const BUSY_LOOK_MS = 200;

/**
 * The run lock in a local folder: a file created exclusively (O_EXCL), naming
 * its owner, touched while the run lasts.
 *
 * Our own rather than proper-lockfile, which judges a lock stale by its
 * modification time alone: it would take the lock from a live holder on this
 * very host whose touches paused (a laptop waking from sleep, a stalled event
 * loop). Here a holder on this host is judged by its process (PID, PID
 * namespace and start time): alive, it is never taken over; gone, at once.
 * Only a holder this host cannot see (another machine or container sharing
 * the folder) is judged by its heartbeat: a touch seen means alive; none for a
 * lease period means gone. The takeover renames the stale file away, so two
 * waiters cannot both take it, and the holder checks before every request
 * attempt that the file is still its own.
 */
export async function acquireLocalLock(path: string, location: string, platform: Platform, options: LockOptions, shared = false): Promise<RunLock | undefined> {
  const { clock } = options;
  const heartbeatMs = Math.max(1, Math.floor(options.leaseMs / 6));
  const writeFailed = (error: unknown) => new StateWriteError(location, osReason(error));
  await (shared ? ensureSharedFolder(dirname(path)) : ensureFolder(dirname(path))).catch((error: unknown) => {
    throw writeFailed(error);
  });
  const owner = JSON.stringify({ pid: platform.pid, host: platform.hostname, tag: await platform.processTagOf(platform.pid), acquiredAt: isoAt(clock) });

  let watching: { content: string; mtimeMs: number; since: number } | undefined;
  return waitForLock(async () => {
    try {
      // A shared folder's locks are readable by every account (they name a process, nothing secret): each judges the others'.
      // A lock naming nobody (a full disk) would make the next run wait out a lease in silence: a failed write takes it back.
      await writeSyncedFile(path, owner, "wx", shared ? 0o644 : 0o600);
      // Another waiter taking over what it judged a stale lock may have moved ours aside in between: look again.
      const created = await stat(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      if (created === undefined) return lookAgain("taken over meanwhile", 0);
      return { kind: "done", value: await holdLock(path, owner, created.ino, heartbeatMs, options) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw writeFailed(error);
    }
    // Gone meanwhile: look again at once. Held open by another process this once (a Windows sharing violation, an
    // antivirus scan): look again shortly. There but unreadable for good (a folder, another account's 0600 file): no
    // look would ever tell its holder, so say so rather than spin on it.
    const content = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      if (error.code === "EBUSY" || error.code === "EPERM") return BUSY;
      throw writeFailed(error);
    });
    if (content === BUSY) return lookAgain("its lock file is in use", BUSY_LOOK_MS);
    const touched = await stat(path).then((info) => info.mtimeMs, () => undefined);
    if (content === undefined || touched === undefined) return lookAgain("released meanwhile", 0);
    const holder = parseOwner(content);
    const running = holder?.host === platform.hostname ? await platform.isRunning(holder.pid, holder.tag) : undefined;
    if (running === true) return { kind: "done", value: undefined };
    if (running === false) {
      await takeOver(path, content);
      return lookAgain("its holder is gone", 0);
    }
    // A holder this host cannot see: watch its heartbeat.
    if (watching === undefined) options.onWait?.(holder ? `process ${holder.pid} on ${holder.host}` : "a holder whose lock file cannot be read");
    if (watching === undefined || watching.content !== content) watching = { content, mtimeMs: touched, since: clock.now() };
    else if (touched !== watching.mtimeMs) return { kind: "done", value: undefined }; // it touched the lock: alive
    else if (clock.now() - watching.since > options.leaseMs + heartbeatMs) {
      await takeOver(path, content);
      watching = undefined;
      return lookAgain("its holder's heartbeat stopped", 0);
    }
    return lookAgain("held", Math.min(heartbeatMs, 1000));
  }, options);
}

/** A folder every account of the machine may create its locks in, but not remove another's (sticky, like /tmp). */
async function ensureSharedFolder(path: string): Promise<void> {
  const created = await mkdir(path, { recursive: true });
  if (created !== undefined) await chmod(path, 0o1777).catch(() => undefined); // the umask narrowed mkdir's mode; Windows ignores it
}

function parseOwner(content: string): { pid: number; host: string; tag?: string } | undefined {
  try {
    const owner = JSON.parse(content) as { pid?: unknown; host?: unknown; tag?: unknown };
    if (typeof owner.pid !== "number" || typeof owner.host !== "string") return undefined;
    return { pid: owner.pid, host: owner.host, tag: typeof owner.tag === "string" ? owner.tag : undefined };
  } catch {
    return undefined; // torn: judged by its heartbeat
  }
}

/** Moves the judged lock out of the way; if another waiter's fresh lock was moved instead, puts it back. */
async function takeOver(path: string, judged: string): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // gone already: someone else took it over
  }
  if ((await readFile(aside, "utf8").catch(() => judged)) !== judged) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

function holdLock(path: string, owner: string, inode: number, heartbeatMs: number, options: LockOptions): Promise<RunLock> {
  const { clock } = options;
  /** Ours while the file is the one we created and still names us. */
  const stillOurs = () => {
    try {
      return statSync(path).ino === inode && readFileSync(path, "utf8") === owner;
    } catch {
      return false;
    }
  };
  const holding: LockHolding = {
    async beat() {
      const nowSeconds = clock.now() / 1000; // utimes takes seconds since the epoch
      await utimes(path, nowSeconds, nowSeconds).catch(() => undefined);
    },
    check(lost) {
      if (!stillOurs()) lost("the lock file was removed or replaced by someone else");
    },
    async giveBack() {
      if (stillOurs()) await unlink(path).catch(() => undefined);
    },
  };
  return keepHeld(clock, heartbeatMs, holding, options.onLost, false);
}
