import { envVarFor } from "../../uploader/src/cli/flags";
import type { IdentityStandIn } from "../identityStandin";
import { STANDIN_DEFAULTS } from "../standin";

export interface LocalJobParts {
  /** The token + ingestion stand-in's base URL. */
  readonly standInUrl: string;
  /** Trusted by the bundle: the loopback certificate Azurite and the stand-in share. */
  readonly caFile: string;
  readonly identity: IdentityStandIn;
  /** Azurite's account URL; the CSV is hr-data/employees.csv, the state hr-state. */
  readonly blobEndpoint: string;
  readonly recordsPerCall: number;
  /** Sign in as the app with the identity (workload identity federation) instead of its client secret. */
  readonly federated?: boolean;
}

/**
 * The environment infra/uploaderJob.ts gives the scheduled job, with the
 * Microsoft endpoints pointed at the local stand-ins: the bundle runs exactly
 * as in Container Apps, configured by variables only.
 */
export function localJobEnvironment(parts: LocalJobParts): NodeJS.ProcessEnv {
  return {
    ...parts.identity.environment(),
    NODE_EXTRA_CA_CERTS: parts.caFile,
    [envVarFor("cloud")]: "gcch",
    [envVarFor("tenant-id")]: STANDIN_DEFAULTS.tenantId,
    [envVarFor("app-id")]: STANDIN_DEFAULTS.clientId,
    [envVarFor("job-id")]: STANDIN_DEFAULTS.jobId,
    ...(parts.federated ? { [envVarFor("credential")]: "federated" } : { [envVarFor("app-secret")]: STANDIN_DEFAULTS.clientSecret }),
    [envVarFor("csv")]: `${parts.blobEndpoint}/hr-data/employees.csv`,
    [envVarFor("checkpoint")]: `${parts.blobEndpoint}/hr-state`,
    [envVarFor("records-per-call")]: String(parts.recordsPerCall),
    [envVarFor("authority-host")]: parts.standInUrl,
    [envVarFor("ingestion-url")]: parts.standInUrl,
  };
}
