/** The image's building blocks on their own: references, sign-in challenges, the reproducible layer, the assembled documents. */
import { gunzipSync } from "node:zlib";
import { parseChallenge, isAzureContainerRegistry } from "../../scripts/lib/oci/auth";
import { assembleImage, isRootUser, manifestForPlatform, type BaseImage } from "../../scripts/lib/oci/image";
import { buildLayer } from "../../scripts/lib/oci/layer";
import { formatImageReference, parseImageReference } from "../../scripts/lib/oci/reference";
import { layerEntries } from "../support/registries";

const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("image references", () => {
  it("parse with an explicit registry, a tag and a digest", () => {
    const reference = parseImageReference(`mcr.microsoft.com/azurelinux/distroless/nodejs:24-nonroot@${DIGEST}`);
    expect(reference).toEqual({ registry: "mcr.microsoft.com", repository: "azurelinux/distroless/nodejs", tag: "24-nonroot", digest: DIGEST });
    expect(formatImageReference(reference)).toBe(`mcr.microsoft.com/azurelinux/distroless/nodejs:24-nonroot@${DIGEST}`);
    expect(parseImageReference(`127.0.0.1:5000/hr-upload@${DIGEST}`)).toEqual({ registry: "127.0.0.1:5000", repository: "hr-upload", tag: undefined, digest: DIGEST });
  });

  it("refuse what is not a full reference, naming the problem", () => {
    expect(() => parseImageReference("node:20")).toThrow(/must start with its registry host/);
    expect(() => parseImageReference("mcr.microsoft.com/Node:20")).toThrow(/"Node" is not a repository name/);
    expect(() => parseImageReference("mcr.microsoft.com/node@sha256:abc")).toThrow(/sha256:<64 lowercase hex digits>/);
  });
});

describe("sign-in challenges", () => {
  it("read Bearer realm, service and scope; recognise Basic", () => {
    expect(parseChallenge('Bearer realm="https://hr.azurecr.us/oauth2/token",service="hr.azurecr.us",scope="repository:hr-upload:pull,push"')).toEqual({
      scheme: "bearer",
      realm: "https://hr.azurecr.us/oauth2/token",
      service: "hr.azurecr.us",
      scope: "repository:hr-upload:pull,push",
    });
    expect(parseChallenge('Basic realm="registry"')).toEqual({ scheme: "basic" });
    expect(parseChallenge(undefined)).toBeUndefined();
  });

  it("know ACR hosts in every cloud", () => {
    expect(["hr.azurecr.io", "hr.azurecr.us", "hr.azurecr.cn"].map(isAzureContainerRegistry)).toEqual([true, true, true]);
    expect(["mcr.microsoft.com", "127.0.0.1:5000", "azurecr.us.example.com"].map(isAzureContainerRegistry)).toEqual([false, false, false]);
  });
});

describe("the layer", () => {
  const files = [
    { path: "app/hr-upload.js", bytes: Buffer.from("console.log(1)\n"), mode: 0o755 },
    { path: "app/hr-upload.cdx.json", bytes: Buffer.from("{}\n"), mode: 0o644 },
  ];

  it("is byte-identical for the same files in any order, with a timeless, platform-neutral gzip header", async () => {
    const first = await buildLayer(files);
    const second = await buildLayer([...files].reverse());
    expect(second.blob.equals(first.blob)).toBe(true);
    expect(first.blob.subarray(4, 8).readUInt32LE()).toBe(0); // MTIME
    expect(first.blob[9]).toBe(0xff); // OS: unknown, whichever machine built it
    expect(first.diffId).not.toBe(first.digest);
    const entries = await layerEntries(first.blob);
    expect(entries.map(({ name, mode, uid, gid, mtime }) => ({ name, mode, uid, gid, mtime }))).toEqual([
      { name: "app/", mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      { name: "app/hr-upload.cdx.json", mode: 0o644, uid: 0, gid: 0, mtime: 0 },
      { name: "app/hr-upload.js", mode: 0o755, uid: 0, gid: 0, mtime: 0 },
    ]);
    expect(gunzipSync(first.blob).length % 512).toBe(0);
  });

  it("changes with any byte of any file, and refuses paths outside the image root", async () => {
    const changed = await buildLayer([{ ...files[0]!, bytes: Buffer.from("console.log(2)\n") }, files[1]!]);
    expect(changed.digest).not.toBe((await buildLayer(files)).digest);
    await expect(buildLayer([{ path: "../etc/passwd", bytes: Buffer.alloc(1), mode: 0o644 }])).rejects.toThrow(/relative, without ".."/);
  });
});

describe("assembly", () => {
  const base: BaseImage = {
    reference: `mcr.microsoft.com/azurelinux/distroless/nodejs:24-nonroot@${DIGEST}`,
    digest: DIGEST,
    manifest: { schemaVersion: 2, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: DIGEST, size: 10 }, layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: DIGEST, size: 5 }] },
    config: { architecture: "amd64", os: "linux", config: { Entrypoint: ["/usr/bin/node"], Env: ["PATH=/usr/bin"], User: "65532" }, rootfs: { type: "layers", diff_ids: [DIGEST] } },
  };
  const layout = { script: "/app/hr-upload.js", command: ["upload"], user: "65532:65532", workingDir: "/app" };

  it("is deterministic and keeps the base's environment", async () => {
    const layer = await buildLayer([{ path: "app/x.js", bytes: Buffer.from("x"), mode: 0o644 }]);
    const first = assembleImage(base, layer, layout, { a: "1" }, {});
    expect(assembleImage(base, layer, layout, { a: "1" }, {}).manifestDigest).toBe(first.manifestDigest);
    const config = JSON.parse(first.config.toString("utf8"));
    expect(config.config.Env).toEqual(["PATH=/usr/bin"]);
    expect(config.created).toBe("1970-01-01T00:00:00Z");
  });

  it("refuses to run as root", async () => {
    const layer = await buildLayer([{ path: "app/x.js", bytes: Buffer.from("x"), mode: 0o644 }]);
    expect(() => assembleImage(base, layer, { ...layout, user: "0:0" }, {}, {})).toThrow(/must not be root/);
    expect(["", "root", "0", "0:0", "root:root"].map(isRootUser)).toEqual([true, true, true, true, true]);
    expect(isRootUser("65532:65532")).toBe(false);
  });

  it("picks the platform from a multi-platform index, or says which ones there are", () => {
    const index = { schemaVersion: 2 as const, manifests: [{ mediaType: "m", digest: "sha256:arm", size: 1, platform: { os: "linux", architecture: "arm64" } }] };
    expect(() => manifestForPlatform(index, { os: "linux", architecture: "amd64" })).toThrow("the base image has no linux/amd64 variant (it offers linux/arm64)");
  });
});
