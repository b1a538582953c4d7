/**
 * Jest's transform: esbuild's (already the bundler), TypeScript (and the few ES-module-only dependencies) to
 * CommonJS with a source map for Jest's code frames. Types are `npm run typecheck`'s job; this only strips them (tsconfig's isolatedModules keeps every file transformable alone).
 */
const { transformSync } = require("esbuild");
const { version } = require("esbuild/package.json");
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");

/** Cached transforms are keyed on esbuild's version and this file too: a change to either redoes them. */
const TRANSFORM_KEY = createHash("sha256").update(version).update(readFileSync(__filename)).digest("hex");

module.exports = {
  process(source, filename) {
    // import() becomes require(), as tsc's CommonJS output does: Jest runs modules in a vm without ESM support.
    const { code, map } = transformSync(source, { loader: filename.endsWith(".ts") ? "ts" : "js", format: "cjs", target: "node24", supported: { "dynamic-import": false }, sourcemap: true, sourcefile: filename, sourcesContent: false });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return createHash("sha256").update(TRANSFORM_KEY).update("\0").update(filename).update("\0").update(source).digest("hex");
  },
};
