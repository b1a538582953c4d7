/**
 * hr-connector: runs the hr-upload CLI daily as an Azure Container Apps job,
 * with its Entra app, Key Vault secret, storage, logs, registry and alerts.
 * The first `pulumi up` stops short of the job until the Purview portal has
 * given the connector's job ID (`connectorJobId`).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { CLOUD_PROFILES } from "../uploader/src/clouds";
import { loadStackConfig } from "./config";
import { ConnectorIdentity } from "./connectorIdentity";
import { HrStorage } from "./hrStorage";
import { JobIdentity } from "./jobIdentity";
import { JobMonitoring } from "./jobMonitoring";
import { LogsEnvironment } from "./logsEnvironment";
import { renderNextSteps } from "./nextSteps";
import { SecretVault } from "./secretVault";
import { UploaderImage, UploaderRegistry } from "./uploaderRegistry";
import { APP_SECRET_NAME, UploaderJob } from "./uploaderJob";

const config = loadStackConfig();
const cloud = CLOUD_PROFILES[config.cloud];
const stackLabel = `${pulumi.getProject()}/${pulumi.getStack()}`;
const azureClient = authorization.getClientConfigOutput();

const resourceGroup = new resources.ResourceGroup("hr-connector", { location: config.location });
const placement = { resourceGroupName: resourceGroup.name, location: config.location };

const connectorApp = new ConnectorIdentity("hr-connector", {
  displayName: `hr-connector uploader (${stackLabel})`,
  notes:
    `Client of the Microsoft Purview HR connector (${cloud.title}): the hr-upload job signs in at ${cloud.authorityHost} ` +
    `and posts HR CSV files to ${cloud.ingestionBaseUrl}. Needs no API permissions. Managed by Pulumi stack ${stackLabel}.`,
  secretRotation: config.secretRotation,
  secretExpiresOn: config.secretExpiresOn,
});

const vault = new SecretVault("hr-connector", {
  ...placement,
  tenantId: azureClient.tenantId,
  secretName: APP_SECRET_NAME,
  secretValue: connectorApp.clientSecret,
});

const hrStorage = new HrStorage("hr-connector", { ...placement, csvBlobName: config.csvBlobName });
const logs = new LogsEnvironment("hr-connector", { ...placement, retentionInDays: 30 });
const registry = new UploaderRegistry("hr-connector", placement);

const jobIdentity = new JobIdentity("hr-upload", {
  ...placement,
  subscriptionId: azureClient.subscriptionId,
  registryId: registry.registryId,
  secretId: vault.secretId,
  dataContainerId: hrStorage.dataContainerId,
  stateContainerId: hrStorage.stateContainerId,
});

/** The job and its alerts, once the connector's job ID is known. */
function deployUploaderJob(connectorJobId: string): UploaderJob {
  // Built only now: the image serves the job alone, and the deployer can `az acr login` to the registry the first pass created.
  const image = config.image ?? new UploaderImage("hr-upload", { loginServer: registry.loginServer }, { parent: registry }).ref;
  const job = new UploaderJob(
    "hr-upload",
    {
      ...placement,
      environmentId: logs.environmentId,
      jobName: config.jobName,
      schedule: config.schedule,
      image,
      registryServer: registry.loginServer,
      identityId: jobIdentity.id,
      identityClientId: jobIdentity.clientId,
      appSecretUrl: vault.secretVersionedUrl,
      uploader: {
        cloud: config.cloud,
        tenantId: connectorApp.tenantId,
        appId: connectorApp.clientId,
        connectorJobId,
        csvUrl: hrStorage.csvUrl,
        checkpointUrl: hrStorage.stateContainerUrl,
        secretExpiresOn: config.secretExpiresOn,
        recordsPerCall: config.recordsPerCall,
        scenario: config.scenario,
        columns: config.columns,
      },
    },
    // The first execution must already be allowed to pull the image, read the secret and the blobs.
    { dependsOn: jobIdentity.roleAssignments },
  );
  new JobMonitoring("hr-upload", { ...placement, jobId: job.jobId, workspaceId: logs.workspaceId, alertEmail: config.alertEmail });
  return job;
}

const job = config.connectorJobId === undefined ? undefined : deployUploaderJob(config.connectorJobId);

export const appClientId = connectorApp.clientId;
export const tenantId = connectorApp.tenantId;
export const csvUploadUrl = hrStorage.csvUrl;
export const jobName = job?.jobName;
export const secretExpiresOn = config.secretExpiresOn;
export const nextSteps = pulumi
  .all([connectorApp.clientId, hrStorage.csvUrl, hrStorage.accountName, resourceGroup.name, registry.registryName, job?.jobName])
  .apply(([clientId, csvUrl, storageAccountName, resourceGroupName, registryName, deployedJobName]) =>
    renderNextSteps({
      cloud: config.cloud,
      appClientId: clientId,
      wizardColumns: config.wizardColumns,
      csvUploadUrl: csvUrl,
      storageAccountName,
      csvBlobName: config.csvBlobName,
      resourceGroupName,
      secretExpiresOn: config.secretExpiresOn,
      job: deployedJobName === undefined ? undefined : { name: deployedJobName, schedule: config.schedule },
      imageRegistryName: config.image === undefined ? registryName : undefined,
    }),
  );
