/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 65: waits out the default proxy window (30 s) and a Storage call's budget (about 12 s), among others. */
import { readFileSync } from "node:fs";
import type { LoopbackCertificate } from "../../scripts/lib/loopbackCert";
import { testCertificate } from "../support/testCertificate";
import { freePort } from "../../scripts/lib/freePort";
import { IdentityStandIn } from "../../scripts/identityStandin";
import { localJobEnvironment } from "../../scripts/lib/jobEnvironment";
import { accountSasUrl, Azurite, sasUrl } from "../support/azurite";
import { generatedBytes, recordsOf as recordsOfBytes } from "../support/blobSuite";
import { jsonLines, runBundle, runCli, startBundle, summaryOf, until } from "../support/cli";
import { ConnectProxy } from "../support/connectProxy";
import { generatedCsv, recordsOf, STANDIN_DEFAULTS, UploadHarness } from "../support/standin";
import { TcpRelay } from "../support/tcpRelay";
import { TinyProxy } from "../support/tinyproxy";

/** Seconds the run says it spent on the proxy before giving up ("on N attempts over S s"). */
/** The grace the stop tests give (seconds), and what a loaded machine may add to it. */
/*
 * The real bundle where the process is what a test proves: SIGTERM within the grace, HTTPS_PROXY and
 * NODE_EXTRA_CA_CERTS in the process's own environment, the sign-in bound, the job's variables alone (msal-node's
 * managed identity reads IDENTITY_ENDPOINT from the process's environment, not from main()'s). The other runs (proxies
 * that fail or never answer, the runs before and after a stop) are the same main() in this process, given the same env.
 */
const GRACE_S = 2;
const SLACK_S = 3;

/** Starts the bundle (json output), sends SIGTERM once `waiting` holds, and expects it to end interrupted, summary last, within the grace. */
async function expectEndedWithinGrace(args: string[], env: NodeJS.ProcessEnv, waiting: () => boolean, what: string): Promise<void> {
  const running = startBundle([...args, "--log-format", "json", "--shutdown-grace", String(GRACE_S)], env);
  await until(waiting, what);
  const signalled = Date.now();
  running.child.kill("SIGTERM");
  const stopped = await running.result;
  expect(stopped.code).toBe(143);
  expect(summaryOf(stopped)).toMatchObject({ event: "summary", outcome: "interrupted", exitCode: 143 });
  expect((Date.now() - signalled) / 1000).toBeLessThan(GRACE_S + SLACK_S);
}

const reportedProxySeconds = (text: string) => Number(/on \d+ attempts? over (\d+) s; giving up/.exec(text)?.[1] ?? Number.NaN);

describe("bounded: a proxy that is not there, a token endpoint that never answers", () => {
  let harness: UploadHarness;
  beforeEach(async () => {
    harness = await UploadHarness.start();
  });
  afterEach(async () => {
    await harness.close();
  });

  it("names an HTTPS_PROXY that refuses or cannot be resolved, gives up on it within 30 s with the default settings, and exits 2", async () => {
    const closedPort = await freePort();
    const defaults = { HR_RETRY_DELAY: undefined }; // the harness shortens the backoff: not here
    const csv = await generatedCsv(2, 1);
    const other = await UploadHarness.start(); // its own state and lock folders: the two runs side by side do not meet at the job's lock
    const [refused, unresolvable] = await Promise.all([
      harness.uploadHere(csv, [], { ...defaults, HTTPS_PROXY: `http://hr-user:pr0xy-s3cret@127.0.0.1:${closedPort}` }),
      other.uploadHere(csv, ["--log-format", "json"], { ...defaults, HTTPS_PROXY: "http://proxy.hr-connector-test.invalid:3128" }),
    ]).finally(() => other.close());

    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^error: the proxy 127\\.0\\.0\\.1:${closedPort} \\(HTTPS_PROXY\\) refused or could not be reached \\(ECONNREFUSED\\) on \\d+ attempts? over \\d+ s; giving up: check the proxy variable`, "m"));
    expect(refused.stdout + refused.stderr).not.toMatch(/pr0xy-s3cret|hr-user/);

    expect(unresolvable.code).toBe(2);
    const failed = jsonLines(unresolvable.stdout).find((line) => line.event === "failed");
    expect(failed?.msg).toMatch(/^the proxy proxy\.hr-connector-test\.invalid:3128 \(HTTPS_PROXY\) cannot be resolved \((ENOTFOUND|EAI_AGAIN)\)/);
    expect(summaryOf(unresolvable)).toMatchObject({ event: "summary", outcome: "failed", exitCode: 2 });

    // The run's own account of the time it gave the proxy: within 30 s (the default backoff, 5 s doubling, would have allowed 915 s).
    for (const seconds of [reportedProxySeconds(refused.stderr), reportedProxySeconds(String(failed?.msg))]) {
      expect(seconds).toBeGreaterThanOrEqual(0);
      expect(seconds).toBeLessThanOrEqual(30);
    }
    expect(harness.standIn.tokenRequests + other.standIn.tokenRequests).toBe(0);
  }, 60_000);

  it("gives up signing in after --sign-in-timeout when the token endpoint never answers, each token request cut at its own timeout", async () => {
    harness.standIn.injectTokenFaults(...Array.from({ length: 50 }, () => ({ kind: "hang" as const })));
    const started = Date.now();
    const result = await harness.upload(await generatedCsv(2, 2), ["--sign-in-timeout", "4", "--request-timeout", "1"], { HR_RETRY_DELAY: "0.2" });
    const seconds = (Date.now() - started) / 1000;
    expect(result.code).toBe(4);
    const said = /^error: could not get a token after (\d+) attempts over (\d+) s \(no answer from [\d.:]+ within 1 s\)/m.exec(result.stderr);
    expect(said).not.toBeNull();
    expect(Number(said?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(said?.[2])).toBeLessThanOrEqual(4);
    expect(harness.standIn.tokenRequests).toBe(Number(said?.[1]));
    expect(seconds).toBeLessThan(15); // a guard only: the budget is what the run reported above
  }, 30_000);
});

/**
 * One Azurite for the tests of this describe, as in production: HTTPS with the run's test certificate and OAuth (a SAS
 * works beside it). Each test has CSV and state containers of its own; hr-kept, the account's one container of kept
 * copies, is emptied by every test that ends with its job delivered in full.
 */
describe("Blob Storage through our one HTTP client: the proxy, the trusted roots, the stop, the job's managed identity", () => {
  let certificate: LoopbackCertificate;
  let azurite: Azurite;
  beforeAll(async () => {
    certificate = await testCertificate();
    azurite = await Azurite.start({ certificate, oauth: true });
    expect(await azurite.putAsAdmin("hr-kept?restype=container", "")).toBe(201);
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  /** Containers `data` and `state` (if named), and `data`/employees.csv holding `bytes`. */
  const putCsv = async (bytes: Buffer, data: string, state?: string) => {
    for (const container of state === undefined ? [data] : [data, state]) expect(await azurite.putAsAdmin(`${container}?restype=container`, "")).toBe(201);
    expect(await azurite.putAsAdmin(`${data}/employees.csv`, bytes, { "x-ms-blob-type": "BlockBlob" })).toBe(201);
  };

  it("sends every Blob request through the CONNECT proxy of HTTPS_PROXY, trusting NODE_EXTRA_CA_CERTS, and fails cleanly without that root", async () => {
    // Azurite is reachable through the proxy only: the URLs name a closed port, which the proxy's tunnels lead to Azurite's.
    const proxy = await ConnectProxy.start({ host: "127.0.0.1", port: azurite.port });
    const closedPort = await freePort();
    const behindProxy = (url: string) => url.replace(`//127.0.0.1:${azurite.port}/`, `//127.0.0.1:${closedPort}/`);
    const harness = await UploadHarness.start({ certificate });
    try {
      const csv = await generatedCsv(5, 3);
      await putCsv(readFileSync(csv), "proxied-data", "proxied-state");
      // By IP address: our client checks the tunnelled certificate against the URL's host, whatever it is.
      const csvUrl = behindProxy(sasUrl(azurite, "proxied-data", "employees.csv"));
      const stateUrl = behindProxy(accountSasUrl(azurite, "proxied-state"));

      const result = await harness.upload(csvUrl, ["--checkpoint", stateUrl, "--records-per-call", "2", "--log-format", "json"], { HTTPS_PROXY: proxy.url, NO_PROXY: new URL(harness.standIn.url).host });
      // The CSV's properties and download, the lease, the kept copy, every checkpoint write and the run record: none went direct (it would have been refused).
      expect(summaryOf(result)).toMatchObject({ outcome: "delivered", exitCode: 0 });
      expect(jsonLines(result.stdout).filter((line) => line.level !== "info")).toEqual([]);
      expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(csv));
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
      expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${closedPort}`]));

      const untrusted = await runBundle(["validate", "--csv", csvUrl], { HTTPS_PROXY: proxy.url });
      expect(untrusted.code).toBe(5);
      expect(untrusted.stderr).toMatch(new RegExp(`^error: TLS certificate of 127\\.0\\.0\\.1:${closedPort} is not trusted \\([A-Z_]+\\): .*set NODE_EXTRA_CA_CERTS`, "m"));
      expect(untrusted.stderr.trimEnd().split("\n")).toHaveLength(1);
    } finally {
      await harness.close();
      await proxy.close();
    }
  }, 60_000);

  it("reads Blob Storage through tinyproxy too, naming Azurite by host name", async () => {
    const tinyproxy = await TinyProxy.start();
    try {
      await putCsv(readFileSync(await generatedCsv(4, 4)), "tinyproxied-data");
      // By name, through tinyproxy (the test above reaches Azurite by IP through our CONNECT proxy).
      const csvUrl = sasUrl(azurite, "tinyproxied-data", "employees.csv").replace("//127.0.0.1:", "//localhost:");
      const result = await runCli(["validate", "--csv", csvUrl], { NODE_EXTRA_CA_CERTS: certificate.certFile, HTTPS_PROXY: tinyproxy.url });
      expect(result.code).toBe(0);
      expect(tinyproxy.tunnels()).toContain(`localhost:${azurite.port}`);
    } finally {
      await tinyproxy.stop();
    }
  });

  it("ends a run stuck opening its CSV from Blob within the shutdown grace of SIGTERM", async () => {
    const relay = await TcpRelay.start({ host: "127.0.0.1", port: await freePort() });
    const harness = await UploadHarness.start();
    try {
      relay.stalled = true;
      const csvUrl = `http://127.0.0.1:${relay.port}/devstoreaccount1/hr-data/employees.csv?sv=2025-01-05&sig=c2lnbmF0dXJl`;
      await expectEndedWithinGrace(harness.args(csvUrl), harness.env(), () => relay.connections > 0, "the run's first Blob request");
    } finally {
      await harness.close();
      await relay.close();
    }
  }, 30_000);

  it("ends a run waiting on a managed identity endpoint that never answers within the shutdown grace of SIGTERM", async () => {
    const silentIdentity = await TcpRelay.start({ host: "127.0.0.1", port: await freePort() });
    const harness = await UploadHarness.start();
    try {
      silentIdentity.stalled = true;
      // No SAS: the Storage token comes from the managed identity, through our client.
      const csvUrl = "https://127.0.0.1:9/devstoreaccount1/hr-data/employees.csv";
      const identity = { IDENTITY_ENDPOINT: `http://127.0.0.1:${silentIdentity.port}/msi/token`, IDENTITY_HEADER: "identity-header" };
      await expectEndedWithinGrace(harness.args(csvUrl), harness.env(identity), () => silentIdentity.connections > 0, "the run's request for a Storage token");
    } finally {
      await harness.close();
      await silentIdentity.close();
    }
  }, 30_000);

  it("gives up on a Storage call whose proxy takes the connection but never answers its CONNECT, within the Storage budget (20 s)", async () => {
    const deadProxy = await TcpRelay.start({ host: "127.0.0.1", port: await freePort() });
    try {
      deadProxy.stalled = true;
      const started = Date.now();
      const result = await runCli(["validate", "--csv", "https://127.0.0.1:9/devstoreaccount1/hr-data/employees.csv?sv=2025-01-05&sig=c2ln"], { HTTPS_PROXY: `http://127.0.0.1:${deadProxy.port}` });
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/^error: Blob Storage failed for https:\/\/127\.0\.0\.1:9\/devstoreaccount1\/hr-data\/employees\.csv \(ETIMEDOUT\)$/m);
      expect(deadProxy.connections).toBeGreaterThanOrEqual(1);
      expect((Date.now() - started) / 1000).toBeLessThan(20 + 5); // the budget, and the slack of a loaded machine
    } finally {
      await deadProxy.close();
    }
  }, 40_000);

  it("ends a run stuck in a Blob call within the shutdown grace of SIGTERM, summary last, and the checkpoint intact for the rerun", async () => {
    const relay = await TcpRelay.start({ host: "127.0.0.1", port: azurite.port });
    const harness = await UploadHarness.start({ certificate });
    try {
      const csv = await generatedCsv(6, 4);
      await putCsv(readFileSync(csv), "stopped-data", "stopped-state");
      const viaRelay = (url: string) => url.replace(`//127.0.0.1:${azurite.port}/`, `//127.0.0.1:${relay.port}/`);
      const args = harness.args(viaRelay(sasUrl(azurite, "stopped-data", "employees.csv")), "--checkpoint", viaRelay(accountSasUrl(azurite, "stopped-state")), "--records-per-call", "2");

      // A first run delivers one chunk of three, then the service refuses the next: its checkpoint is in Blob.
      harness.standIn.injectFaults({ kind: "pass" }, { kind: "status", status: 400 });
      expect((await runCli(args, harness.env())).code).toBe(5);

      // The path to Storage goes dark: the next run hangs in its first Blob call until SIGTERM.
      relay.stalled = true;
      const before = relay.connections;
      await expectEndedWithinGrace(args, harness.env(), () => relay.connections > before, "the run's first Blob request");

      // The path comes back: the rerun sends the two chunks left, once.
      relay.stalled = false;
      expect((await runCli(args, harness.env())).code).toBe(0);
      expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOf(csv));
    } finally {
      await harness.close();
      await relay.close();
    }
  }, 90_000);

  it("reads the CSV and keeps its state with the job's managed identity, configured like the job (the production path)", async () => {
    const identity = await IdentityStandIn.start();
    const harness = await UploadHarness.start({ certificate });
    try {
      const bytes = await generatedBytes(9);
      await putCsv(bytes, "hr-data", "hr-state"); // the job's names (localJobEnvironment)

      const jobEnvironment = {
        ...localJobEnvironment({ standInUrl: harness.standIn.url, caFile: certificate.certFile, identity, blobEndpoint: azurite.blobEndpoint, recordsPerCall: 4 }),
        HR_LOG_FORMAT: "json",
      };
      const result = await runBundle(["upload"], jobEnvironment);
      expect(result.stderr).toBe("");
      expect(summaryOf(result)).toMatchObject({ outcome: "delivered", recordsDelivered: 9, exitCode: 0 });
      expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toEqual(recordsOfBytes(bytes));
      expect(identity.requests).toHaveLength(1); // one token, shared by the CSV and the state clients
      expect(identity.requests.every((request) => request.clientId === identity.clientId && request.resource === "https://storage.azure.com")).toBe(true);

      const status = await runBundle(["status", "--log-format", "json"], jobEnvironment);
      expect(jsonLines(status.stdout)).toContainEqual(expect.objectContaining({ event: "last-delivery", jobId: STANDIN_DEFAULTS.jobId, file: `${azurite.blobEndpoint}/hr-data/employees.csv` }));

      // Without the identity there is no way in: OAuth is really enforced.
      const withoutIdentity = { ...jobEnvironment, IDENTITY_ENDPOINT: undefined, IDENTITY_HEADER: undefined, PATH: "/nonexistent" };
      const refused = await runBundle(["validate"], withoutIdentity);
      expect(refused.code).toBe(4);
      expect(refused.stdout).toMatch(/no Storage credential: install the Azure CLI and run az login, or use a SAS URL/);
    } finally {
      await harness.close();
      await identity.close();
    }
  });
});
