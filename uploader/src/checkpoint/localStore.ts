import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors";
import type { Checkpoint, CheckpointStore } from "./store";

/** The default folder: the user's state directory (XDG on Linux, LOCALAPPDATA on Windows). */
export function defaultCheckpointDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "hr-upload", "checkpoints");
  if (platform === "darwin") return join(homedir(), "Library", "Application Support", "hr-upload", "checkpoints");
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "hr-upload", "checkpoints");
}

export function localCheckpointStore(dir: string): CheckpointStore {
  const path = (key: string) => join(dir, `${key}.json`);
  return {
    location: dir,
    async load(key) {
      const text = await readFile(path(key), "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw new UsageError(`cannot read checkpoint in ${dir} (${error.code ?? "error"})`);
      });
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as Checkpoint;
      } catch {
        throw new UsageError(`checkpoint ${path(key)} is corrupt; delete it to start over`);
      }
    },
    async save(key, checkpoint) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temporary = `${path(key)}.${randomBytes(6).toString("hex")}.tmp`;
      const file = await open(temporary, "w", 0o600);
      try {
        await file.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path(key)).catch(async (error: unknown) => {
        await unlink(temporary).catch(() => undefined);
        throw error;
      });
    },
  };
}
