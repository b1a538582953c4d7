/**
 * hr-connector: runs the hr-upload CLI daily as Azure Container Apps jobs, one
 * per Purview HR connector, sharing one Entra app, Key Vault secret, storage
 * account, logs, registry, job identity and alerts. A connector's job is created
 * only once the Purview portal has given its job ID (`connectorJobId`).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { CLOUD_PROFILES } from "../uploader/src/core/clouds";
import { AZURE_ENVIRONMENTS } from "./azureEnvironments";
import { loadConfig, type ConnectorConfig } from "./config";
import { ConnectorIdentity, federatedSubject } from "./connectorIdentity";
import { HrDashboard } from "./dashboard";
import { GrantPropagation } from "./grantPropagation";
import { HrStorage } from "./hrStorage";
import { JobIdentity } from "./jobIdentity";
import { KeptCopyStorage } from "./keptCopyStorage";
import { JobMonitoring } from "./jobMonitoring";
import { CONSUMPTION_WORKLOAD_PROFILE, LogsEnvironment } from "./logsEnvironment";
import { renderNextSteps } from "./nextSteps";
import { MonitorPrivateLinkScope } from "./monitorPrivateLink";
import { PrivateNetwork } from "./privateNetwork";
import { DataEncryption } from "./dataEncryption";
import { ResourceLogs } from "./resourceLogs";
import { SecretVault } from "./secretVault";
import { STACK_TAG, stackTagValue } from "./stackTag";
import { UploaderImage, UploaderRegistry } from "./uploaderRegistry";
import { APP_SECRET_NAME, UploaderJob } from "./uploaderJob";

interface Upload {
  readonly connector: ConnectorConfig;
  readonly csvUrl: pulumi.Output<string>;
  readonly job?: UploaderJob;
}

/**
 * The program. The module is this function (`export =`: Pulumi's CommonJS runner calls an exported function and
 * publishes what it returns as the stack outputs); a function rather than top-level statements so that one process
 * can run it more than once (plan, preflight, the offline tests).
 */
function hrConnector() {
  // The current stack's project, provider and azuread settings, read here so that config.ts and its tests need no Pulumi.
  const config = loadConfig(new pulumi.Config(), new pulumi.Config("azure-native"), new pulumi.Config("azuread"));
  const cloud = CLOUD_PROFILES[config.cloud];
  const stackLabel = `${pulumi.getProject()}/${pulumi.getStack()}`;
  const azureClient = authorization.getClientConfigOutput();

  const resourceGroup = new resources.ResourceGroup("hr-connector", { location: config.location, tags: { [STACK_TAG]: stackTagValue(pulumi.getProject(), pulumi.getStack()) } });
  const placement = { resourceGroupName: resourceGroup.name, location: config.location };

  const connectorApp = new ConnectorIdentity("hr-connector", {
    displayName: `hr-connector uploader (${stackLabel})`,
    notes:
      `Client of the Microsoft Purview HR connector (${cloud.title}): the hr-upload job signs in at ${cloud.authorityHost} ` +
      `and posts HR CSV files to ${cloud.ingestionBaseUrl}. Needs no API permissions. Managed by Pulumi stack ${stackLabel}.`,
    credential: config.credential,
  });
  /** With a client secret: its expiry. Federated: nothing expires. */
  const secretExpiresOnDate = config.credential.kind === "secret" ? config.credential.expiresOn : undefined;

  // The vault holds the encryption keys, and the client secret if there is one (none with a federated credential).
  const vault = new SecretVault("hr-connector", {
    ...placement,
    tenantId: azureClient.tenantId,
    secret:
      config.credential.kind === "secret"
        ? { name: APP_SECRET_NAME, value: connectorApp.clientSecret as pulumi.Output<string>, expiresOn: config.credential.expiresOn }
        : undefined,
    network: config.network,
  });
  const encryption = new DataEncryption("hr-connector", { ...placement, subscriptionId: azureClient.subscriptionId, vaultName: vault.vaultName, vaultUri: vault.vaultUri });

  const storageEncryption = { identityId: encryption.identityId, keyName: encryption.storageKey.keyName, keyVaultUri: vault.vaultUri, ready: encryption.ready };
  const hrStorage = new HrStorage("hr-connector", { ...placement, encryption: storageEncryption, dataVersionDays: config.dataVersionDays, network: config.network });
  const keptCopies = new KeptCopyStorage("hr-connector", { ...placement, encryption: storageEncryption, network: config.network });
  const registry = new UploaderRegistry("hr-connector", {
    ...placement,
    network: config.network,
    encryption: { identityId: encryption.identityId, identityClientId: encryption.identityClientId, keyUri: encryption.registryKey.keyUri, ready: encryption.ready },
  });

  // Private: Key Vault, the blob services, the registry and the workspace answer on private endpoints only, and the jobs run inside the network.
  const monitorScope = config.network === "private" ? new MonitorPrivateLinkScope("hr-connector", { resourceGroupName: resourceGroup.name }) : undefined;
  const privateNetwork =
    monitorScope !== undefined
      ? new PrivateNetwork("hr-connector", {
          ...placement,
          addressSpace: config.vnetAddressSpace,
          azureEnvironment: AZURE_ENVIRONMENTS[config.azureEnvironment],
          targets: [
            { service: "vault", resourceId: vault.vaultId },
            { service: "blob", resourceId: hrStorage.accountId },
            { service: "blob", resourceId: keptCopies.accountId, label: "blob-kept" },
            { service: "registry", resourceId: registry.registryId },
            { service: "azuremonitor", resourceId: monitorScope.scopeId },
          ],
        })
      : undefined;

  const logs = new LogsEnvironment("hr-connector", {
    ...placement,
    logRetentionDays: config.logRetentionDays,
    logArchiveDays: config.logArchiveDays,
    infrastructureSubnetId: privateNetwork?.environmentSubnetId,
    privateLinkScopeName: monitorScope?.scopeName,
    queryStorageAccountId: hrStorage.accountId,
  });
  const dashboard = new HrDashboard("hr-connector", {
    ...placement,
    stackLabel,
    connectors: config.connectors.map((connector) => ({ name: connector.name, jobName: connector.jobName })),
    schedules: config.connectors.map((connector) => `${connector.name === undefined ? "" : `${connector.name}: `}${connector.schedule} UTC`),
    secretExpiresOn: secretExpiresOnDate,
    workspaceId: logs.workspaceId,
    portalHost: AZURE_ENVIRONMENTS[config.azureEnvironment].portalHost,
    tenantId: azureClient.tenantId,
  });
  new ResourceLogs("hr-connector", {
    workspaceId: logs.workspaceId,
    resources: [
      { name: "hr-connector-vault", kind: "keyVault", resourceUri: vault.vaultId },
      { name: "hr-connector-blob", kind: "blobService", resourceUri: hrStorage.blobServiceId },
      { name: "hr-connector-kept-blob", kind: "blobService", resourceUri: keptCopies.blobServiceId },
      { name: "hr-connector-registry", kind: "registry", resourceUri: registry.registryId },
    ],
  });
  /** Data-plane work of the deployment and of the jobs (image push, secret reference, blob reads) waits for the private endpoints. */
  const dataPlaneReady = privateNetwork?.endpointsReady ?? [];
  /** The registry's login server, known only once the endpoints exist: what pushes to it then waits for them. */
  const reachableLoginServer = pulumi.all([registry.loginServer, pulumi.all(dataPlaneReady.map((resource) => resource.urn))]).apply(([loginServer]) => loginServer);

  const jobIdentity = new JobIdentity("hr-upload", {
    ...placement,
    subscriptionId: azureClient.subscriptionId,
    registryId: registry.registryId,
    secretId: vault.secretId,
    dataContainerId: hrStorage.dataContainerId,
    stateContainerId: hrStorage.stateContainerId,
    keptContainerId: keptCopies.containerId,
  });

  // Federated: the app trusts the job's identity, for the exchange audience of the tenant's Entra cloud. Same tenant only:
  // the identity's token is issued by the subscription's tenant, which must be the app's (checked at deployment).
  const federatedCredential =
    config.credential.kind === "federated"
      ? connectorApp.trust("hr-upload-job", {
          issuer: pulumi.interpolate`${cloud.authorityHost}/${connectorApp.tenantId}/v2.0`,
          subject: pulumi.all([jobIdentity.principalId, azureClient.tenantId, connectorApp.tenantId]).apply(([principalId, subscriptionTenant, appTenant]) =>
            federatedSubject(principalId, { subscription: subscriptionTenant, app: appTenant }),
          ),
          audience: cloud.federationAudience,
        })
      : undefined;

  // The first execution must already be allowed to pull the image, read the secret (or sign in through its federated
  // credential) and the blobs, and Container Apps checks the secret reference when the job is created: jobs wait until
  // the grants are in effect. Created with the grants (the first pass), so the wait overlaps the managed environment's
  // creation and is not paid again. Switching credential: the new one and its wait come before the job changes, and
  // Pulumi deletes the old one (password, vault; or federated credential) only after the job no longer uses it.
  const grantsInEffect = new GrantPropagation("hr-upload-grants", { roleAssignments: [...jobIdentity.roleAssignments, ...(federatedCredential ? [federatedCredential] : [])] });

  /** The connectors whose job ID is known get their jobs, which share one image and one set of alerts. */
  function deployUploaderJobs(connectors: readonly ConnectorConfig[]): Upload[] {
    const uploads = connectors.map((connector) => ({ connector, csvUrl: hrStorage.csvUrl(connector.csvBlobName) }));
    const ready = uploads.flatMap(({ connector, csvUrl }) => (connector.connectorJobId === undefined ? [] : [{ connector, csvUrl, connectorJobId: connector.connectorJobId }]));
    if (ready.length === 0) return uploads;

    // Assembled and pushed only now: the image serves the jobs alone; the registry must be reachable (private endpoint) first.
    const image = config.image ?? new UploaderImage("hr-upload", { loginServer: reachableLoginServer, base: config.imageBase }, { parent: registry }).ref;
    const deployed = ready.map(({ connector, csvUrl, connectorJobId }) => ({
      connector,
      connectorJobId,
      job: new UploaderJob(
        connector.resourceName,
        {
          ...placement,
          environmentId: logs.environmentId,
          workloadProfileName: privateNetwork === undefined ? undefined : CONSUMPTION_WORKLOAD_PROFILE,
          jobName: connector.jobName,
          schedule: connector.schedule,
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
            csvUrl,
            checkpointUrl: hrStorage.stateContainerUrl,
            keptContainerUrl: keptCopies.containerUrl,
            secretExpiresOn: secretExpiresOnDate,
            recordsPerCall: config.recordsPerCall,
            scenario: connector.scenario,
            scenarioColumn: connector.scenarioColumn,
            scenarioValues: connector.scenarioValues,
            columns: connector.columns,
            dashboardUrl: dashboard.url,
          },
        },
        // The first execution must already be allowed, and able, to pull the image, read the secret and the blobs.
        { dependsOn: [...jobIdentity.roleAssignments, grantsInEffect, ...dataPlaneReady] },
      ),
    }));
    new JobMonitoring("hr-upload", {
      ...placement,
      jobs: deployed.map(({ connector, connectorJobId, job }) => ({ resourceName: connector.resourceName, jobName: connector.jobName, jobId: job.jobId, connectorJobId })),
      workspaceId: logs.workspaceId,
      alertEmail: config.alertEmail,
      watchSecretExpiry: config.credential.kind === "secret",
    });
    return uploads.map((upload) => ({ ...upload, job: deployed.find(({ connector }) => connector === upload.connector)?.job }));
  }

  const uploads = deployUploaderJobs(config.connectors);
  /** Keyed by connector name, for the `connectors` list. */
  const byConnectorName = (valueOf: (upload: Upload) => pulumi.Output<string> | undefined) =>
    config.connectorLayout === "single"
      ? undefined
      : pulumi.output(Object.fromEntries(uploads.map((upload) => [upload.connector.name, valueOf(upload)]).filter(([, value]) => value !== undefined)));
  const [singleUpload] = config.connectorLayout === "single" ? uploads : [];

  return {
    appClientId: connectorApp.clientId,
    tenantId: connectorApp.tenantId,
    csvUploadUrl: singleUpload?.csvUrl,
    jobName: singleUpload?.job?.jobName,
    csvUploadUrls: byConnectorName((upload) => upload.csvUrl),
    jobNames: byConnectorName((upload) => upload.job?.jobName),
    secretExpiresOn: secretExpiresOnDate,
    dashboardUrl: dashboard.url,
    nextSteps: pulumi
      .all([
        connectorApp.clientId,
        hrStorage.accountName,
        resourceGroup.name,
        registry.registryName,
        privateNetwork?.virtualNetworkName,
        pulumi.all(uploads.map(({ connector, csvUrl, job }) => pulumi.all([csvUrl, job?.jobName]).apply(([url, deployedJobName]) => ({ connector, csvUploadUrl: url, deployedJobName })))),
      ])
      .apply(([clientId, storageAccountName, resourceGroupName, registryName, virtualNetworkName, connectors]) =>
        renderNextSteps({
          cloud: config.cloud,
          appClientId: clientId,
          storageAccountName,
          resourceGroupName,
          secretExpiresOn: secretExpiresOnDate,
          connectors,
          imageRegistryName: config.image === undefined ? registryName : undefined,
          virtualNetworkName,
        }),
      ),
  };
}
export = hrConnector;
