/**
 * What the test suite needs on the machine besides node_modules: the Debian packages whose programs the tests
 * start on loopback, and the Windows build of Node that the Windows tests run under Wine. `npm test` checks
 * them in its first second (one line naming the fix); `npm run test:ci` installs whatever is missing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { ScriptIo } from "./scriptIo";
import { prepareWindowsNode, WINDOWS_NODE_VERSION, windowsNodePath } from "./windowsNode";
import { findWine } from "./wine";

export interface TestPackage {
  /** The Debian package. */
  readonly name: string;
  readonly installed: (env: NodeJS.ProcessEnv) => boolean;
}

export const TEST_DEBIAN_PACKAGES: readonly TestPackage[] = [
  { name: "docker-registry", installed: () => existsSync("/usr/bin/docker-registry") }, // the CNCF Distribution registry: image pushes
  { name: "tinyproxy", installed: () => existsSync("/usr/bin/tinyproxy") }, // an agency's HTTP CONNECT proxy
  { name: "wine64", installed: (env) => findWine(env) !== undefined }, // the Windows build of Node
];

export const SET_UP_COMMAND = "npm run test:ci";

/** What the machine is (tests inject another). */
export interface TestMachine {
  /** apt-get runs as is when root, else through sudo. */
  readonly asRoot: boolean;
  readonly packages: readonly TestPackage[];
}

export const THIS_MACHINE: TestMachine = { asRoot: process.getuid?.() === 0, packages: TEST_DEBIAN_PACKAGES };

const missingPackages = (env: NodeJS.ProcessEnv, machine: TestMachine) => machine.packages.filter((debian) => !debian.installed(env)).map((debian) => debian.name);

/** Why `npm test` cannot run here, in one line naming the command that fixes it, or undefined. */
export function testMachineProblem(env: NodeJS.ProcessEnv, machine: TestMachine = THIS_MACHINE): string | undefined {
  const packages = missingPackages(env, machine);
  const lacks = [
    ...(packages.length === 0 ? [] : [`the Debian package${packages.length > 1 ? "s" : ""} ${packages.join(", ")}`]),
    ...(existsSync(windowsNodePath(env)) ? [] : [`node.exe ${WINDOWS_NODE_VERSION} for the Windows tests (${windowsNodePath(env)})`]),
  ];
  return lacks.length === 0 ? undefined : `the tests need ${lacks.join(" and ")}: run ${SET_UP_COMMAND} once (it sets them up, then runs the tests)`;
}

/** Installs the missing Debian packages (as root, else through sudo) and the Windows build of Node; throws saying why it cannot. */
export async function prepareTestMachine(env: NodeJS.ProcessEnv, say: (line: string) => void, machine: TestMachine = THIS_MACHINE): Promise<void> {
  const packages = missingPackages(env, machine);
  if (packages.length > 0) {
    for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...packages]]) {
      const [command = "apt-get", ...rest] = machine.asRoot ? ["apt-get", ...args] : ["sudo", "apt-get", ...args];
      say(`$ ${[command, ...rest].join(" ")}`);
      const result = spawnSync(command, rest, { stdio: ["ignore", "inherit", "inherit"], env: { ...env, DEBIAN_FRONTEND: "noninteractive" } });
      if (result.error !== undefined || result.status !== 0) throw new Error(`${command} ${rest.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`}): install ${packages.join(", ")} with your package manager`);
    }
  }
  await prepareWindowsNode(env, say);
}

const USAGE = "usage: tsx scripts/test-machine.ts --check | --prepare";

/**
 * scripts/test-machine.ts's command line: `--check` prints nothing and exits 0 when the machine has everything,
 * else one line and exit 2; `--prepare` sets up what is missing, then checks. Exit 2 for every problem: none is a bug.
 */
export async function testMachineCli(argv: string[], io: ScriptIo, machine: TestMachine = THIS_MACHINE): Promise<number> {
  const [mode, ...rest] = argv;
  if (rest.length > 0 || (mode !== "--check" && mode !== "--prepare")) {
    io.stderr(USAGE);
    return 2;
  }
  if (mode === "--prepare") {
    try {
      await prepareTestMachine(io.env, io.stdout, machine);
    } catch (error) {
      io.stderr(`cannot set up the test machine: ${(error as Error).message}`);
      return 2;
    }
  }
  const problem = testMachineProblem(io.env, machine);
  if (problem === undefined) return 0;
  io.stderr(`npm test: ${problem}`);
  return 2;
}
