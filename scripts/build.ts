/**
 * Bundles the uploader into one self-contained file, dist/hr-upload.js: it
 * runs with plain `node` and no node_modules (the container image carries only it).
 * Its metafile (dist/hr-upload.meta.json) says what went in: `npm run sbom` reads it.
 * The validation worker's code is bundled first, on its own (dist/hr-slice-worker.js),
 * and carried in the bundle as a string: a worker thread started from it loads the
 * CSV reader and the rules, not the whole CLI and its SDKs.
 * Also bundles the image assembly (dist/hr-image.js), which the stack's deploy-time
 * image resource loads: Pulumi's dynamic provider host runs JavaScript only.
 */
import { build } from "esbuild";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { BUILD_PATHS } from "./lib/buildPaths";

const root = resolve(__dirname, "..");

async function bundle(): Promise<void> {
  const common = { bundle: true, platform: "node", target: "node22", format: "cjs", legalComments: "none", absWorkingDir: root, logLevel: "warning" } as const;
  await build({ ...common, entryPoints: [resolve(root, "uploader/src/validation/sliceWorker.ts")], outfile: resolve(root, BUILD_PATHS.sliceWorker) });
  const sliceWorkerCode = await readFile(resolve(root, BUILD_PATHS.sliceWorker), "utf8");
  const result = await build({
    ...common,
    entryPoints: [resolve(root, "uploader/src/cli/bin.ts")],
    outfile: resolve(root, BUILD_PATHS.bundle),
    banner: { js: "#!/usr/bin/env node" },
    inject: [resolve(__dirname, "lib/importMetaUrl.ts")],
    define: { "import.meta.url": "import_meta_url", HR_SLICE_WORKER_CODE: JSON.stringify(sliceWorkerCode) },
    metafile: true,
  });
  await chmod(resolve(root, BUILD_PATHS.bundle), 0o755);
  await writeFile(resolve(root, BUILD_PATHS.metafile), JSON.stringify(result.metafile));
  await build({ ...common, entryPoints: [resolve(__dirname, "lib/uploaderImage.ts")], outfile: resolve(root, BUILD_PATHS.imageModule) });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  console.log(`built ${BUILD_PATHS.bundle} (${(bytes / 1024).toFixed(0)} KiB), ${BUILD_PATHS.metafile} and ${BUILD_PATHS.imageModule}`);
}

bundle().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
