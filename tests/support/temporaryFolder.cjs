/**
 * Jest's global setup: one temporary folder for the run. Everything the tests and their child processes make in the
 * temporary folder (files, state folders, certificates, Azurite's data) goes into it, and removeTemporaryFolder.cjs
 * removes it at the run's end. Made here, not when the config is read, so that a Jest that stops at its config
 * (a mistyped option) leaves nothing behind; the workers start after this and inherit TMPDIR.
 *
 * Its place: /dev/shm (memory) where it can be written, else the OS's own. Every checkpoint and lock write is fsynced,
 * and an fsync on this machine's disk takes about 12 ms against 0.4 ms in memory (300 write+fsync+rename+folder
 * fsync: 3.6 s against 0.13 s): the tests check what runs do, not that the disk keeps it (a killed process loses
 * nothing of the page cache either way; the full-disk tests mount their own tmpfs).
 *
 * It also gives the workers, and every node they start, Node's compile cache beside Jest's transform cache: kept
 * between runs, so a process that loads Azurite, Pulumi or the bundle finds them compiled by an earlier run
 * (`jest --clearCache` removes it with the rest). It changes nothing a process does.
 */
const { accessSync, constants, mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

function temporaryBase() {
  try {
    accessSync("/dev/shm", constants.W_OK | constants.X_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}

module.exports = async (_globalConfig, projectConfig) => {
  process.env.TMPDIR = mkdtempSync(join(temporaryBase(), "hr-jest-"));
  process.env.NODE_COMPILE_CACHE = join(projectConfig.cacheDirectory, "node-compile-cache");
};
