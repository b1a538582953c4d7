/**
 * OCI documents and the assembly of an application image on a base: the
 * base's layers by reference, one more layer, and a config whose entry point,
 * command, user, working directory and labels are ours. Pure: same inputs,
 * same bytes.
 */
import type { Layer } from "./layer";
import { sha256Digest } from "./registry";

export const MEDIA_TYPE = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Record<string, string>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly manifests: Descriptor[];
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: Descriptor[];
  readonly annotations?: Record<string, string>;
}

export interface ContainerConfig {
  readonly User?: string;
  readonly Env?: string[];
  readonly Entrypoint?: string[] | null;
  readonly Cmd?: string[] | null;
  readonly WorkingDir?: string;
  readonly Labels?: Record<string, string> | null;
  readonly [other: string]: unknown;
}

export interface ImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly created?: string;
  readonly config?: ContainerConfig;
  readonly rootfs: { readonly type: "layers"; readonly diff_ids: string[] };
  readonly history?: { readonly created?: string; readonly created_by?: string; readonly empty_layer?: boolean; readonly comment?: string }[];
  readonly [other: string]: unknown;
}

export const isIndex = (mediaType: string) => mediaType === MEDIA_TYPE.ociIndex || mediaType === MEDIA_TYPE.dockerList;

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split("/");
  if (!os || !architecture) throw new Error(`platform "${text}" must be os/architecture[/variant], e.g. linux/amd64`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** The base image has no variant for the platform asked for. */
export class PlatformMismatchError extends Error {
  override readonly name = "PlatformMismatchError";
}

/** The index entry for a platform (Container Apps runs linux/amd64). */
export function manifestForPlatform(index: ImageIndex, platform: Platform): Descriptor {
  const found = index.manifests.find(
    (entry) =>
      entry.platform?.os === platform.os &&
      entry.platform.architecture === platform.architecture &&
      (platform.variant === undefined || entry.platform.variant === platform.variant),
  );
  if (found === undefined) {
    const offered = index.manifests.map((entry) => (entry.platform ? formatPlatform(entry.platform) : "?")).join(", ");
    throw new PlatformMismatchError(`the base image has no ${formatPlatform(platform)} variant (it offers ${offered})`);
  }
  return found;
}

/** The base, as resolved from its registry. */
export interface BaseImage {
  /** The reference as pinned, e.g. `mcr.microsoft.com/azurelinux/distroless/nodejs:24-nonroot@sha256:…`. */
  readonly reference: string;
  /** The pinned digest (of the index, for a multi-platform base). */
  readonly digest: string;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
}

export interface ApplicationLayout {
  /** Absolute path of the script node runs, e.g. `/app/hr-upload.js`. */
  readonly script: string;
  /** Arguments after the script: the default command. */
  readonly command: readonly string[];
  /** Numeric `uid:gid`, not root. */
  readonly user: string;
  readonly workingDir: string;
}

export interface AssembledImage {
  readonly config: Buffer;
  readonly configDigest: string;
  readonly manifest: Buffer;
  readonly manifestDigest: string;
}

const EPOCH = "1970-01-01T00:00:00Z";
const DEFAULT_NODE = "/usr/bin/node";

export function isRootUser(user: string | undefined): boolean {
  const name = (user ?? "").split(":")[0]?.trim() ?? "";
  return name === "" || name === "0" || name === "root";
}

/**
 * The application image: node (from the base's entry point) runs the script as
 * PID 1, so it receives SIGTERM itself; base layers are reused as they are.
 */
export function assembleImage(base: BaseImage, layer: Layer, app: ApplicationLayout, labels: Record<string, string>, annotations: Record<string, string>): AssembledImage {
  if (isRootUser(app.user)) throw new Error(`the image user "${app.user}" must not be root`);
  const baseEntrypoint = base.config.config?.Entrypoint ?? [];
  const node = baseEntrypoint.length === 1 && /(^|\/)node$/.test(baseEntrypoint[0] as string) ? (baseEntrypoint[0] as string) : DEFAULT_NODE;
  const config: ImageConfig = {
    ...base.config,
    created: EPOCH,
    config: {
      ...base.config.config,
      User: app.user,
      Entrypoint: [node, app.script],
      Cmd: [...app.command],
      WorkingDir: app.workingDir,
      Labels: { ...(base.config.config?.Labels ?? {}), ...labels },
    },
    rootfs: { type: "layers", diff_ids: [...base.config.rootfs.diff_ids, layer.diffId] },
    history: [...(base.config.history ?? []), { created: EPOCH, created_by: `hr-connector npm run image: ${app.script}` }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256Digest(configBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.ociManifest,
    config: { mediaType: MEDIA_TYPE.ociConfig, digest: configDigest, size: configBytes.length },
    layers: [
      // Docker's gzip layer type is the same bytes as OCI's; one manifest format throughout.
      ...base.manifest.layers.map(({ mediaType, digest, size }) => ({ mediaType: mediaType === MEDIA_TYPE.dockerLayerGzip ? MEDIA_TYPE.ociLayerGzip : mediaType, digest, size })),
      { mediaType: MEDIA_TYPE.ociLayerGzip, digest: layer.digest, size: layer.blob.length },
    ],
    annotations: {
      "org.opencontainers.image.base.name": base.reference.split("@")[0] as string,
      "org.opencontainers.image.base.digest": base.digest,
      ...annotations,
    },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return { config: configBytes, configDigest, manifest: manifestBytes, manifestDigest: sha256Digest(manifestBytes) };
}
