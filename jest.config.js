/** Type checking is a separate step (`npm run typecheck`); Jest only strips the types, with esbuild (tests/support/esbuildTransform.cjs). */
const { availableParallelism, tmpdir, totalmem } = require("node:os");
const { join } = require("node:path");

const cacheDirectory = join(tmpdir(), "jest-hr-connector");

module.exports = {
  // Jest's node environment, but with a plain global object (tests/support/plainGlobalEnvironment.cjs): in-process code runs at node's speed.
  testEnvironment: "<rootDir>/tests/support/plainGlobalEnvironment.cjs",
  // Jest's runtime, but with V8's code cache for the modules each test file compiles again (tests/support/codeCachingRuntime.cjs).
  runtime: "<rootDir>/tests/support/codeCachingRuntime.cjs",
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
  // Jest's default is one worker fewer than the cores; many suites wait on child processes, sockets and timeouts,
  // so two workers per core keep the cores busy meanwhile. Measured on 2 cores, Jest alone: on 2026-12-07 (code of
  // that morning) 120 s with three workers, 96 s with five, 90 s with six, but six failed timing tests (a stop within
  // its grace, an Azurite restart within the Storage budget) in two of four runs, where four passed; at 23:20 that
  // day (1,371 tests) 124 s with three, 120 s with four.
  // A worker that runs the offline stack reaches about 850 MB resident: at most one worker per 2 GiB of memory.
  maxWorkers: Math.max(1, Math.min(availableParallelism() * 2, Math.floor(totalmem() / 2 ** 31))),
};
