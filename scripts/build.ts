/**
 * Bundles the uploader into one self-contained file, dist/hr-upload.js: it
 * runs with plain `node` and no node_modules (the container image carries only it).
 */
import { build } from "esbuild";
import { chmod } from "node:fs/promises";
import { resolve } from "node:path";

const root = resolve(__dirname, "..");
export const BUNDLE_PATH = resolve(root, "dist/hr-upload.js");

async function bundle(): Promise<void> {
  const result = await build({
    entryPoints: [resolve(root, "uploader/src/cli/bin.ts")],
    outfile: BUNDLE_PATH,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    banner: { js: "#!/usr/bin/env node" },
    legalComments: "none",
    inject: [resolve(__dirname, "lib/importMetaUrl.ts")],
    define: { "import.meta.url": "import_meta_url" },
    metafile: true,
    logLevel: "warning",
  });
  await chmod(BUNDLE_PATH, 0o755);
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  console.log(`built ${BUNDLE_PATH} (${(bytes / 1024).toFixed(0)} KiB)`);
}

bundle().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
