import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { DEFAULT_SHUTDOWN_GRACE_MS, main } from "../../uploader/src/cli/main";
import { systemClock } from "../../uploader/src/cli/systemClock";
import type { ScriptIo } from "../../scripts/lib/scriptIo";
import type { Platform } from "../../uploader/src/core/platform";
import { StopController } from "../../uploader/src/cli/stopController";
import { helperExecFile } from "./toolProcesses";

export const FIXTURES = resolve(__dirname, "../fixtures");
export const fixture = (name: string) => resolve(FIXTURES, name);
export const BUNDLE = resolve(__dirname, "../../dist/hr-upload.js");
/** The validation worker's code as `npm run build` bundles it (the bundle carries the same text). */
export const SLICE_WORKER = resolve(__dirname, "../../dist/hr-slice-worker.js");
/** The version --version and summary events must show, read here as the release would read it. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(resolve(__dirname, "../../package.json"), "utf8")) as { version: string }).version;

/**
 * Where a run keeps its state and takes its machine-wide job locks when a test names neither: folders of this test
 * file (Jest loads this module once per file) in the test run's temporary folder (tests/support/temporaryFolder.cjs), never the user's
 * own ~/.local/state or /tmp/hr-upload-locks. Jest runs files side by side, with the same job ID: each file is
 * then a machine of its own, so runs of two files never meet at a job's lock; the runs of one file do.
 */
const thisFilesMachine = mkdtempSync(join(tmpdir(), "hr-test-machine-"));
const withTestMachine = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  XDG_STATE_HOME: join(thisFilesMachine, "state-home"),
  HR_LOCK_DIR: join(thisFilesMachine, "locks"),
  ...env,
});

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Node's own trusted roots, before any run here added one. */
let nodeRoots: string[] | undefined;
/** The NODE_EXTRA_CA_CERTS files of the in-process runs under way, with how many runs name each. */
const rootFilesInUse = new Map<string, number>();
/** The extra root files the process trusts now (sorted, joined): what was installed last. */
let installedRootFiles = "";

/**
 * Makes this process trust Node's roots plus the files of the runs under way, as a bundle started with
 * NODE_EXTRA_CA_CERTS trusts its file: Node reads that variable once at start, so main() cannot honour it from its env.
 * Installing roots costs about 45 ms (Node parses them all), so a set stays installed until a run needs another one
 * or the test file ends: runs that name the same file in a row install it once.
 */
function installRootsInUse(): void {
  const files = [...rootFilesInUse.keys()].sort();
  if (files.join("\n") === installedRootFiles) return;
  nodeRoots ??= getCACertificates("default");
  setDefaultCACertificates([...nodeRoots, ...files.map((pemFile) => readFileSync(pemFile, "utf8"))]);
  installedRootFiles = files.join("\n");
}
afterAll(() => {
  rootFilesInUse.clear();
  installRootsInUse();
});

async function trustingExtraRoots<T>(file: string | undefined, run: () => Promise<T>): Promise<T> {
  const named = file !== undefined && file !== "";
  if (named) rootFilesInUse.set(file, (rootFilesInUse.get(file) ?? 0) + 1);
  installRootsInUse();
  try {
    return await run();
  } finally {
    if (named) {
      const runs = (rootFilesInUse.get(file) ?? 1) - 1;
      if (runs === 0) rootFilesInUse.delete(file);
      else rootFilesInUse.set(file, runs);
    }
  }
}

/**
 * Runs the CLI in-process with captured output (fast; for rule and format tests), on this machine or another (`platform`).
 * The same main() as the bundle, given `env` as the bundle's process.env; NODE_EXTRA_CA_CERTS in it is trusted for the run.
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, platform?: Platform): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const streams = {
    stdout: { write: (text: string) => ((stdout += text), true) },
    stderr: { write: (text: string) => ((stderr += text), true) },
  };
  const code = await trustingExtraRoots(env.NODE_EXTRA_CA_CERTS, () =>
    platform ? main(args, withTestMachine(env), streams, { clock: systemClock, platform, stop: new StopController(DEFAULT_SHUTDOWN_GRACE_MS) }) : main(args, withTestMachine(env), streams),
  );
  return { code, stdout, stderr };
}

/** Runs the real bundle as a child process, the way the job and users run it. */
export function runBundle(args: string[], env: NodeJS.ProcessEnv = {}, options: BundleOptions = {}): Promise<CliResult> {
  return startBundle(args, env, options).result;
}

export interface BundleOptions {
  cwd?: string;
  bundle?: string;
  /** The node binary (default: the one running the tests, the project's Node 24). */
  node?: string;
  /** Node options before the script (e.g. tsx's loader). */
  nodeArgs?: string[];
  /** A command the bundle runs under, e.g. ["unshare", "--pid", "--fork"] to run node as PID 1; a shell wrapper gets node, the bundle and the args as "$@". */
  wrapper?: string[];
}

export interface RunningBundle {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
}

/**
 * Node's compile cache for the children on the tests' own Node: the one the workers were given (tests/support/temporaryFolder.cjs,
 * kept between runs), so that a run loads the 3 MB bundle without compiling it again (measured: about a third less CPU per start,
 * 0.15 s -> 0.10 s user for a validate). It changes nothing a run does; another Node (Wine's Windows one) keeps its own default.
 */
const compileCache = (options: BundleOptions): NodeJS.ProcessEnv =>
  options.node === undefined ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "node-compile-cache") } : {};

/** Starts the bundle and lets the test act on the running process (signals, kills) before collecting its output. */
export function startBundle(args: string[], env: NodeJS.ProcessEnv = {}, options: BundleOptions = {}): RunningBundle {
  const node = options.node ?? process.execPath;
  const [command = node, ...prefix] = options.wrapper ? [...options.wrapper, node] : [node];
  const child = spawn(command, [...prefix, ...(options.nodeArgs ?? []), options.bundle ?? BUNDLE, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...compileCache(options), ...withTestMachine(env) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = new Promise<CliResult>((done, fail) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
  return { child, result };
}

/** Polls `condition` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((later) => setTimeout(later, 20));
  }
}

/** Parses json-format output: one object per line. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The summary event: the last line of a json-format run. */
export const summaryOf = (result: CliResult) => jsonLines(result.stdout).at(-1) as Record<string, unknown>;

/**
 * Runs a script's command line (scripts/lib) in this process with captured output: no node and tsx start,
 * and Pulumi's SDK, once loaded, serves every run. `io` gives the environment (PATH alone by default); the
 * tools it runs start from a small helper process (tests/support/toolProcesses.ts).
 */
export async function runScriptHere(cli: (argv: string[], io: ScriptIo) => Promise<number>, argv: string[], io: Partial<Omit<ScriptIo, "stdout" | "stderr">> = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await cli(argv, {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH },
    platform: "linux",
    execFile: helperExecFile,
    ...io,
    stdout: (line) => (stdout += `${line}\n`),
    stderr: (line) => (stderr += `${line}\n`),
  });
  return { code, stdout, stderr };
}

/** Runs one of scripts/*.ts through tsx, as `npm run <name>` does, as a child process (tsx's loader in node itself: no second process). */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, options: { cwd?: string } = {}): Promise<CliResult> {
  return runBundle(args, env, { cwd: options.cwd, bundle: resolve(__dirname, "../../scripts", script), nodeArgs: ["--import", "tsx"] });
}

/** A failed run that said why in one line on stderr, and nothing else there. */
export function expectOneLineError(result: CliResult, code: number, message: RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(message);
}
