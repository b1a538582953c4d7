import * as app from "@pulumi/azure-native/app";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import { envVarFor, type FlagName } from "../uploader/src/cli/flags";
import type { CloudName } from "../uploader/src/core/clouds";

/** Name of the client secret, in Key Vault and in the job's secret that references it. */
export const APP_SECRET_NAME = "hr-app-secret";
/** Standard variable Azure SDKs (and the uploader) read to pick a user-assigned identity. */
const AZURE_CLIENT_ID = "AZURE_CLIENT_ID";

/** What the uploader is told through its HR_* environment (the contract with uploader/src/cli). */
export interface UploaderSettings {
  readonly cloud: CloudName;
  readonly tenantId: pulumi.Input<string>;
  readonly appId: pulumi.Input<string>;
  readonly connectorJobId: string;
  readonly csvUrl: pulumi.Input<string>;
  readonly checkpointUrl: pulumi.Input<string>;
  /** https URL of the container for kept copies (in an account of its own): HR_KEPT_CONTAINER. */
  readonly keptContainerUrl: pulumi.Input<string>;
  /** With a client secret: when it stops working (the uploader warns 30 days ahead). Absent: the job signs in with its identity. */
  readonly secretExpiresOn?: string;
  readonly recordsPerCall?: string;
  readonly scenario?: string;
  readonly scenarioColumn?: string;
  readonly scenarioValues?: string;
  readonly columns?: string;
  /** The stack's dashboard, which `hr-upload status` prints. */
  readonly dashboardUrl: pulumi.Input<string>;
}

export interface UploaderJobArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly environmentId: pulumi.Input<string>;
  /** In a workload-profiles environment (the private network's): the profile the job runs on. */
  readonly workloadProfileName?: string;
  /** Container Apps job name, set explicitly (autonaming would append a suffix). */
  readonly jobName: string;
  /** UTC cron. */
  readonly schedule: string;
  readonly image: pulumi.Input<string>;
  readonly registryServer: pulumi.Input<string>;
  /** User-assigned identity resource ID, used for the registry and Key Vault. */
  readonly identityId: pulumi.Input<string>;
  readonly identityClientId: pulumi.Input<string>;
  /** Versioned Key Vault URL of the client secret; must not be a Pulumi secret. Absent with a federated credential. */
  readonly appSecretUrl?: pulumi.Input<string>;
  readonly uploader: UploaderSettings;
}

// A large CSV is streamed in chunks with retries and Retry-After back-off (up to 400 s per
// request); 4 hours covers hundreds of thousands of records on a throttled day. The uploader
// resumes from its checkpoint, so a timed-out run loses no work.
const REPLICA_TIMEOUT_SECONDS = 4 * 60 * 60;
// One retry covers a lost node or a transient start failure; the uploader retries requests itself.
const REPLICA_RETRY_LIMIT = 1;
// A stopped replica (timeout, scale-in, node drain) gets SIGTERM and Container Apps' 30 s termination grace
// before SIGKILL; the uploader checkpoints and exits within its --shutdown-grace (20 s) of SIGTERM. Jobs
// have no setting that shortens that grace, and the job sets nothing else that would.

/** The daily scheduled Container Apps job running `hr-upload upload`. */
export class UploaderJob extends pulumi.ComponentResource {
  readonly jobId: pulumi.Output<string>;
  readonly jobName: pulumi.Output<string>;

  constructor(name: string, args: UploaderJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:job:UploaderJob", name, {}, opts);

    const job = new app.Job(
      name,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        environmentId: args.environmentId,
        workloadProfileName: args.workloadProfileName,
        jobName: args.jobName,
        identity: { type: app.ManagedServiceIdentityType.UserAssigned, userAssignedIdentities: [args.identityId] },
        configuration: {
          triggerType: app.TriggerType.Schedule,
          scheduleTriggerConfig: { cronExpression: args.schedule, parallelism: 1, replicaCompletionCount: 1 },
          replicaTimeout: REPLICA_TIMEOUT_SECONDS,
          replicaRetryLimit: REPLICA_RETRY_LIMIT,
          registries: [{ server: args.registryServer, identity: args.identityId }],
          secrets: args.appSecretUrl === undefined ? [] : [{ name: APP_SECRET_NAME, keyVaultUrl: args.appSecretUrl, identity: args.identityId }],
        },
        template: {
          containers: [
            {
              name: "hr-upload",
              image: args.image,
              resources: { cpu: 0.5, memory: "1Gi" },
              env: uploaderEnvironment(args.uploader, args.identityClientId, args.appSecretUrl !== undefined),
            },
          ],
        },
      },
      // Children do not inherit a component's dependsOn: pass it on, or the job may start before its grants exist.
      { parent: this, dependsOn: opts?.dependsOn },
    );

    this.jobId = job.id;
    this.jobName = job.name;
    this.registerOutputs({ jobId: this.jobId, jobName: this.jobName });
  }
}

/** The container's environment: plain values, plus the client secret by reference only (or, federated, no secret at all). */
function uploaderEnvironment(settings: UploaderSettings, identityClientId: pulumi.Input<string>, withSecret: boolean): inputs.app.EnvironmentVarArgs[] {
  const variable = (flag: FlagName, value: pulumi.Input<string>) => ({ name: envVarFor(flag), value });
  const optionalVariable = (flag: FlagName, value: string | undefined) => (value === undefined ? [] : [variable(flag, value)]);
  return [
    variable("cloud", settings.cloud),
    variable("tenant-id", settings.tenantId),
    variable("app-id", settings.appId),
    variable("job-id", settings.connectorJobId),
    variable("csv", settings.csvUrl),
    variable("checkpoint", settings.checkpointUrl),
    variable("kept-container", settings.keptContainerUrl),
    variable("log-format", "json"),
    variable("dashboard-url", settings.dashboardUrl),
    ...optionalVariable("secret-expires-on", settings.secretExpiresOn),
    { name: AZURE_CLIENT_ID, value: identityClientId },
    ...optionalVariable("records-per-call", settings.recordsPerCall),
    ...optionalVariable("scenario", settings.scenario),
    ...optionalVariable("scenario-column", settings.scenarioColumn),
    ...optionalVariable("scenario-values", settings.scenarioValues),
    ...optionalVariable("columns", settings.columns),
    ...(withSecret ? [{ name: envVarFor("app-secret"), secretRef: APP_SECRET_NAME }] : [variable("credential", "federated")]),
  ];
}
