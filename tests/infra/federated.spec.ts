/**
 * `credential: federated`: the connector app trusts the job's managed identity, so the stack makes no secret at
 * all; and switching to it and back keeps the job signing in through every step.
 */
import { federatedSubject } from "../../infra/connectorIdentity";
import { OFFLINE_IDS } from "../../infra/offline/mocks";
import type { OfflineRun } from "../../infra/offline/run";
import { CLOUD_PROFILES } from "../../uploader/src/core/clouds";
import { CONNECTOR_JOB_ID, named, ofType, only, runGov, TYPE, type Json } from "./harness";

const FEDERATED_CREDENTIAL = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
/** The app and the subscription in one tenant, as federation requires (the Gov stack file leaves azuread's tenant to the CLI login). */
const SAME_TENANT = { "azuread:tenantId": OFFLINE_IDS.azureTenantId };

const envOf = (run: OfflineRun) => (only(run, TYPE.job).inputs.template.containers[0].env as Json[]).map(({ name, value, secretRef }) => (secretRef ? `${name}=ref:${secretRef}` : `${name}=${value}`));

/** A federated stack with the job, in the Gov stack file's shape plus `overrides`. */
const federated = (overrides: Record<string, string> = {}) => runGov({ connectorJobId: CONNECTOR_JOB_ID, credential: "federated", secretRotation: undefined, ...SAME_TENANT, ...overrides });

describe("credential: federated", () => {
  let govRuns: Record<"gcch" | "dod", OfflineRun>;
  let gcch: OfflineRun;
  let secret: OfflineRun;
  beforeAll(async () => {
    secret = await runGov({ connectorJobId: CONNECTOR_JOB_ID, ...SAME_TENANT });
    govRuns = { gcch: await federated(), dod: await federated({ cloud: "dod", "azuread:environment": "dod" }) };
    gcch = govRuns.gcch;
  });

  it.each(["gcch", "dod"] as const)("%s: trusts the job's identity with the tenant's issuer, the identity's principal ID and the Gov exchange audience", (cloud) => {
    const run = govRuns[cloud];
    const credential = only(run, FEDERATED_CREDENTIAL);
    const identity = named(run, TYPE.identity, "hr-upload");
    expect(credential.inputs).toMatchObject({
      applicationId: only(run, TYPE.application).id,
      issuer: `https://login.microsoftonline.us/${OFFLINE_IDS.azureTenantId}/v2.0`,
      subject: identity.state.principalId,
      audiences: ["api://AzureADTokenExchangeUSGov"],
    });
    expect(CLOUD_PROFILES[cloud].federationAudience).toBe("api://AzureADTokenExchangeUSGov");
  });

  it.each(["gcch", "dod"] as const)("%s: makes no password and no secret (the vault holds the encryption keys only), grants no secret read, and tells the job to sign in federated", (cloud) => {
    const run = govRuns[cloud];
    for (const type of [TYPE.password, TYPE.secret]) expect([type, ofType(run, type)]).toEqual([type, []]);
    expect(ofType(run, "azure-native:keyvault:Key").map((key) => key.name)).toEqual(["hr-storage", "hr-registry"]);
    const job = only(run, TYPE.job);
    expect(job.inputs.configuration.secrets ?? []).toEqual([]);
    expect(envOf(run)).toContain("HR_CREDENTIAL=federated");
    expect(envOf(run)).toContain(`HR_CLOUD=${cloud}`);
    expect(envOf(run).filter((entry) => /HR_APP_SECRET|HR_SECRET_EXPIRES_ON/.test(entry))).toEqual([]);
    expect(ofType(run, TYPE.roleAssignment).map((grant) => grant.name)).not.toContain("hr-upload-secret-read");
    expect(ofType(run, TYPE.queryRule).map((rule) => rule.name)).not.toContain(expect.stringMatching(/secret-expiring/));
    expect(run.outputs.secretExpiresOn).toBeUndefined();
    expect(run.outputs.nextSteps).toMatch(/signs in as the app with its managed identity .*no client secret/);
    expect(JSON.stringify(run.resources.map((resource) => resource.rawInputs))).not.toContain("offline-client-secret");
  });

  // The rule (infra/config.ts, federationProblem): the app's Entra cloud must be the subscription's. GCC tenants live in
  // public Entra, so GCC federates only with a commercial (public Azure) subscription, as commercial tenants do.
  it.each(["commercial", "gcc"] as const)("%s: is offered where the stack deploys to public Azure, with the public sign-in host and exchange audience", async (cloud) => {
    const run = await federated({ cloud, "azuread:environment": "public", "azure-native:environment": "public", "azure-native:location": "eastus" });
    expect(only(run, FEDERATED_CREDENTIAL).inputs).toMatchObject({
      issuer: `https://login.microsoftonline.com/${OFFLINE_IDS.azureTenantId}/v2.0`,
      subject: named(run, TYPE.identity, "hr-upload").state.principalId,
      audiences: ["api://AzureADTokenExchange"],
    });
    for (const type of [TYPE.password, TYPE.secret]) expect([type, ofType(run, type)]).toEqual([type, []]);
    expect(envOf(run)).toEqual(expect.arrayContaining(["HR_CREDENTIAL=federated", `HR_CLOUD=${cloud}`]));
  });

  it("is refused for a GCC tenant (public Entra) with an Azure Government subscription: no cross-cloud federation", async () => {
    await expect(runGov({ credential: "federated", cloud: "gcc", "azuread:environment": "public" })).rejects.toThrow(
      /credential "federated" needs the connector app and the job's identity in one Entra cloud, but GCC tenants \(azuread:environment "public"\) and Azure Government subscriptions \(azure-native:environment "usgovernment"\) are in two: cross-cloud federation is not supported/,
    );
  });

  it("switches either way with the job never left without a working credential", () => {
    // To federated: the job changes only once its federated credential exists and has had time to propagate; the old
    // password, secret and vault are deleted after the job stops using them (Pulumi deletes what left the program last).
    const wait = named(gcch, TYPE.grantPropagation, "hr-upload-grants");
    expect(wait.dependencies).toContain(`${FEDERATED_CREDENTIAL}::hr-upload-job`);
    expect(only(gcch, TYPE.job).dependencies).toContain(`${TYPE.grantPropagation}::hr-upload-grants`);
    // Back to a secret: the job's new secret reference is to the new Key Vault secret, readable once the grant is in effect.
    const job = only(secret, TYPE.job);
    expect(job.inputs.configuration.secrets[0].keyVaultUrl).toMatch(/^https:\/\/.*\/secrets\/hr-app-secret\/[0-9a-f]+$/);
    expect(named(secret, TYPE.grantPropagation, "hr-upload-grants").dependencies).toContain(`${TYPE.roleAssignment}::hr-upload-secret-read`);
    expect(job.dependencies).toContain(`${TYPE.grantPropagation}::hr-upload-grants`);
    expect(ofType(secret, FEDERATED_CREDENTIAL)).toEqual([]);
    // One config key and pulumi up: nothing else differs between the two shapes' jobs but their credential.
    const differing = (env: string[]) => env.filter((entry) => !/^(HR_CREDENTIAL|HR_APP_SECRET|HR_SECRET_EXPIRES_ON)=/.test(entry));
    expect(differing(envOf(gcch))).toEqual(differing(envOf(secret)));
  });

  it("is refused at deployment when the app and the subscription are in two tenants (the credential's subject fails)", () => {
    expect(federatedSubject("principal", { subscription: OFFLINE_IDS.azureTenantId, app: OFFLINE_IDS.azureTenantId.toUpperCase() })).toBe("principal");
    expect(() => federatedSubject("principal", { subscription: OFFLINE_IDS.azureTenantId, app: OFFLINE_IDS.entraTenantId })).toThrow(
      `credential "federated" needs the connector app and the job's identity in one tenant, but the app is in ${OFFLINE_IDS.entraTenantId} and the subscription in ${OFFLINE_IDS.azureTenantId}: use credential "secret"`,
    );
  });
});
