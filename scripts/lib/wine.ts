/**
 * Wine for the Windows tests: where its two programs are, a Windows 10 prefix
 * made once and kept in the user's cache as a template, a fresh copy of it per
 * test run, and stopping a prefix's wineserver. A prefix takes 7 to 16 s to
 * make on 2 cores; a copy takes 0.1 s.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ToolRunner } from "../../uploader/src/auth/toolRunner";

export interface WineTools {
  readonly wine64: string;
  readonly wineserver: string;
}

/** Debian's wine64 package installs its loader here, not on PATH (only the `wine` wrapper is). */
const DEBIAN_WINE_DIR = "/usr/lib/wine";

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function findProgram(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [...(env.PATH ?? "").split(":").filter((dir) => dir !== ""), DEBIAN_WINE_DIR].map((dir) => join(dir, name));
  return candidates.find(executable);
}

/** wine64 and wineserver, on PATH or where Debian puts them; undefined when either is missing. */
export function findWine(env: NodeJS.ProcessEnv): WineTools | undefined {
  const wine64 = findProgram("wine64", env);
  const wineserver = findProgram("wineserver", env);
  return wine64 === undefined || wineserver === undefined ? undefined : { wine64, wineserver };
}

/**
 * The environment Wine runs in for `prefix`: nothing of the caller's but PATH and HOME (the caller's
 * NODE_EXTRA_CA_CERTS or proxy must not leak into a test), Wine's own messages off, and its server's
 * socket folder (Debian's Wine makes it under TMPDIR) inside `serverDir`, so it goes with the run.
 */
export function wineEnvironment(env: NodeJS.ProcessEnv, prefix: string, serverDir: string): NodeJS.ProcessEnv {
  return { PATH: env.PATH, HOME: env.HOME, WINEPREFIX: prefix, WINEDEBUG: "-all", TMPDIR: serverDir };
}

/** Wine's version as a folder name ("wine-8.0-Debian-8.0-repack-4"): a template made by one Wine is not handed to another. */
async function wineVersionName(tools: WineTools, env: NodeJS.ProcessEnv): Promise<string> {
  const version = (await new ToolRunner({ platform: "linux", env: { PATH: env.PATH } }).run(tools.wine64, ["--version"])).trim();
  return version.replace(/[^A-Za-z0-9.]+/g, "-").replace(/-+$/, "");
}

/** Node refuses Wine's default Windows 7 ("Node.js is only supported on Windows 10 ... and newer"). */
const WINDOWS_VERSION = "win10";

/**
 * Starts the prefix's wineserver to stay until stopWineServer, so runs after the first skip Wine's start of
 * its services (0.3 s instead of 1.2 s). The server goes to the background holding its output: no pipes.
 */
export async function startWineServer(tools: WineTools, wineEnv: NodeJS.ProcessEnv): Promise<void> {
  const launcher = spawn(tools.wineserver, ["-p"], { env: wineEnv, stdio: "ignore" });
  const [code] = (await once(launcher, "exit")) as [number | null];
  if (code !== 0) throw new Error(`wineserver -p failed (exit ${code}) for ${wineEnv.WINEPREFIX}`);
}

/** Stops the wineserver of `prefix` and every Windows process in it, and waits until it has gone. */
export async function stopWineServer(tools: WineTools, wineEnv: NodeJS.ProcessEnv): Promise<void> {
  const runner = new ToolRunner({ platform: "linux", env: wineEnv, timeoutMs: 30_000 });
  await runner.exec(tools.wineserver, ["-k"]); // exits non-zero when no server runs: nothing to stop
  await runner.exec(tools.wineserver, ["-w"]);
}

/**
 * The Windows 10 template prefix in `cacheDir`, made now if missing. Made aside and renamed into place,
 * so a run that finds it finds it whole, and two runs making it at once both end with one template.
 */
export async function winePrefixTemplate(tools: WineTools, env: NodeJS.ProcessEnv, cacheDir: string): Promise<string> {
  const template = join(cacheDir, `${await wineVersionName(tools, env)}-prefix-${WINDOWS_VERSION}`);
  if (existsSync(template)) return template;
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(`${template}.staging-`);
  const prefix = join(staging, "prefix");
  const wineEnv = wineEnvironment(env, prefix, staging);
  try {
    const made = await new ToolRunner({ platform: "linux", env: wineEnv, timeoutMs: 120_000 }).exec(tools.wine64, ["winecfg", "/v", WINDOWS_VERSION]);
    await stopWineServer(tools, wineEnv); // the registry is written out when the server ends
    if (made.code !== 0 || !existsSync(join(prefix, "drive_c", "windows"))) throw new Error(`wine64 winecfg /v ${WINDOWS_VERSION} did not make a prefix (exit ${made.code}): ${made.stderr.trim().split("\n").at(-1) ?? ""}`);
    // Names the server folder under this staging folder, which goes: each copy gets its own.
    rmSync(join(prefix, "wineserver"), { force: true });
    try {
      renameSync(prefix, template);
    } catch (error) {
      if (!existsSync(template)) throw error; // else another run put its template there first
    }
    return template;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * A fresh prefix at `prefix`, copied from `template`: C:\windows (Wine's 690 MB of DLLs, which no run
 * writes; the template is per Wine version, so Wine never updates them in place) as hard links where the
 * file system allows, everything else (the registry, the profiles with their empty %LOCALAPPDATA%) as real copies.
 */
export async function copyWinePrefix(template: string, prefix: string): Promise<void> {
  const cp = new ToolRunner({ platform: "linux", env: { PATH: "/usr/bin:/bin" }, timeoutMs: 120_000 });
  mkdirSync(join(prefix, "drive_c"), { recursive: true });
  const copies = [...readdirSync(template).filter((name) => name !== "drive_c"), ...readdirSync(join(template, "drive_c")).map((name) => join("drive_c", name))];
  for (const entry of copies) {
    const from = join(template, entry);
    const to = join(prefix, entry);
    const linked = entry === join("drive_c", "windows") && (await cp.exec("cp", ["-a", "--link", from, to])).code === 0;
    if (!linked) {
      rmSync(to, { recursive: true, force: true });
      await cp.run("cp", ["-a", from, to]);
    }
  }
}
