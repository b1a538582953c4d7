/** Type checking is a separate step (`npm run typecheck`); Jest only strips the types, with esbuild (tests/support/esbuildTransform.cjs). */
const { availableParallelism, tmpdir, totalmem } = require("node:os");
const { join } = require("node:path");

const cacheDirectory = join(tmpdir(), "jest-hr-connector");

module.exports = {
  // Jest's node environment, but with a plain global object (tests/support/plainGlobalEnvironment.cjs): in-process code runs at node's speed.
  testEnvironment: "<rootDir>/tests/support/plainGlobalEnvironment.cjs",
  // Jest's order of files, but the long ones first also where no earlier run's timings are cached (a fresh clone, CI).
  testSequencer: "<rootDir>/tests/support/costFirstSequencer.cjs",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.[tj]s$": "<rootDir>/tests/support/esbuildTransform.cjs" },
  // Jest runs CommonJS; these dependencies ship only ES modules, so they go through the same transform.
  transformIgnorePatterns: ["/node_modules/(?!(https-proxy-agent|agent-base|proxy-agent-negotiate)/)"],
  cacheDirectory,
  // One temporary folder per run (TMPDIR), made before the workers start and removed at the end (tests/support/temporaryFolder.cjs).
  globalSetup: "<rootDir>/tests/support/temporaryFolder.cjs",
  globalTeardown: "<rootDir>/tests/support/removeTemporaryFolder.cjs",
  testTimeout: 60000,
  // Jest's default is one worker fewer than the cores; many suites wait on child processes, sockets and timeouts
  // (a proxy given up after 30 s, a 15 s Blob lease), so two workers per core keep the cores busy meanwhile.
  // Measured on 2 cores, 2026-12-07, Jest alone: 120 s with three workers, 96 s with five, 90 s with six; but
  // six failed timing tests (a stop within its grace, an Azurite restart within the Storage budget) in two of four
  // runs while this shared machine ran at half speed, where four passed.
  // A worker's heap reaches about 800 MB on the Pulumi suites: at most one worker per 2 GiB of memory.
  // A worker whose heap in use passed 500 MB after a file (the offline stack's does) starts afresh for the next:
  // forking a child costs the parent CPU in proportion to its resident memory (measured 2026-12-07 on Node 24: 2.5 ms
  // per spawn from a 10 MB process, 43 ms from a 1 GB one), and later files start hundreds of children (the stand-in
  // `az`). In a full run the workers' time in spawn() fell from 8.9 s to 5.3 s. Jest samples the heap in use, without
  // a collection first, not the resident size; a limit of 200 MB measured no faster. With a limit set Jest never runs
  // tests in band: a run of one file starts one worker.
  workerIdleMemoryLimit: "500MB",
  maxWorkers: Math.max(1, Math.min(availableParallelism() * 2, Math.floor(totalmem() / 2 ** 31))),
};
