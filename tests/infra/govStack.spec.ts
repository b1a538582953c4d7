/**
 * The Gov stack (Pulumi.gov.yaml) after the second pass: connectorJobId and
 * alertEmail set, image assembled and pushed by the stack.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { GRANT_PROPAGATION_SECONDS } from "../../infra/grantPropagation";
import { DEFAULT_IMAGE_BASE } from "../../scripts/lib/imageBase";
import { readUploaderFiles } from "../../scripts/lib/uploaderImage";
import { BUNDLE } from "../support/cli";
import { CLOUD_PROFILES } from "../../uploader/src/core/clouds";
import { LOG_EVENT } from "../../uploader/src/observe/logEvents";
import { FAKE_CLIENT_SECRET_PREFIX, OFFLINE_IDS, containsSecretEnvelope } from "../../infra/offline/mocks";
import type { OfflineRun } from "../../infra/offline/run";
import { GOV_STACK } from "./govStackFile";
import { CONNECTOR_JOB_ID, hrAccount, hrBlobService, keptAccount, keptBlobService, type Recorded, TYPE, named, ofType, only, runGov, type Json, jobGrants } from "./harness";

const ALERT_EMAIL = "hr-connector-admins@agency.gov";
const ROLE = {
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  storageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
};
const DAY_MS = 24 * 60 * 60 * 1000;
const ROOT = path.resolve(__dirname, "../..");
const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;


let run: OfflineRun;
let job: Json;
beforeAll(async () => {
  run = await runGov({ connectorJobId: CONNECTOR_JOB_ID, alertEmail: ALERT_EMAIL });
  job = only(run, TYPE.job).inputs;
});

describe("the Gov stack file", () => {
  it("is a complete GCC High stack in Azure US Government", () => {
    expect(GOV_STACK).toMatchObject({
      "azure-native:environment": "usgovernment",
      "azure-native:location": "usgovvirginia",
      "azuread:environment": "usgovernment",
      "hr-connector:cloud": "gcch",
    });
    expect(GOV_STACK["hr-connector:secretRotation"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("places every regional resource in its region", () => {
    const regional = [TYPE.vault, TYPE.storageAccount, TYPE.workspace, TYPE.environment, TYPE.registry, TYPE.identity, TYPE.job, TYPE.queryRule];
    const located = run.resources.filter((resource) => [...regional, "azure-native:resources:ResourceGroup"].includes(resource.type));
    expect(located).toHaveLength(regional.length + 7); // five query rules, two identities (the jobs', the keys'), two accounts
    for (const resource of located) expect([resource.name, resource.inputs.location]).toEqual([resource.name, "usgovvirginia"]);
  });

  it("tags its resource group with the project and stack, so preflight finds the auto-named group and its registry", () => {
    expect(only(run, "azure-native:resources:ResourceGroup").inputs.tags).toEqual({ "hr-connector-stack": "hr-connector/gov" });
  });
});

describe("connector identity", () => {
  it("is a single-tenant app without API permissions whose notes say what it is for", () => {
    const app = only(run, TYPE.application).inputs;
    expect(app.signInAudience).toBe("AzureADMyOrg");
    expect(app.requiredResourceAccesses ?? []).toEqual([]);
    expect(app.notes).toContain("Purview HR connector");
    expect(app.notes).toContain(CLOUD_PROFILES.gcch.ingestionBaseUrl);
    expect(only(run, TYPE.servicePrincipal).inputs.clientId).toBe(only(run, TYPE.application).state.clientId);
  });

  it("has one password keyed on secretRotation, ending secretLifetimeDays later, never replaced delete-first", () => {
    const password = only(run, TYPE.password);
    const rotation = GOV_STACK["hr-connector:secretRotation"] as string;
    expect(password.inputs.applicationId).toBe(only(run, TYPE.application).id);
    expect(password.inputs.rotateWhenChanged).toEqual({ secretRotation: rotation });
    expect(password.inputs.endDate).toBe(new Date(Date.parse(rotation) + 180 * DAY_MS).toISOString().replace(".000", ""));
    expect(run.outputs.secretExpiresOn).toBe((password.inputs.endDate as string).slice(0, 10));
  });
});

describe("Key Vault", () => {
  it("uses RBAC, soft delete and purge protection", () => {
    expect(only(run, TYPE.vault).inputs.properties).toMatchObject({ enableRbacAuthorization: true, enableSoftDelete: true, enablePurgeProtection: true });
    expect(only(run, TYPE.vault).inputs.properties).not.toHaveProperty("accessPolicies");
  });

  it("holds the client secret, which reaches it only as a Pulumi secret", () => {
    const secret = only(run, TYPE.secret);
    expect(secret.inputs.vaultName).toBe(only(run, TYPE.vault).state.name);
    expect(secret.inputs.properties.value).toBe(only(run, TYPE.password).state.value);
    expect(containsSecretEnvelope(secret.rawInputs.properties)).toBe(true);
  });

  it("expires the secret when the password ends", () => {
    const { expires } = only(run, TYPE.secret).inputs.properties.attributes;
    expect(Number.isInteger(expires)).toBe(true);
    expect(new Date(expires * 1000).toISOString().replace(".000", "")).toBe(only(run, TYPE.password).inputs.endDate);
  });
});

describe("storage", () => {
  it("is a hardened StorageV2 account", () => {
    expect(hrAccount(run).inputs).toMatchObject({
      kind: "StorageV2",
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
    });
  });

  it("has private hr-data and hr-state containers with blob soft delete, and hr-kept in the kept copies' account", () => {
    const account = hrAccount(run).state.name;
    expect(ofType(run, TYPE.container).map((container) => container.inputs)).toEqual(
      expect.arrayContaining([
        ...["hr-data", "hr-state"].map((containerName) => expect.objectContaining({ containerName, accountName: account, publicAccess: "None" })),
        expect.objectContaining({ containerName: "hr-kept", accountName: keptAccount(run).state.name, publicAccess: "None" }),
      ]),
    );
    expect(ofType(run, TYPE.container)).toHaveLength(3);
    const blobService = hrBlobService(run).inputs;
    expect(blobService).toMatchObject({ accountName: account, blobServicesName: "default" });
    expect(blobService.deleteRetentionPolicy).toEqual({ enabled: true, days: expect.any(Number) });
    expect(blobService.deleteRetentionPolicy.days).toBeGreaterThanOrEqual(7);
  });
});

describe("logs", () => {
  it("leave the environment through Azure Monitor, with no workspace key anywhere", () => {
    const environment = only(run, TYPE.environment);
    expect(environment.inputs.appLogsConfiguration).toEqual({ destination: "azure-monitor" });
    expect(containsSecretEnvelope(environment.rawInputs)).toBe(false);
    expect(only(run, TYPE.workspace).inputs.features).toEqual({ disableLocalAuth: true });
  });
});

describe("registry and image", () => {
  it("has the admin user disabled", () => {
    expect(only(run, TYPE.registry).inputs.adminUserEnabled).toBe(false);
  });

  it("is assembled and pushed at deploy time by the stack itself: no Docker build resource, no token in its state", () => {
    expect(run.resources.filter((resource) => resource.type.startsWith("docker-build:") || resource.type.startsWith("docker:"))).toEqual([]);
    const image = only(run, TYPE.image);
    const { __provider: code, ...inputs } = image.inputs;
    expect(inputs).toEqual({
      registry: only(run, TYPE.registry).state.loginServer,
      repository: "hr-upload",
      base: DEFAULT_IMAGE_BASE,
      bundleDigest: sha256(readFileSync(BUNDLE)),
      sbomDigest: sha256(readUploaderFiles(ROOT).sbom),
      source: expect.any(String),
      revision: expect.stringMatching(/^([0-9a-f]{40}|unknown)$/),
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(containsSecretEnvelope(image.rawInputs)).toBe(false);
    // The provider's code, as stored in the state, loads the image assembly by path and holds nothing else.
    expect(code).toContain(path.join(ROOT, "dist", "hr-image.js"));
    expect(code).not.toMatch(/accessToken|refresh_token"?\s*:/);
  });
});

describe("deployment order", () => {
  it("creates the job only after its grants are in effect", () => {
    const wait = named(run, TYPE.grantPropagation, "hr-upload-grants");
    const grants = jobGrants(run).map((grant) => `${TYPE.roleAssignment}::${grant.name}`);
    expect(grants).toHaveLength(5);
    expect(wait.dependencies).toEqual(expect.arrayContaining(grants));
    expect([...wait.inputs.roleAssignmentIds].sort()).toEqual(jobGrants(run).map((grant) => grant.id).sort());
    expect(wait.inputs.seconds).toBe(GRANT_PROPAGATION_SECONDS);
    expect(only(run, TYPE.job).dependencies).toContain(`${TYPE.grantPropagation}::hr-upload-grants`);
  });

  it("writes the blob service settings before the containers, never both at once on the account", () => {
    const after = (service: Recorded) => expect.arrayContaining([`${TYPE.blobService}::${service.name}`]);
    expect(ofType(run, TYPE.container).map((container) => [container.name, container.dependencies])).toEqual([
      ["hr-data", after(hrBlobService(run))],
      ["hr-state", after(hrBlobService(run))],
      ["hr-kept", after(keptBlobService(run))],
    ]);
  });
});

describe("job identity", () => {
  it("has exactly five grants, each on the narrowest scope (hr-kept's kept copies apart from hr-state's)", () => {
    const identity = named(run, TYPE.identity, "hr-upload");
    const grants = jobGrants(run).map((assignment) => ({
      principalId: assignment.inputs.principalId,
      principalType: assignment.inputs.principalType,
      roleDefinitionId: assignment.inputs.roleDefinitionId,
      scope: assignment.inputs.scope,
    }));
    const grant = (role: string, scope: string) => ({
      principalId: identity.state.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: `/subscriptions/${OFFLINE_IDS.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      scope,
    });
    expect(grants).toHaveLength(5);
    expect(grants).toEqual(
      expect.arrayContaining([
        grant(ROLE.acrPull, only(run, TYPE.registry).id),
        grant(ROLE.keyVaultSecretsUser, only(run, TYPE.secret).id),
        grant(ROLE.storageBlobDataReader, named(run, TYPE.container, "hr-data").id),
        grant(ROLE.storageBlobDataContributor, named(run, TYPE.container, "hr-state").id),
        grant(ROLE.storageBlobDataContributor, named(run, TYPE.container, "hr-kept").id),
      ]),
    );
  });
});

describe("the job", () => {
  it("runs on the configured UTC schedule, one replica at a time, with a long timeout and few retries", () => {
    expect(job.jobName).toBe("hr-upload");
    expect(job.environmentId).toBe(only(run, TYPE.environment).id);
    expect(job.configuration.triggerType).toBe("Schedule");
    expect(job.configuration.scheduleTriggerConfig).toEqual({ cronExpression: "0 6 * * *", parallelism: 1, replicaCompletionCount: 1 });
    expect(job.configuration.replicaTimeout).toBeGreaterThanOrEqual(2 * 60 * 60);
    expect(job.configuration.replicaRetryLimit).toBeGreaterThanOrEqual(0);
    expect(job.configuration.replicaRetryLimit).toBeLessThanOrEqual(2);
  });

  it("uses the user-assigned identity for the registry and Key Vault", () => {
    const identityId = named(run, TYPE.identity, "hr-upload").id;
    expect(job.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identityId] });
    expect(job.configuration.registries).toEqual([{ server: only(run, TYPE.registry).state.loginServer, identity: identityId }]);
  });

  it("runs the pushed image by digest", () => {
    expect(job.template.containers[0].image).toBe(only(run, TYPE.image).state.ref);
    expect(job.template.containers[0].image).toBe(`${only(run, TYPE.registry).state.loginServer}/hr-upload@${only(run, TYPE.image).id}`);
    expect(job.template.containers[0].image).toMatch(/^[a-z0-9]+\.azurecr\.us\/hr-upload@sha256:[0-9a-f]{64}$/);
  });

  it("references the client secret from Key Vault by its versioned URL, without a value", () => {
    const secret = only(run, TYPE.secret);
    const versionedUrl = secret.state.properties.value.secretUriWithVersion as string;
    expect(versionedUrl).toMatch(/^https:\/\/[a-z0-9-]+\.vault\.usgovcloudapi\.net\/secrets\/hr-app-secret\/[0-9a-f]{32}$/);
    expect(job.configuration.secrets).toEqual([{ name: "hr-app-secret", keyVaultUrl: versionedUrl, identity: named(run, TYPE.identity, "hr-upload").id }]);
  });

  it("has no plain secret anywhere in its inputs, and its configuration is not marked secret", () => {
    const raw = JSON.stringify(only(run, TYPE.job).rawInputs);
    expect(containsSecretEnvelope(only(run, TYPE.job).rawInputs)).toBe(false);
    expect(raw).not.toContain(FAKE_CLIENT_SECRET_PREFIX);
    expect(raw).not.toContain(String(only(run, TYPE.password).state.value));
  });

  it("gives the uploader its contract environment", () => {
    const account = hrAccount(run).state;
    const blobEndpoint = account.primaryEndpoints.blob as string;
    expect(blobEndpoint).toMatch(/\.blob\.core\.usgovcloudapi\.net\/$/);
    expect(job.template.containers[0].env).toEqual([
      { name: "HR_CLOUD", value: "gcch" },
      { name: "HR_TENANT_ID", value: OFFLINE_IDS.entraTenantId },
      { name: "HR_APP_ID", value: only(run, TYPE.application).state.clientId },
      { name: "HR_JOB_ID", value: CONNECTOR_JOB_ID },
      { name: "HR_CSV", value: `${blobEndpoint}hr-data/employees.csv` },
      { name: "HR_CHECKPOINT", value: `${blobEndpoint}hr-state` },
      { name: "HR_KEPT_CONTAINER", value: `${keptAccount(run).state.primaryEndpoints.blob}hr-kept` },
      { name: "HR_LOG_FORMAT", value: "json" },
      { name: "HR_DASHBOARD_URL", value: run.outputs.dashboardUrl },
      { name: "HR_SECRET_EXPIRES_ON", value: run.outputs.secretExpiresOn },
      { name: "AZURE_CLIENT_ID", value: named(run, TYPE.identity, "hr-upload").state.clientId },
      { name: "HR_APP_SECRET", secretRef: "hr-app-secret" },
    ]);
  });

  it("starts only after all five grants exist", () => {
    const grants = jobGrants(run).map((assignment) => `${assignment.type}::${assignment.name}`);
    expect(only(run, TYPE.job).dependencies).toEqual(expect.arrayContaining(grants));
  });
});

describe("alerts", () => {
  it("mail alertEmail through one action group that every rule uses", () => {
    const actionGroup = only(run, TYPE.actionGroup);
    expect(actionGroup.inputs.emailReceivers).toEqual([expect.objectContaining({ emailAddress: ALERT_EMAIL })]);
    expect(actionGroup.inputs.groupShortName.length).toBeLessThanOrEqual(12);
    expect(only(run, TYPE.metricAlert).inputs.actions).toEqual([{ actionGroupId: actionGroup.id }]);
    for (const rule of ofType(run, TYPE.queryRule)) expect(rule.inputs.actions).toEqual({ actionGroups: [actionGroup.id] });
  });

  it("fire on any failed execution of the job", () => {
    const alert = only(run, TYPE.metricAlert).inputs;
    expect(alert.scopes).toEqual([only(run, TYPE.job).id]);
    expect(alert.enabled).toBe(true);
    expect(alert.criteria.allOf).toEqual([
      expect.objectContaining({
        metricNamespace: "Microsoft.App/jobs",
        metricName: "Executions",
        dimensions: [{ name: "state", operator: "Include", values: ["Failed"] }],
        operator: "GreaterThan",
        threshold: 0,
        timeAggregation: "Total",
      }),
    ]);
  });

  it("fire when no run succeeded for 26 hours, from the uploader's summary events in the workspace", () => {
    const rule = named(run, TYPE.queryRule, "hr-upload-no-success").inputs;
    expect(rule.scopes).toEqual([only(run, TYPE.workspace).id]);
    const [condition] = rule.criteria.allOf;
    expect(condition).toMatchObject({ timeAggregation: "Count", operator: "LessThan", threshold: 1 });
    expect(condition.query).toContain("ContainerAppConsoleLogs\n");
    expect(condition.query).toContain("parse_json(Log)");
    expect(condition.query).toContain('tostring(entry.event) == "summary"');
    expect(condition.query).toMatch(/tostring\(entry\.outcome\) in \("delivered", "nothing-to-do"\)/);
    expect(condition.query).toContain("ago(26h)");
    // The query window must reach back 26 hours.
    expect(rule.windowSize).toBe("P2D");
  });

  it("fire on the uploader's secret-expiring warning", () => {
    const rule = named(run, TYPE.queryRule, "hr-upload-secret-expiring").inputs;
    expect(rule.scopes).toEqual([only(run, TYPE.workspace).id]);
    const [condition] = rule.criteria.allOf;
    expect(condition).toMatchObject({ timeAggregation: "Count", operator: "GreaterThan", threshold: 0 });
    expect(condition.query).toContain('tostring(entry.event) == "secret-expiring"');
  });

  it("fire on the uploader's profile-stale warning, once a day while it lasts", () => {
    const rule = named(run, TYPE.queryRule, "hr-upload-profile-stale").inputs;
    expect(rule).toMatchObject({ scopes: [only(run, TYPE.workspace).id], severity: 2, autoMitigate: false, muteActionsDuration: "P1D" });
    const [condition] = rule.criteria.allOf;
    expect(condition).toMatchObject({ timeAggregation: "Count", operator: "GreaterThan", threshold: 0 });
    expect(condition.query).toContain(`tostring(entry.event) == "${LOG_EVENT.profileStale}"`);
    expect(ofType(run, TYPE.queryRule).map((queryRule) => queryRule.name).sort()).toEqual(["hr-upload-abandoned", "hr-upload-no-success", "hr-upload-profile-stale", "hr-upload-records-not-saved", "hr-upload-secret-expiring"]);
  });

  it("fire at severity 1 on the uploader's abandoned warning: records of a partly delivered file that were never delivered", () => {
    const rule = named(run, TYPE.queryRule, "hr-upload-abandoned").inputs;
    expect(rule).toMatchObject({ scopes: [only(run, TYPE.workspace).id], severity: 1, enabled: true, actions: { actionGroups: [only(run, TYPE.actionGroup).id] } });
    const [condition] = rule.criteria.allOf;
    expect(condition).toMatchObject({ timeAggregation: "Count", operator: "GreaterThan", threshold: 0 });
    expect(condition.query).toContain('tostring(entry.event) == "abandoned"');
    expect(rule.description).toMatch(/never delivered/);
  });

  it("fire at severity 1, once a day, on the uploader's records-not-saved warning: a 2xx that said the service did not keep the records", () => {
    const rule = named(run, TYPE.queryRule, "hr-upload-records-not-saved").inputs;
    expect(rule).toMatchObject({ scopes: [only(run, TYPE.workspace).id], severity: 1, enabled: true, autoMitigate: false, muteActionsDuration: "P1D", actions: { actionGroups: [only(run, TYPE.actionGroup).id] } });
    const [condition] = rule.criteria.allOf;
    expect(condition).toMatchObject({ timeAggregation: "Count", operator: "GreaterThan", threshold: 0 });
    expect(condition.query).toContain(`tostring(entry.event) == "${LOG_EVENT.recordsNotSaved}"`);
    expect(LOG_EVENT.recordsNotSaved).toBe("records-not-saved");
  });
});

describe("outputs", () => {
  it("are what the entry module, itself the program function, returns (Pulumi's CommonJS runner calls an exported function)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object exactly as Pulumi's runner requires it
    const entry: unknown = require("../../infra/index");
    expect(typeof entry).toBe("function");
    expect(Object.keys(entry as object)).toEqual([]);
  });

  it("are the documented ones", () => {
    expect(Object.keys(run.outputs).sort()).toEqual(["appClientId", "csvUploadUrl", "dashboardUrl", "jobName", "nextSteps", "secretExpiresOn", "tenantId"]);
    expect(run.outputs).toMatchObject({
      appClientId: only(run, TYPE.application).state.clientId,
      tenantId: OFFLINE_IDS.entraTenantId,
      csvUploadUrl: job.template.containers[0].env.find((variable: Json) => variable.name === "HR_CSV").value,
      jobName: "hr-upload",
    });
  });

  it("hold no secret", async () => {
    for (const [name, value] of Object.entries(run.program)) {
      if (pulumi.Output.isInstance(value)) expect({ name, secret: await pulumi.isSecret(value) }).toEqual({ name, secret: false });
    }
    const text = JSON.stringify(run.outputs);
    expect(text).not.toContain(FAKE_CLIENT_SECRET_PREFIX);
  });

  it("tell where the CSV goes and how to run the job now", () => {
    expect(run.outputs.nextSteps).toContain(`az containerapp job start --name hr-upload --resource-group ${only(run, "azure-native:resources:ResourceGroup").state.name}`);
    expect(run.outputs.nextSteps).toContain(`--container-name hr-data --name employees.csv`);
  });
});
