/**
 * The registries an image test needs, all real and on loopback over TLS: a
 * "base" registry (open, standing in for MCR) holding a small synthetic
 * multi-platform Node base image, and a "target" registry with token auth
 * behind the ACR token stand-in. Plus a fake `az` that hands out the Entra token.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { AcrTokenStandIn } from "../../scripts/acrStandin";
import { DistributionRegistry } from "../../scripts/lib/distributionRegistry";
import type { LoopbackCertificate } from "../../scripts/lib/loopbackCert";
import { testCertificate } from "./testCertificate";
import { anonymousTokens, azureExchangeTokens } from "../../scripts/lib/oci/auth";
import { HttpClient } from "../../scripts/lib/oci/http";
import { MEDIA_TYPE, type ImageConfig, type ImageIndex, type ImageManifest } from "../../scripts/lib/oci/image";
import { buildLayer } from "../../scripts/lib/oci/layer";
import { RegistryClient, sha256Digest } from "../../scripts/lib/oci/registry";
import { writeFakeAz } from "./fakeCli";

export const BASE_REPOSITORY = "azurelinux/distroless/nodejs";
export const ENTRA_TOKEN = "fake-entra-access-token-for-the-deployer-Xq93";

export interface SyntheticBase {
  /** Pinned reference of the index, as --base takes it. */
  readonly reference: string;
  readonly indexDigest: string;
  /** The linux/amd64 manifest's layers. */
  readonly amd64Layers: string[];
  /** Each platform's image manifest, by architecture. */
  readonly manifests: Readonly<Record<string, string>>;
}

export interface SyntheticBaseOptions {
  readonly repository?: string;
  readonly tag?: string;
  readonly architectures?: readonly string[];
  /** Another build gives other layers, so another index digest: the tag moves on, as MCR's do with fixes. */
  readonly build?: number;
}

export class ImageRegistries {
  private constructor(
    readonly certificate: LoopbackCertificate,
    readonly base: DistributionRegistry,
    readonly standIn: AcrTokenStandIn,
    readonly target: DistributionRegistry,
    readonly http: HttpClient,
    readonly syntheticBase: SyntheticBase,
    /** A folder with a fake `az` to put first on PATH. */
    readonly fakeAzDir: string,
  ) {}

  static async start(): Promise<ImageRegistries> {
    const certificate = await testCertificate();
    const http = new HttpClient({ proxy: { noProxy: [] }, extraCa: certificate.cert });
    const base = await DistributionRegistry.start({ certificate });
    const standIn = await AcrTokenStandIn.start({ certificate, entraAccessToken: ENTRA_TOKEN, service: "hr-test-acr" });
    const target = await DistributionRegistry.start({ certificate, tokenAuth: standIn.registryAuth });
    const syntheticBase = await pushSyntheticBase(new RegistryClient(base.host, http, anonymousTokens(http), "pull,push"), base.host);
    const fakeAzDir = writeFakeAz(mkdtempSync(join(tmpdir(), "hr-fake-az-")), { "account get-access-token --output json": { accessToken: ENTRA_TOKEN, tokenType: "Bearer", expiresOn: "2099-01-01 00:00:00.000000" } });
    return new ImageRegistries(certificate, base, standIn, target, http, syntheticBase, fakeAzDir);
  }

  /** A client of the target registry signed in as the deployer (to read back what was pushed). */
  targetClient(): RegistryClient {
    return new RegistryClient(this.target.host, this.http, azureExchangeTokens(this.http, this.target.host, async () => ENTRA_TOKEN), "pull");
  }

  async close(): Promise<void> {
    await this.http.close();
    await Promise.all([this.target.close(), this.base.close(), this.standIn.close()]);
    rmSync(this.fakeAzDir, { recursive: true, force: true });
    // The certificate is the run's shared one (testCertificate): it goes with the run's temporary folder.
  }
}

/** A small linux/amd64 + linux/arm64 "Node" base (by default): a marker file per platform, Node's entry point, uid 65532. */
export async function pushSyntheticBase(client: RegistryClient, host: string, options: SyntheticBaseOptions = {}): Promise<SyntheticBase> {
  const { repository = BASE_REPOSITORY, tag = "24-nonroot", architectures = ["amd64", "arm64"], build = 1 } = options;
  const manifests = [];
  let amd64Layers: string[] = [];
  for (const architecture of architectures) {
    const marker = `synthetic node base linux/${architecture}${build === 1 ? "" : `, build ${build}`}\n`;
    const layer = await buildLayer([{ path: "usr/share/hr-test-base/platform", bytes: Buffer.from(marker), mode: 0o644 }]);
    const config: ImageConfig = {
      architecture,
      os: "linux",
      config: { User: "65532", Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Entrypoint: ["/usr/bin/node"] },
      rootfs: { type: "layers", diff_ids: [layer.diffId] },
      history: [{ created: "2024-01-01T00:00:00Z", created_by: "synthetic test base" }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    await client.pushBlob(repository, layer.digest, layer.blob.length, () => layer.blob);
    await client.pushBlob(repository, sha256Digest(configBytes), configBytes.length, () => configBytes);
    // A Docker v2 manifest, as MCR serves some: the image tool must convert the layer type.
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.dockerManifest,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: sha256Digest(configBytes), size: configBytes.length },
      layers: [{ mediaType: MEDIA_TYPE.dockerLayerGzip, digest: layer.digest, size: layer.blob.length }],
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const digest = await client.putManifest(repository, sha256Digest(manifestBytes), manifestBytes, MEDIA_TYPE.dockerManifest);
    manifests.push({ mediaType: MEDIA_TYPE.dockerManifest, digest, size: manifestBytes.length, platform: { os: "linux", architecture } });
    if (architecture === "amd64") amd64Layers = [layer.digest];
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests };
  const indexBytes = Buffer.from(JSON.stringify(index));
  const indexDigest = await client.putManifest(repository, tag, indexBytes, MEDIA_TYPE.ociIndex);
  return { reference: `${host}/${repository}:${tag}@${indexDigest}`, indexDigest, amd64Layers, manifests: Object.fromEntries(manifests.map((entry) => [entry.platform.architecture, entry.digest])) };
}

/** Deletes a manifest by digest from an open registry, as a registry's clean-up of old images does. */
export async function deleteManifest(http: HttpClient, host: string, repository: string, digest: string): Promise<void> {
  const response = await http.request({ method: "DELETE", url: `https://${host}/v2/${repository}/manifests/${digest}` });
  await response.body.dump();
  if (response.statusCode !== 202) throw new Error(`${host} refused to delete ${repository}@${digest} (HTTP ${response.statusCode})`);
}

export interface TarEntry {
  readonly name: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  readonly bytes: Buffer;
}

/** The entries of a gzipped layer. */
export async function layerEntries(blob: Buffer): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const reader = extract();
  const done = (async () => {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { name, mode = 0, uid = -1, gid = -1, mtime } = entry.header;
      entries.push({ name, mode, uid, gid, mtime: mtime?.getTime() ?? -1, bytes: Buffer.concat(chunks) });
    }
  })();
  reader.end(gunzipSync(blob));
  await done;
  return entries;
}
