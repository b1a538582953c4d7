/**
 * `credential: federated`: the connector app trusts the job's managed identity, so the stack makes no secret at
 * all; and switching to it and back keeps the job signing in through every step.
 */
import { federatedSubject } from "../../infra/connectorIdentity";
import { OFFLINE_IDS } from "../../infra/offline/mocks";
import type { OfflineRun } from "../../infra/offline/run";
import { CLOUD_PROFILES } from "../../uploader/src/clouds";
import { CONNECTOR_JOB_ID, ofType, only, runGov, TYPE, type Json } from "./harness";

const FEDERATED_CREDENTIAL = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
/** The app and the subscription in one tenant, as federation requires (the Gov stack file leaves azuread's tenant to the CLI login). */
const SAME_TENANT = { "azuread:tenantId": OFFLINE_IDS.azureTenantId };

const envOf = (run: OfflineRun) => (only(run, TYPE.job).inputs.template.containers[0].env as Json[]).map(({ name, value, secretRef }) => (secretRef ? `${name}=ref:${secretRef}` : `${name}=${value}`));

describe("credential: federated", () => {
  let gcch: OfflineRun;
  let secret: OfflineRun;
  beforeAll(async () => {
    secret = await runGov({ connectorJobId: CONNECTOR_JOB_ID, ...SAME_TENANT });
    gcch = await runGov({ connectorJobId: CONNECTOR_JOB_ID, credential: "federated", secretRotation: undefined, ...SAME_TENANT });
  });

  it.each([
    ["gcch", {}],
    ["dod", { cloud: "dod", "azuread:environment": "dod" }],
  ])("%s: trusts the job's identity with the tenant's issuer, the identity's principal ID and the Gov exchange audience", async (_cloud, overrides) => {
    const run = _cloud === "gcch" ? gcch : await runGov({ connectorJobId: CONNECTOR_JOB_ID, credential: "federated", secretRotation: undefined, ...SAME_TENANT, ...overrides });
    const credential = only(run, FEDERATED_CREDENTIAL);
    const identity = only(run, TYPE.identity);
    expect(credential.inputs).toMatchObject({
      applicationId: only(run, TYPE.application).id,
      issuer: `https://login.microsoftonline.us/${OFFLINE_IDS.azureTenantId}/v2.0`,
      subject: identity.state.principalId,
      audiences: ["api://AzureADTokenExchangeUSGov"],
    });
    expect(CLOUD_PROFILES[_cloud as "gcch" | "dod"].federationAudience).toBe("api://AzureADTokenExchangeUSGov");
  });

  it("makes no password, no vault and no secret, grants no secret read, and tells the job to sign in federated", () => {
    for (const type of [TYPE.password, TYPE.vault, TYPE.secret]) expect(ofType(gcch, type)).toEqual([]);
    const job = only(gcch, TYPE.job);
    expect(job.inputs.configuration.secrets ?? []).toEqual([]);
    expect(envOf(gcch)).toContain("HR_CREDENTIAL=federated");
    expect(envOf(gcch).filter((entry) => /HR_APP_SECRET|HR_SECRET_EXPIRES_ON/.test(entry))).toEqual([]);
    expect(ofType(gcch, TYPE.roleAssignment).map((grant) => grant.name)).not.toContain("hr-upload-secret-read");
    expect(ofType(gcch, TYPE.queryRule).map((rule) => rule.name)).not.toContain(expect.stringMatching(/secret-expiring/));
    expect(gcch.outputs.secretExpiresOn).toBeUndefined();
    expect(gcch.outputs.nextSteps).toMatch(/signs in as the app with its managed identity .*no client secret/);
    expect(JSON.stringify(gcch.resources.map((resource) => resource.rawInputs))).not.toContain("offline-client-secret");
  });

  it("is offered for commercial and GCC only where the stack deploys to public Azure, with the public exchange audience", async () => {
    const commercial = await runGov({
      connectorJobId: CONNECTOR_JOB_ID,
      credential: "federated",
      secretRotation: undefined,
      cloud: "commercial",
      "azuread:environment": "public",
      "azure-native:environment": "public",
      "azure-native:location": "eastus",
      ...SAME_TENANT,
    });
    expect(only(commercial, FEDERATED_CREDENTIAL).inputs).toMatchObject({ issuer: `https://login.microsoftonline.com/${OFFLINE_IDS.azureTenantId}/v2.0`, audiences: ["api://AzureADTokenExchange"] });
  });

  it("is refused for a GCC tenant (public Entra) with an Azure Government subscription: no cross-cloud federation", async () => {
    await expect(runGov({ credential: "federated", cloud: "gcc", "azuread:environment": "public" })).rejects.toThrow(
      /credential "federated" needs the connector app and the job's identity in one Entra cloud, but GCC tenants \(azuread:environment "public"\) and Azure Government subscriptions \(azure-native:environment "usgovernment"\) are in two: cross-cloud federation is not supported/,
    );
  });

  it("switches either way with the job never left without a working credential", () => {
    // To federated: the job changes only once its federated credential exists and has had time to propagate; the old
    // password, secret and vault are deleted after the job stops using them (Pulumi deletes what left the program last).
    const wait = only(gcch, TYPE.grantPropagation);
    expect(wait.dependencies).toContain(`${FEDERATED_CREDENTIAL}::hr-upload-job`);
    expect(only(gcch, TYPE.job).dependencies).toContain(`${TYPE.grantPropagation}::hr-upload-grants`);
    // Back to a secret: the job's new secret reference is to the new Key Vault secret, readable once the grant is in effect.
    const job = only(secret, TYPE.job);
    expect(job.inputs.configuration.secrets[0].keyVaultUrl).toMatch(/^https:\/\/.*\/secrets\/hr-app-secret\/[0-9a-f]+$/);
    expect(only(secret, TYPE.grantPropagation).dependencies).toContain(`${TYPE.roleAssignment}::hr-upload-secret-read`);
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
