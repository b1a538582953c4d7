/**
 * The uploader image, assembled and pushed without Docker: the pinned base
 * (Microsoft's distroless Node.js, non-root) plus one reproducible layer with
 * the bundle and its SBOM. `npm run image` and the stack's deploy-time image
 * resource (bundled as dist/hr-image.js) both call pushUploaderImage.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { anonymousTokens, azureExchangeTokens, isAzureContainerRegistry, type RegistryAuthMode, type TokenSource } from "./oci/auth";
import { HttpClient, proxySettingsFrom } from "./oci/http";
import { assembleImage, type Platform } from "./oci/image";
import { resolveBase } from "./oci/baseImage";
import { buildLayer } from "./oci/layer";
import { parseImageReference } from "./oci/reference";
import { RegistryClient, sha256Digest } from "./oci/registry";
import { BUILD_PATHS } from "./buildPaths";
import { makeSbom, serializeSbom, type BundleMetafile } from "./sbom";
import { azureCliToken, ToolRunner } from "../../uploader/src/auth/toolRunner";

export const DEFAULT_REPOSITORY = "hr-upload";
/** What Azure Container Apps runs. */
export const IMAGE_PLATFORM: Platform = { os: "linux", architecture: "amd64" };
/** Where the files sit in the image, and how it runs: `node /app/hr-upload.js upload`, node as PID 1, uid 65532 (distroless "nonroot"). */
export const IMAGE_LAYOUT = { script: "/app/hr-upload.js", command: ["upload"], user: "65532:65532", workingDir: "/app" } as const;
export const SBOM_IN_IMAGE = "/app/hr-upload.cdx.json";
/** Manifest annotations pointing at the SBOM inside the image's last layer. */
export const SBOM_ANNOTATIONS = { path: "hr-connector.sbom.path", digest: "hr-connector.sbom.digest" } as const;

export interface UploaderFiles {
  readonly bundle: Buffer;
  readonly sbom: Buffer;
}

export interface ImageLabels {
  readonly source: string;
  readonly revision: string;
  readonly version: string;
}

export interface PushRequest {
  /** Target registry host[:port]. */
  readonly registry: string;
  readonly repository: string;
  /** `<registry>/<repository>[:tag]@sha256:…`. */
  readonly base: string;
  readonly platform: Platform;
  readonly files: UploaderFiles;
  readonly labels: ImageLabels;
  readonly auth: RegistryAuthMode;
  /** Tag to also store the manifest under (keeps it from untagged-manifest clean-up); default `<version>-<revision>`. */
  readonly tag?: string;
}

export interface PushEnvironment {
  readonly http: HttpClient;
  /** The deployer's Entra token for ACR's exchange (az account get-access-token). */
  readonly entraAccessToken: (signal?: AbortSignal) => Promise<string>;
  readonly signal?: AbortSignal;
  /** One line per step, for a terminal. */
  readonly progress?: (line: string) => void;
}

export interface PushedImage {
  /** `<registry>/<repository>@sha256:…`. */
  readonly reference: string;
  readonly digest: string;
  readonly tag: string;
  /** Compressed bytes of the base layers and of ours. */
  readonly baseBytes: number;
  readonly layerBytes: number;
  /** Base layers copied from the base registry, and those the target already had (or mounted). */
  readonly copiedLayers: number;
  readonly reusedLayers: number;
}

/** Reads the bundle and makes its SBOM from the build's metafile (run `npm run build` first). */
export function readUploaderFiles(root: string): UploaderFiles {
  const read = (path: string) => {
    try {
      return readFileSync(join(root, path));
    } catch {
      throw new Error(`${path} is missing: run npm run build (npm ci does it too)`);
    }
  };
  const bundle = read(BUILD_PATHS.bundle);
  const metafile = JSON.parse(read(BUILD_PATHS.metafile).toString("utf8")) as BundleMetafile;
  return { bundle, sbom: serializeSbom(makeSbom(root, metafile, BUILD_PATHS.bundle, bundle)) };
}

/** What identifies the files: the image resource keeps these in the stack's state, and checks them before pushing. */
export function uploaderFileDigests(files: UploaderFiles): { bundleDigest: string; sbomDigest: string } {
  return { bundleDigest: sha256Digest(files.bundle), sbomDigest: sha256Digest(files.sbom) };
}

/** Source, revision and version labels: git's origin (credentials removed) and HEAD, package.json's version. */
export function readImageLabels(root: string): ImageLabels {
  const git = (...args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "";
    }
  };
  const origin = git("config", "--get", "remote.origin.url");
  let source = origin;
  try {
    const url = new URL(origin);
    url.username = "";
    url.password = "";
    source = url.href;
  } catch {
    // a path or scp-like address has no credentials to remove
  }
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  return { source: source || "unknown", revision: git("rev-parse", "HEAD") || "unknown", version };
}

export function defaultTag(labels: ImageLabels): string {
  return /^[0-9a-f]{12,}$/.test(labels.revision) ? `${labels.version}-${labels.revision.slice(0, 12)}` : labels.version;
}

/** How each registry is signed in to: ACR with the Entra exchange, others with anonymous tokens (as their challenge asks). */
function tokenSourceFor(host: string, mode: RegistryAuthMode, environment: PushEnvironment): TokenSource {
  const azure = mode === "azure" || (mode === "auto" && isAzureContainerRegistry(host));
  return azure ? azureExchangeTokens(environment.http, host, environment.entraAccessToken) : anonymousTokens(environment.http);
}

export async function pushUploaderImage(request: PushRequest, environment: PushEnvironment): Promise<PushedImage> {
  const progress = environment.progress ?? (() => undefined);
  const baseReference = parseImageReference(request.base);
  const target = new RegistryClient(request.registry, environment.http, tokenSourceFor(request.registry, request.auth, environment), "pull,push", environment.signal);
  const sameRegistry = baseReference.registry === request.registry;
  const source = sameRegistry ? target : new RegistryClient(baseReference.registry, environment.http, tokenSourceFor(baseReference.registry, "auto", environment), "pull", environment.signal);

  const base = await resolveBase(source, request.base, request.platform);
  progress(`base ${base.reference} (${base.manifest.layers.length} layers)`);

  const sbomDigest = sha256Digest(request.files.sbom);
  const layer = await buildLayer([
    { path: IMAGE_LAYOUT.script.slice(1), bytes: request.files.bundle, mode: 0o755 },
    { path: SBOM_IN_IMAGE.slice(1), bytes: request.files.sbom, mode: 0o644 },
  ]);
  const labels = {
    "org.opencontainers.image.title": "hr-upload",
    "org.opencontainers.image.description": "Uploads HR CSV files to the Microsoft Purview HR connector",
    "org.opencontainers.image.source": request.labels.source,
    "org.opencontainers.image.revision": request.labels.revision,
    "org.opencontainers.image.version": request.labels.version,
  };
  const image = assembleImage(base, layer, IMAGE_LAYOUT, labels, { [SBOM_ANNOTATIONS.path]: SBOM_IN_IMAGE, [SBOM_ANNOTATIONS.digest]: sbomDigest });

  let copiedLayers = 0;
  let reusedLayers = 0;
  for (const { digest, size } of base.manifest.layers) {
    if (await target.hasBlob(request.repository, digest)) {
      reusedLayers += 1;
    } else if (sameRegistry && (await target.mountBlob(request.repository, digest, baseReference.repository))) {
      reusedLayers += 1;
      progress(`mounted ${digest.slice(0, 19)} from ${baseReference.repository}`);
    } else {
      // Streamed from the base registry to the target; the target checks the digest.
      await target.pushBlob(request.repository, digest, size, async () => (await source.openBlob(baseReference.repository, digest)).stream);
      copiedLayers += 1;
      progress(`copied ${digest.slice(0, 19)} (${(size / 1048576).toFixed(1)} MiB) from ${baseReference.registry}`);
    }
  }
  for (const [digest, bytes] of [
    [layer.digest, layer.blob],
    [image.configDigest, image.config],
  ] as const) {
    if (!(await target.hasBlob(request.repository, digest))) await target.pushBlob(request.repository, digest, bytes.length, () => bytes);
  }
  const tag = request.tag ?? defaultTag(request.labels);
  const digest = await target.putManifest(request.repository, tag, image.manifest, "application/vnd.oci.image.manifest.v1+json");
  if (digest !== image.manifestDigest) throw new Error(`the registry stored ${digest}, not the assembled ${image.manifestDigest}`);
  const baseBytes = base.manifest.layers.reduce((sum, entry) => sum + entry.size, 0);
  return { reference: `${request.registry}/${request.repository}@${digest}`, digest, tag, baseBytes, layerBytes: layer.blob.length, copiedLayers, reusedLayers };
}

/** The environment of a process at its edge (CLI, Pulumi's provider host): its proxy settings, its az, its platform. */
export function processPushEnvironment(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  { signal, progress, extraCa }: { signal?: AbortSignal; progress?: (line: string) => void; extraCa?: string } = {},
): PushEnvironment {
  const runner = new ToolRunner({ platform, env, signal });
  return { http: new HttpClient({ proxy: proxySettingsFrom(env), extraCa }), entraAccessToken: async () => (await azureCliToken(runner)).token, signal, progress };
}
