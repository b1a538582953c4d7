/**
 * `npm run image` against real registries on loopback: the CNCF Distribution
 * registry over TLS with token auth behind the ACR token stand-in (the
 * target), a second one standing in for MCR (the base), and a fake `az`
 * handing out the deployer's Entra token. The pushed image is read back.
 * The first push runs the script itself; the others its command line in-process.
 *
 * Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 15: Distribution registries and a build of the image.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { join } from "node:path";
import { BUNDLE, runBundle, runScript, runScriptHere, type CliResult } from "../support/cli";
import { CONNECTOR_JOB_ID, TYPE, only, runGov, type Json } from "../infra/harness";
import { ConnectProxy } from "../support/connectProxy";
import { writeFakeAz } from "../support/fakeCli";
import { BASE_REPOSITORY, ENTRA_TOKEN, ImageRegistries, layerEntries } from "../support/registries";
import { tempDir } from "../support/standin";
import type { ImageConfig, ImageManifest } from "../../scripts/lib/oci/image";
import { imageCli } from "../../scripts/lib/imageCli";
import { DEFAULT_IMAGE_BASE } from "../../scripts/lib/imageBase";
import { parseImageReference } from "../../scripts/lib/oci/reference";

/** The installed MSAL's version, which the SBOM must name. */
const msalVersion = (JSON.parse(readFileSync(require.resolve("@azure/msal-node/package.json"), "utf8")) as { version: string }).version;

let registries: ImageRegistries;
const fakeAzDirs: string[] = [];
beforeAll(async () => {
  registries = await ImageRegistries.start();
});
afterAll(async () => {
  await registries?.close();
  for (const dir of fakeAzDirs) rmSync(dir, { recursive: true, force: true });
});
const fakeAz = (answer: unknown) => {
  const dir = writeFakeAz(tempDir("hr-fake-az-"), { "account get-access-token --output json": answer });
  fakeAzDirs.push(dir);
  return dir;
};

const ROOT = resolve(__dirname, "../..");

const pushArgs = (extra: string[]) => ["--registry", `https://${registries.target.host}`, "--base", registries.syntheticBase.reference, "--auth", "azure", ...extra];

/** `npm run image`, the script itself in a child process, as deployers run it. */
const pushScript = (extra: string[] = []): Promise<CliResult> =>
  runScript("image.ts", pushArgs(extra), { PATH: `${registries.fakeAzDir}:${process.env.PATH}`, NODE_EXTRA_CA_CERTS: registries.certificate.certFile });

/** The same command line in this process (no node and tsx start per push). */
const push = (extra: string[] = [], env: NodeJS.ProcessEnv = {}, azDir = registries.fakeAzDir): Promise<CliResult> =>
  runScriptHere(imageCli, pushArgs(extra), { env: { PATH: `${azDir}:${process.env.PATH}`, ...env }, cwd: ROOT, extraCa: registries.certificate.cert });

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

describe("npm run image", () => {
  let first: CliResult;
  let manifest: ImageManifest;
  let config: ImageConfig;
  let digest: string;

  beforeAll(async () => {
    first = await pushScript();
    digest = first.stdout.trim().split("@")[1] ?? "";
    if (first.code === 0) {
      const client = registries.targetClient();
      manifest = JSON.parse((await client.getManifest("hr-upload", digest)).bytes.toString("utf8")) as ImageManifest;
      config = JSON.parse((await client.readBlob("hr-upload", manifest.config.digest)).toString("utf8")) as ImageConfig;
    }
  });

  it("prints only <host>/hr-upload@sha256:<digest> and signs in through ACR's exchange with the az token", () => {
    expect([first.code, first.stderr]).toEqual([0, expect.stringContaining("pushed")]);
    expect(first.stdout).toMatch(new RegExp(`^${registries.target.host.replace(/\./g, "\\.")}/hr-upload@sha256:[0-9a-f]{64}\\n$`));
    const grants = registries.standIn.requests.map(({ path, grantType, status }) => `${path} ${grantType} ${status}`);
    expect(grants).toContain("/oauth2/exchange access_token 200");
    expect(grants).toContain("/oauth2/token refresh_token 200");
    expect(`${first.stdout}${first.stderr}`).not.toContain(ENTRA_TOKEN);
  });

  it("holds the bundle byte for byte, and its SBOM, in one reproducible layer owned by root", async () => {
    const ours = manifest.layers.at(-1);
    const blob = Buffer.from(await (await registries.targetClient().openBlob("hr-upload", ours?.digest ?? "")).stream.toArray().then((chunks) => Buffer.concat(chunks as Buffer[])));
    expect(sha256(blob)).toBe(ours?.digest);
    const entries = await layerEntries(blob);
    expect(entries.map((entry) => entry.name)).toEqual(["app/", "app/hr-upload.cdx.json", "app/hr-upload.js"]);
    const file = (name: string) => entries.find((entry) => entry.name === name);
    expect(file("app/hr-upload.js")?.bytes.equals(readFileSync(BUNDLE))).toBe(true);
    for (const entry of entries) expect([entry.name, entry.uid, entry.gid, entry.mtime]).toEqual([entry.name, 0, 0, 0]);
    expect(file("app/hr-upload.js")?.mode).toBe(0o755);
    expect(file("app/hr-upload.cdx.json")?.mode).toBe(0o644);

    const sbom = JSON.parse(file("app/hr-upload.cdx.json")?.bytes.toString("utf8") ?? "{}");
    expect([sbom.bomFormat, sbom.specVersion]).toEqual(["CycloneDX", "1.5"]);
    expect(sbom.metadata.component.hashes).toEqual([{ alg: "SHA-256", content: sha256(readFileSync(BUNDLE)).slice(7) }]);
    expect(sbom.components.map((component: { purl: string }) => component.purl)).toContain(`pkg:npm/%40azure/msal-node@${msalVersion}`);
    expect(manifest.annotations?.["hr-connector.sbom.path"]).toBe("/app/hr-upload.cdx.json");
    expect(manifest.annotations?.["hr-connector.sbom.digest"]).toBe(sha256(file("app/hr-upload.cdx.json")?.bytes ?? Buffer.alloc(0)));
    expect(config.rootfs.diff_ids.at(-1)).toBe(sha256(Buffer.from(await import("node:zlib").then((zlib) => zlib.gunzipSync(blob)))));
  });

  it("runs `node /app/hr-upload.js upload` as a non-root user, node being PID 1", () => {
    expect(config.config?.Entrypoint).toEqual(["/usr/bin/node", "/app/hr-upload.js"]);
    expect(config.config?.Cmd).toEqual(["upload"]);
    expect(config.config?.User).toBe("65532:65532");
    expect(config.config?.WorkingDir).toBe("/app");
    expect([config.os, config.architecture]).toEqual(["linux", "amd64"]);
    expect(config.config?.Labels).toMatchObject({
      "org.opencontainers.image.version": JSON.parse(readFileSync(resolve(__dirname, "../../package.json"), "utf8")).version,
      "org.opencontainers.image.revision": expect.stringMatching(/^([0-9a-f]{40}|unknown)$/),
      "org.opencontainers.image.source": expect.any(String),
    });
  });

  it("references the base by digest and reuses its linux/amd64 layers, copied from the base registry", async () => {
    expect(manifest.annotations?.["org.opencontainers.image.base.digest"]).toBe(registries.syntheticBase.indexDigest);
    expect(manifest.annotations?.["org.opencontainers.image.base.name"]).toBe(`${registries.base.host}/azurelinux/distroless/nodejs:24-nonroot`);
    // The synthetic base stands in for the default one: Node 24's repository and tag.
    const defaultBase = parseImageReference(DEFAULT_IMAGE_BASE);
    expect(`${defaultBase.repository}:${defaultBase.tag}`).toBe(`${BASE_REPOSITORY}:24-nonroot`);
    expect(manifest.layers.slice(0, -1).map((layer) => layer.digest)).toEqual(registries.syntheticBase.amd64Layers);
    expect(manifest.layers.every((layer) => layer.mediaType === "application/vnd.oci.image.layer.v1.tar+gzip")).toBe(true);
    expect(first.stderr).toContain(`copied ${registries.syntheticBase.amd64Layers[0]?.slice(0, 19)}`);
    expect(await registries.targetClient().hasBlob("hr-upload", registries.syntheticBase.amd64Layers[0] ?? "")).toBe(true);
  });

  it("gives the same digest for unchanged inputs, copying nothing again", async () => {
    const second = await push();
    expect([second.code, second.stdout]).toEqual([0, first.stdout]);
    expect(second.stderr).toContain("0 copied, 1 already there");
  });

  it("goes through HTTPS_PROXY when set", async () => {
    const proxy = await ConnectProxy.start();
    try {
      const viaProxy = await push([], { HTTPS_PROXY: proxy.url });
      expect([viaProxy.code, viaProxy.stdout]).toEqual([0, first.stdout]);
      expect(new Set(proxy.tunnels)).toEqual(new Set([registries.target.host, registries.base.host, new URL(registries.standIn.url).host]));
    } finally {
      await proxy.close();
    }
  });
});

describe("the stack's image resource, run as Pulumi's dynamic provider host runs it", () => {
  it("deserializes from the state and pushes the same image as npm run image, signed in with az", async () => {
    const run = await runGov({ connectorJobId: CONNECTOR_JOB_ID, imageBase: registries.syntheticBase.reference });
    const image = only(run, TYPE.image);
    const dir = tempDir("hr-provider-host-");
    fakeAzDirs.push(dir);
    // The host loads the provider's code from the state with require-from-string and calls create with the inputs.
    const inputs = { ...image.inputs, registry: registries.target.host };
    writeFileSync(join(dir, "state.json"), JSON.stringify({ code: image.inputs.__provider, inputs }));
    const host = `const { code, inputs } = require(${JSON.stringify(join(dir, "state.json"))});
      require("require-from-string")(code).handler().create(inputs).then((result) => console.log(JSON.stringify(result)), (error) => { console.error(error.message); process.exit(3); });`;
    const result = await runBundle(["-e", host], { PATH: `${registries.fakeAzDir}:${process.env.PATH}`, NODE_EXTRA_CA_CERTS: registries.certificate.certFile }, { cwd: ROOT, bundle: "--no-warnings" });
    expect([result.code, result.stderr]).toEqual([0, ""]);
    const created = JSON.parse(result.stdout) as { id: string; outs: Json };
    const pushedByCli = (await push()).stdout.trim(); // npm run image's command line, in this process (its script runs above)
    expect(created.outs.ref).toBe(pushedByCli);
    expect(created.id).toBe(pushedByCli.split("@")[1]);
    expect(JSON.stringify(created)).not.toContain(ENTRA_TOKEN);

    // Another deployer's machine (another module path in the provider's code) changes nothing; a new bundle does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- what Pulumi's provider host loads the state's code with (untyped)
    const provider = require("require-from-string")(image.inputs.__provider).handler() as { diff: (id: string, olds: Json, news: Json) => Promise<{ changes: boolean }> };
    const olds = { ...created.outs, __provider: "code from another machine" };
    expect(await provider.diff(created.id, olds, inputs)).toEqual({ changes: false });
    expect(await provider.diff(created.id, olds, { ...inputs, bundleDigest: `sha256:${"1".repeat(64)}` })).toEqual({ changes: true });
  });
});

describe("npm run image refuses", () => {
  it("an Entra token the registry does not accept (exit 4, says what to do, prints no token)", async () => {
    const dir = fakeAz({ accessToken: "someone-elses-token-7781" });
    const result = await push([], {}, dir);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/refused the exchange of your Azure sign-in \(HTTP 401\): run az login/);
    expect(result.stderr).not.toContain("someone-elses-token-7781");
  });

  it("a deployer who is not signed in to the Azure CLI (exit 4)", async () => {
    const dir = fakeAz({ exit: 1, stderr: "ERROR: Please run 'az login' to setup account." });
    const result = await push([], {}, dir);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("Please run 'az login'");
  });

  it("anonymous access to a registry that wants a sign-in (exit 4)", async () => {
    const result = await push(["--auth", "anonymous"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/refused an anonymous token/);
  });

  it("a base that is not pinned by digest, or a base it cannot find (exit 2, exit 5)", async () => {
    const unpinned = await push(["--base", `${registries.base.host}/${BASE_REPOSITORY}:24-nonroot`]);
    expect([unpinned.code, unpinned.stderr]).toEqual([2, expect.stringContaining("must be pinned by digest")]);
    const unknown = await push(["--base", `${registries.base.host}/${BASE_REPOSITORY}@sha256:${"0".repeat(64)}`]);
    expect([unknown.code, unknown.stderr]).toEqual([5, expect.stringMatching(/reading manifest sha256:0+ of azurelinux\/distroless\/nodejs failed \(HTTP 404, MANIFEST_UNKNOWN\)/)]);
  });
});
