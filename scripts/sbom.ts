/**
 * Writes the CycloneDX 1.5 SBOM of dist/hr-upload.js: every package whose code
 * the bundle holds, with version, licence and purl (run `npm run build` first;
 * `npm ci` does).
 *
 *   npm run sbom [-- --out dist/hr-upload.cdx.json]
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BUILD_PATHS } from "./lib/buildPaths";
import { readUploaderFiles } from "./lib/uploaderImage";

const ROOT = path.resolve(__dirname, "..");

try {
  const { values } = parseArgs({ options: { out: { type: "string", default: BUILD_PATHS.sbom } } });
  const out = path.resolve(ROOT, values.out as string);
  const { sbom } = readUploaderFiles(ROOT);
  writeFileSync(out, sbom);
  const bom = JSON.parse(sbom.toString("utf8")) as { components: { name: string; group?: string; version: string }[] };
  console.log(`wrote ${path.relative(process.cwd(), out)}: CycloneDX 1.5, hr-upload and ${bom.components.length} bundled packages`);
} catch (error) {
  console.error(`npm run sbom: ${(error as Error).message}`);
  process.exitCode = 2;
}
