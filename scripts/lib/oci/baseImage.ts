/**
 * Reading a base image for one platform: the manifest a tag or digest names
 * (a multi-platform index, or a single image), the platform's image manifest
 * within it, and its config. The image push and preflight's image-base check
 * read bases the same way.
 */
import { formatPlatform, isIndex, manifestForPlatform, PlatformMismatchError, type BaseImage, type ImageConfig, type ImageIndex, type ImageManifest, type Platform } from "./image";
import { formatImageReference, parseImageReference } from "./reference";
import type { RegistryClient } from "./registry";

export interface PlatformManifest {
  /** The digest of what the tag or digest names: the index's, for a multi-platform image. */
  readonly digest: string;
  /** The platform's image manifest. */
  readonly manifest: ImageManifest;
  /** Whether the index said the manifest is the platform's; a single image says so only in its config. */
  readonly platformListed: boolean;
}

/** The manifest `reference` (a tag or digest) names, and the platform's image manifest; PlatformMismatchError when an index lacks it. */
export async function readPlatformManifest(source: RegistryClient, repository: string, reference: string, platform: Platform): Promise<PlatformManifest> {
  const top = await source.getManifest(repository, reference);
  if (!isIndex(top.mediaType)) return { digest: top.digest, manifest: JSON.parse(top.bytes.toString("utf8")) as ImageManifest, platformListed: false };
  const entry = manifestForPlatform(JSON.parse(top.bytes.toString("utf8")) as ImageIndex, platform);
  const manifest = await source.getManifest(repository, entry.digest);
  return { digest: top.digest, manifest: JSON.parse(manifest.bytes.toString("utf8")) as ImageManifest, platformListed: true };
}

/** The image's config, checked against its digest and the platform (PlatformMismatchError). */
export async function readPlatformConfig(source: RegistryClient, repository: string, manifest: ImageManifest, platform: Platform): Promise<ImageConfig> {
  const config = JSON.parse((await source.readBlob(repository, manifest.config.digest)).toString("utf8")) as ImageConfig;
  if (config.os !== platform.os || config.architecture !== platform.architecture) {
    throw new PlatformMismatchError(`the base image is ${config.os}/${config.architecture}, not ${formatPlatform(platform)}`);
  }
  return config;
}

/** Reads the pinned base: its manifest for the platform and its config, each checked against its digest. */
export async function resolveBase(source: RegistryClient, base: string, platform: Platform): Promise<BaseImage> {
  const reference = parseImageReference(base);
  if (reference.digest === undefined) throw new Error(`the base image ${base} must be pinned by digest (…@sha256:…)`);
  const { manifest } = await readPlatformManifest(source, reference.repository, reference.digest, platform);
  const config = await readPlatformConfig(source, reference.repository, manifest, platform);
  return { reference: formatImageReference(reference), digest: reference.digest, manifest, config };
}
