/**
 * CycloneDX 1.5 SBOM of exactly what dist/hr-upload.js contains: esbuild's
 * metafile says which files reached the bundle (bytes in output > 0), each
 * file's package.json gives name, version and licence, and the packages'
 * own dependency lists, restricted to what is bundled, give the graph.
 * Deterministic: no timestamp, serial number derived from the bundle's hash.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The parts of esbuild's metafile read here. */
export interface BundleMetafile {
  readonly outputs: Record<string, { readonly inputs: Record<string, { readonly bytesInOutput: number }> }>;
}

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly license?: string | { readonly type?: string };
  readonly licenses?: readonly { readonly type?: string }[];
  readonly dependencies?: Record<string, string>;
}

export interface CycloneDxComponent {
  readonly type: "library" | "application";
  readonly "bom-ref": string;
  readonly group?: string;
  readonly name: string;
  readonly version: string;
  readonly purl?: string;
  readonly licenses?: { readonly expression: string }[];
  readonly hashes?: { readonly alg: "SHA-256"; readonly content: string }[];
}

export interface CycloneDxBom {
  readonly bomFormat: "CycloneDX";
  readonly specVersion: "1.5";
  readonly serialNumber: string;
  readonly version: 1;
  readonly metadata: { readonly component: CycloneDxComponent };
  readonly components: CycloneDxComponent[];
  readonly dependencies: { readonly ref: string; readonly dependsOn: string[] }[];
}

export const SBOM_MEDIA_TYPE = "application/vnd.cyclonedx+json";

/** `node_modules/@scope/name/...` or nested `node_modules/a/node_modules/b/...` → the package's folder. */
export function packageDirOf(inputPath: string): string | undefined {
  const parts = inputPath.split(/[\\/]/);
  const last = parts.lastIndexOf("node_modules");
  if (last < 0) return undefined;
  const nameParts = parts[last + 1]?.startsWith("@") ? 2 : 1;
  return parts.slice(0, last + 1 + nameParts).join("/");
}

function purlOf(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, "%40")}@${encodeURIComponent(version)}`;
}

function licenceOf(pkg: PackageJson): { expression: string }[] | undefined {
  const value = typeof pkg.license === "string" ? pkg.license : (pkg.license?.type ?? pkg.licenses?.map((entry) => entry.type).filter(Boolean).join(" OR "));
  return value ? [{ expression: value }] : undefined;
}

/** An RFC 4122 name-based (v5-shaped) UUID from a hash, so the same bundle gets the same serial number. */
function serialNumberFor(bundleSha256: string): string {
  const hex = createHash("sha256").update(`hr-upload sbom ${bundleSha256}`).digest("hex");
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * @param root repository root: the metafile's paths and package.json files are relative to it
 * @param bundleOutput the bundle's key in `metafile.outputs`, e.g. `dist/hr-upload.js`
 */
export function makeSbom(root: string, metafile: BundleMetafile, bundleOutput: string, bundle: Buffer): CycloneDxBom {
  const output = metafile.outputs[bundleOutput];
  if (output === undefined) throw new Error(`the metafile has no output ${bundleOutput}: rebuild with npm run build`);
  const readPackage = (dir: string) => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as PackageJson;

  const packageDirs = new Set(
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => packageDirOf(path))
      .filter((dir): dir is string => dir !== undefined),
  );
  const packages = [...packageDirs].map((dir) => {
    const pkg = readPackage(dir);
    if (!pkg.name || !pkg.version) throw new Error(`${dir}/package.json has no name or version`);
    return { dir, pkg, purl: purlOf(pkg.name, pkg.version) };
  });
  const components: CycloneDxComponent[] = packages
    .map(({ pkg, purl }) => {
      const [group, name] = (pkg.name as string).startsWith("@") ? (pkg.name as string).split("/") : [undefined, pkg.name as string];
      return { type: "library" as const, "bom-ref": purl, ...(group ? { group } : {}), name: name as string, version: pkg.version as string, purl, ...(licenceOf(pkg) ? { licenses: licenceOf(pkg) } : {}) };
    })
    .sort((left, right) => left.purl.localeCompare(right.purl));

  // Node's resolution: a dependency is the nearest bundled folder of that name, nested first.
  const resolve = (fromDir: string, name: string): string | undefined => {
    for (let dir = fromDir; ; ) {
      const candidate = packages.find((entry) => entry.dir === `${dir === "" ? "" : `${dir}/`}node_modules/${name}`);
      if (candidate) return candidate.purl;
      const up = dir.lastIndexOf("/node_modules/");
      if (dir === "") return undefined;
      dir = up < 0 ? "" : dir.slice(0, up);
    }
  };
  const rootPackage = readPackage(".");
  const bundleSha256 = createHash("sha256").update(bundle).digest("hex");
  const application: CycloneDxComponent = {
    type: "application",
    "bom-ref": "hr-upload",
    name: "hr-upload",
    version: rootPackage.version ?? "0.0.0",
    ...(licenceOf(rootPackage) ? { licenses: licenceOf(rootPackage) } : {}),
    hashes: [{ alg: "SHA-256", content: bundleSha256 }],
  };
  const dependsOn = (dir: string, pkg: PackageJson) =>
    [...new Set(Object.keys(pkg.dependencies ?? {}).map((name) => resolve(dir, name)).filter((purl): purl is string => purl !== undefined))].sort();
  return {
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    serialNumber: serialNumberFor(bundleSha256),
    version: 1,
    metadata: { component: application },
    components,
    dependencies: [
      { ref: application["bom-ref"], dependsOn: dependsOn("", rootPackage) },
      ...packages.map(({ dir, pkg, purl }) => ({ ref: purl, dependsOn: dependsOn(dir, pkg) })).sort((left, right) => left.ref.localeCompare(right.ref)),
    ],
  };
}

export function serializeSbom(bom: CycloneDxBom): Buffer {
  return Buffer.from(`${JSON.stringify(bom, null, 2)}\n`);
}
