/** Type checking is a separate step (`npm run typecheck`); Jest only strips the types, with esbuild (tests/support/esbuildTransform.cjs). */
const { mkdtempSync } = require("node:fs");
const { availableParallelism, tmpdir, totalmem } = require("node:os");
const { join } = require("node:path");

// Everything the tests and their child processes make in the temporary folder (files, state
// folders, certificates, Azurite's data) goes into one folder of this run, removed at its end.
const cacheDirectory = join(tmpdir(), "jest-hr-connector");
process.env.TMPDIR = mkdtempSync(join(tmpdir(), "hr-jest-"));

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.[tj]s$": "<rootDir>/tests/support/esbuildTransform.cjs" },
  // Jest runs CommonJS; these dependencies ship only ES modules, so they go through the same transform.
  transformIgnorePatterns: ["/node_modules/(?!(https-proxy-agent|agent-base|proxy-agent-negotiate)/)"],
  cacheDirectory,
  globalTeardown: "<rootDir>/tests/support/removeTemporaryFolder.cjs",
  testTimeout: 60000,
  // Jest's default is one worker fewer than the cores; most suites wait on child processes and sockets, so
  // more workers than cores pay (measured on 2 cores: 523 s with one worker, 222 s with two, 199 s with three).
  // A worker's heap reaches about 800 MB on the Pulumi suites: at most one worker per 2 GiB of memory.
  maxWorkers: Math.max(1, Math.min(Math.ceil(availableParallelism() * 1.5), Math.floor(totalmem() / 2 ** 31))),
};
