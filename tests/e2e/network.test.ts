import type { LoopbackCertificate } from "../../scripts/lib/loopbackCert";
import { testCertificate } from "../support/testCertificate";
import { jsonLines, runBundle, runCli, summaryOf } from "../support/cli";
import { generatedCsv, StandInCloud, UploadHarness } from "../support/standin";
import { TinyProxy } from "../support/tinyproxy";

/**
 * Issue 10's cases run the real bundle (a real process reads HTTPS_PROXY, NO_PROXY and NODE_EXTRA_CA_CERTS from its
 * own environment); their variants run the bundle's main() in this process, given the same env. Blob Storage through
 * tinyproxy is in network-bounds.test.ts, beside the other Blob tests that share its one Azurite.
 */
describe("behind an agency proxy: every request follows HTTPS_PROXY and NO_PROXY, the same way", () => {
  let certificate: LoopbackCertificate;
  let proxy: TinyProxy;
  let harness: UploadHarness;
  beforeAll(async () => {
    certificate = await testCertificate();
    proxy = await TinyProxy.start();
  });
  afterAll(async () => {
    await proxy.stop();
  });
  beforeEach(async () => {
    harness = await UploadHarness.start({ certificate });
  });
  afterEach(async () => {
    await harness.close();
  });

  const standInHost = () => new URL(harness.standIn.url).host;

  it("sends the token request and every upload through a real CONNECT proxy", async () => {
    const before = proxy.tunnels().length;
    const result = await harness.upload(await generatedCsv(6, 1), ["--records-per-call", "2"], { HTTPS_PROXY: proxy.url });
    expect(result.code).toBe(0);
    const tunnels = proxy.tunnels().slice(before);
    expect(tunnels.every((tunnel) => tunnel === standInHost())).toBe(true);
    // One tunnel per request: the stand-in authority's metadata (MSAL reads it for a host it does not know), the token request and the three chunks.
    expect(tunnels).toHaveLength(1 + harness.standIn.tokenRequests + harness.standIn.ingestionRequests);
    expect(harness.standIn.ingestionRequests).toBe(3);
  });

  it("goes direct to hosts NO_PROXY names (in either case of the variable names)", async () => {
    const before = proxy.tunnels().length;
    expect((await harness.upload(await generatedCsv(3, 2), [], { HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" })).code).toBe(0);
    expect((await harness.uploadHere(await generatedCsv(3, 3), [], { https_proxy: proxy.url, no_proxy: `127.0.0.1:${new URL(harness.standIn.url).port}` })).code).toBe(0);
    expect(proxy.tunnels().slice(before)).toEqual([]);
    expect(harness.standIn.recordsSaved()).toBe(6);
  });

  it("refuses a proxy variable that is not a URL, with one line", async () => {
    const result = await harness.uploadHere(await generatedCsv(1, 5), [], { HTTPS_PROXY: "http://proxy:port-is-not-a-number" });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: HTTPS_PROXY is not a URL (e.g. http://proxy.agency.gov:8080)\n");
  });
});

describe("failures that mean something: TLS inspection, DNS, Entra hiccups", () => {
  let harness: UploadHarness;
  beforeEach(async () => {
    harness = await UploadHarness.start();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("stops at once when the sign-in host's certificate is not trusted (TLS inspection), naming the host and NODE_EXTRA_CA_CERTS", async () => {
    const started = Date.now();
    const result = await harness.upload(await generatedCsv(2, 6), [], { NODE_EXTRA_CA_CERTS: undefined });
    expect(result.code).toBe(4);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.stderr).toMatch(new RegExp(`^error: TLS certificate of ${new URL(harness.standIn.url).host.replace(/\./g, "\\.")} is not trusted \\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\\): .*set NODE_EXTRA_CA_CERTS to the PEM file of the inspecting proxy's root CA$`, "m"));
    expect(harness.standIn.ingestionRequests).toBe(0);
  });

  it("stops at once (exit 5) when the ingestion host's certificate is not trusted", async () => {
    const untrusted = await StandInCloud.start(); // its own certificate, which the run does not trust
    try {
      const started = Date.now();
      const args = harness.args(await generatedCsv(2, 7));
      args[args.indexOf("--ingestion-url") + 1] = untrusted.url;
      const result = await runBundle(args, harness.env());
      expect(result.code).toBe(5);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(result.stderr).toMatch(/TLS certificate of 127\.0\.0\.1:\d+ is not trusted .*NODE_EXTRA_CA_CERTS/);
      expect(untrusted.ingestionRequests).toBe(0);
    } finally {
      await untrusted.close();
    }
  });

  it("stops at once when a host name does not resolve, naming it and the proxy setting", async () => {
    const args = harness.args(await generatedCsv(2, 8));
    args[args.indexOf("--authority-host") + 1] = "https://login.hr-connector-test.invalid";
    const result = await runCli(args, harness.env());
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: cannot resolve login\.hr-connector-test\.invalid \(ENOTFOUND\): check the network's DNS, or set HTTPS_PROXY/m);
  });

  it("rides out Entra answering 503 twice, and AADSTS90033 'transient', with the run's backoff", async () => {
    harness.standIn.injectTokenFaults(
      { kind: "status", status: 503, body: '{"error":"temporarily_unavailable"}' },
      { kind: "status", status: 503 },
      { kind: "status", status: 400, body: JSON.stringify({ error: "temporarily_unavailable", error_description: "AADSTS90033: A transient error has occurred. Please try again.", error_codes: [90033] }) },
    );
    const result = await harness.upload(await generatedCsv(2, 9), ["--log-format", "json"]);
    expect(result.code).toBe(0);
    expect(harness.standIn.tokenRequests).toBe(4);
    const retries = jsonLines(result.stdout).filter((event) => event.event === "retry").map((event) => event.reason);
    expect(retries).toEqual(["sign-in: Entra answered HTTP 503", "sign-in: Entra answered HTTP 503", "sign-in: Entra answered AADSTS90033 (transient)"]);
    expect(summaryOf(result)).toMatchObject({ outcome: "delivered", retries: 3, tokenRequests: 4 });
  });

  it("rides out Entra's throttling (429 with Retry-After) and its 500, 502 and 504 the same way", async () => {
    harness.standIn.injectTokenFaults(
      { kind: "status", status: 429, retryAfter: "1", body: '{"error":"temporarily_unavailable"}' },
      { kind: "status", status: 500 },
      { kind: "status", status: 502 },
      { kind: "status", status: 504 },
    );
    const result = await harness.uploadHere(await generatedCsv(2, 11), ["--log-format", "json"]);
    expect(result.code).toBe(0);
    const retries = jsonLines(result.stdout).filter((event) => event.event === "retry");
    expect(retries.map((event) => event.reason)).toEqual([429, 500, 502, 504].map((status) => `sign-in: Entra answered HTTP ${status}`));
    expect(retries[0]?.waitMs).toBe(1000); // Entra's Retry-After, not the run's backoff
    expect(summaryOf(result)).toMatchObject({ outcome: "delivered", retries: 4, tokenRequests: 5 });
  });

  // The bundle's own run of this is upload.test.ts's wrong secret.
  it("exits 4 at once, with one token request, when Entra refuses the credentials", async () => {
    const result = await harness.uploadHere(await generatedCsv(2, 10), [], { HR_APP_SECRET: "not-the-secret" });
    expect(result.code).toBe(4);
    expect(harness.standIn.tokenRequests).toBe(1);
    expect(result.stderr).toMatch(/sign-in refused \(AADSTS7000215\)/);
  });
});
