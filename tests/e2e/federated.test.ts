import { IdentityStandIn } from "../../scripts/identityStandin";
import { CLOUD_PROFILES } from "../../uploader/src/core/clouds";
import { jsonLines, runBundle, summaryOf } from "../support/cli";
import { generatedCsv, STANDIN_DEFAULTS, UploadHarness } from "../support/standin";

const EXCHANGE_AUDIENCE = CLOUD_PROFILES.gcch.federationAudience;

describe("no secret at all: the job's managed identity signs in as the connector app (workload identity federation)", () => {
  let identity: IdentityStandIn;
  let harness: UploadHarness;

  /** Entra's side: the app's federated credential trusts the identity's tokens for the cloud's exchange audience (or what `trusted` changes). */
  async function start(trusted: { subject?: string; audience?: string } = {}) {
    identity = await IdentityStandIn.start();
    harness = await UploadHarness.start({
      federation: { subject: trusted.subject ?? identity.principalId, audience: trusted.audience ?? EXCHANGE_AUDIENCE, publicKey: identity.publicKey },
    });
    identity.issuer = harness.standIn.issuer; // its tokens come from the app's tenant, as the federation requires
  }

  const federatedUpload = (file: string, extra: string[] = [], env: NodeJS.ProcessEnv = identity.environment()) =>
    runBundle(harness.args(file, "--credential", "federated", "--log-format", "json", ...extra), { NODE_EXTRA_CA_CERTS: harness.standIn.caFile, HR_CHECKPOINT_DIR: harness.checkpointDir, ...env });

  afterEach(async () => {
    await harness.close();
    await identity.close();
  });

  it("delivers every record and sends no secret anywhere", async () => {
    await start();
    const file = await generatedCsv(7, 1);
    const result = await federatedUpload(file, ["--records-per-call", "3"]);
    expect(result.code).toBe(0);
    expect(summaryOf(result)).toMatchObject({ outcome: "delivered", recordsDelivered: 7 });
    expect(harness.standIn.received.flatMap((chunk) => chunk.records)).toHaveLength(7);
    expect(harness.standIn.credentialsSeen).toEqual({ secrets: 0, assertions: harness.standIn.tokenRequests });
    expect(identity.requests.map((request) => request.resource)).toEqual([EXCHANGE_AUDIENCE]);
    expect(result.stdout + result.stderr).not.toContain(STANDIN_DEFAULTS.clientSecret);
  });

  it.each([
    ["an audience the app does not trust", { audience: "api://AzureADTokenExchange" }, []],
    ["a subject the app does not trust (another identity)", { subject: "00000000-0000-4000-8000-000000000000" }, []],
    ["--federated-audience pointing elsewhere", {}, ["--federated-audience", "api://somewhere-else"]],
  ] as const)("exits 4 with %s, after giving a new credential time to propagate, naming issuer, subject and audience", async (_case, trusted, extra) => {
    await start(trusted);
    const result = await federatedUpload(await generatedCsv(2, 2), [...extra, "--retry-delay", "0.01"]);
    expect(result.code).toBe(4);
    expect(harness.standIn.tokenRequests).toBe(3); // two retries while it might still be propagating
    const failed = jsonLines(result.stdout).find((event) => event.event === "failed");
    expect(failed?.msg).toBe(
      `sign-in refused (AADSTS70021): no federated credential on the app matches the job's identity: it must have issuer ${harness.standIn.issuer}, ` +
        `subject ${identity.principalId} and audience ${extra.length > 0 ? "api://somewhere-else" : EXCHANGE_AUDIENCE} (with the stack: pulumi up sets them; or check --federated-audience)`,
    );
    expect(harness.standIn.ingestionRequests).toBe(0);
  });

  it("is a usage error (exit 2) where there is no managed identity, or with a secret as well", async () => {
    await start();
    const file = await generatedCsv(1, 3);
    const elsewhere = await federatedUpload(file, [], {});
    expect(elsewhere.code).toBe(2);
    expect(jsonLines(elsewhere.stdout)[0]?.msg).toMatch(/^--credential federated runs only in the Container Apps job: it signs in with the job's managed identity/);
    const both = await federatedUpload(file, [], { ...identity.environment(), HR_APP_SECRET: "s" });
    expect(both.code).toBe(2);
    expect(harness.standIn.tokenRequests).toBe(0);
  });
});
