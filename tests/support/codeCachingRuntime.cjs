/**
 * Jest's runtime, with V8's code cache for the modules it compiles. Jest gives every test file a module registry of
 * its own and compiles each module it loads there with vm.compileFunction, which keeps no cache: the same 2 to 36 MB
 * of source (the uploader, its SDKs, Pulumi) was parsed again by every file. Here each compile passes V8 the code
 * cache of an earlier compile of the same source (on disk beside Jest's transform cache, shared by the workers and
 * kept between runs), and a compile without one saves it. V8 takes a cache only from its own version with the same
 * flags: the key holds V8's tag for those and the source's digest (V8 itself checks only the source's length).
 * Nothing a test runs changes: the same source, compiled to the same code.
 */
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { cachedDataVersionTag } = require("node:v8");
const vm = require("node:vm");
const { default: Runtime } = require("jest-runtime");

/** Installed once per worker: the worker loads this module once, and vm is the process's own. */
function cacheCompiledFunctions(folder) {
  mkdirSync(folder, { recursive: true });
  const compileFunction = vm.compileFunction;
  vm.compileFunction = function compileWithCodeCache(code, params, options = {}) {
    if (options.cachedData !== undefined || options.produceCachedData) return compileFunction(code, params, options);
    // V8's tag changes with its flags, and a worker's flags change while it runs: Pulumi's SDK turns one on when it loads.
    const file = join(folder, createHash("sha256").update(`${cachedDataVersionTag()}\0${options.filename ?? ""}\0`).update(code).digest("hex"));
    let cachedData;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const compiled = compileFunction(code, params, { ...options, cachedData, produceCachedData: cachedData === undefined });
    if (cachedData === undefined) save(file, compiled.cachedData);
    // Rejected (another V8, or other flags): compiled from source, and once more for a cache this V8 takes.
    else if (compiled.cachedDataRejected) save(file, compileFunction(code, params, { ...options, produceCachedData: true }).cachedData);
    return compiled;
  };
}

/** Written whole or not at all: another worker may read the file meanwhile. A cache that cannot be written (a full or read-only disk) only costs the next compile its speed. */
function save(file, data) {
  if (data === undefined) return;
  const partial = `${file}.${process.pid}`;
  try {
    writeFileSync(partial, data);
    renameSync(partial, file);
  } catch {
    // What was written of it goes; on a read-only disk even that removal fails, and there is nothing to remove.
    try {
      rmSync(partial, { force: true });
    } catch {
      // nothing to undo
    }
  }
}

let installed = false;

class CodeCachingRuntime extends Runtime {
  constructor(config, ...rest) {
    if (!installed) {
      cacheCompiledFunctions(join(config.cacheDirectory, "v8-code-cache"));
      installed = true;
    }
    super(config, ...rest);
  }
}

module.exports = CodeCachingRuntime;
