import { hasManagedIdentity, managedIdentityTokens } from "../auth/managedIdentity";
import type { AppCredential } from "../auth/tokenSource";
import { CLOUD_NAMES, CLOUD_PROFILES, signalsUrl, type CloudProfile } from "../core/clouds";
import { UsageError } from "../core/errors";
import { fileRulesFor, type FileRules } from "../csv/fileRules";
import { parseColumnMap } from "../csv/layout";
import { defaultMachineLockDir, machineLocks } from "../lock/machineLock";
import { MAX_LEASE_SECONDS, MIN_LEASE_SECONDS } from "../lock/runLock";
import { DEFAULT_MAX_DELAY_MS } from "../net/retry";
import { ProxyAgents } from "../net/proxy";
import type { LogFormat } from "../observe/log";
import type { ResetConfig } from "../run/reset";
import type { UploadConfig } from "../run/uploadConfig";
import type { ValidateConfig } from "../run/validate";
import type { ByteSource } from "../source/byteSource";
import type { Flags } from "./args";
import { envVarFor } from "./flags";
import { choiceFlag, dateFlag, guidFlag, httpsFlag, missingFlag, numberFlag, requireFlag, tenantFlag } from "./flagValues";
import { csvSourceOf, proxySettingsOf, stateInBlob, stateStoreOf, storageReach, type ConfigEdge } from "./storeWiring";

/*
 * Turns flag values into each command's typed, validated config (flagValues.ts reads each value, storeWiring.ts
 * says where the CSV and the state are); every bad value is a one-line UsageError naming the flag as it was given.
 */

const LOG_FORMATS = ["text", "json"] as const satisfies readonly LogFormat[];
/** Set in a Container Apps job, whose output goes to Log Analytics. */
const CONTAINER_APPS_VARIABLES = ["CONTAINER_APP_JOB_NAME", "IDENTITY_ENDPOINT"] as const;

export function logFormatOf(flags: Flags): LogFormat {
  return choiceFlag(flags, "log-format", LOG_FORMATS) ?? "text";
}

/**
 * `--show-values` puts cell values (PII) in the output: refused where the
 * output goes to Log Analytics, in json or from a Container Apps job.
 */
function showValuesOf(flags: Flags, env: NodeJS.ProcessEnv): boolean {
  if (!flags.isOn("show-values")) return false;
  const containerApps = CONTAINER_APPS_VARIABLES.find((name) => (env[name] ?? "").trim() !== "");
  const refusedWhere =
    logFormatOf(flags) === "json" ? `with ${flags.label("log-format")} json` : containerApps === undefined ? undefined : `in Container Apps (${containerApps} is set)`;
  if (refusedWhere !== undefined) {
    throw new UsageError(
      `${flags.label("show-values")} is refused ${refusedWhere}: that output goes to Log Analytics and cell values are PII; use it on your own machine, with text output`,
    );
  }
  return true;
}

function fileRulesOf(flags: Flags): FileRules {
  return fileRulesFor({
    scenarios: flags.string("scenario"),
    scenarioColumn: flags.string("scenario-column"),
    scenarioValues: flags.string("scenario-values"),
  });
}

export async function validateConfigFrom(flags: Flags, edge: ConfigEdge): Promise<ValidateConfig> {
  const { env, platform } = edge;
  const rules = fileRulesOf(flags);
  const columns = parseColumnMap(flags.string("columns"), rules);
  const showValues = showValuesOf(flags, env);
  // Opened last: nothing after it may fail and leave the file open.
  const source: ByteSource = await csvSourceOf(requireFlag(flags, "csv", "validate"), storageReach(edge), platform).open();
  return { source, rules, columns, showValues };
}

/**
 * `--credential`: the app's client secret (the command line's --app-secret, else
 * HR_APP_SECRET), or federated: the job's managed identity signs in as the app,
 * with no secret anywhere, which only works where that identity is (Container Apps).
 */
function appCredentialOf(flags: Flags, edge: ConfigEdge, profile: CloudProfile, dryRun: boolean, warn: (message: string) => void): AppCredential {
  const { env } = edge;
  const kind = choiceFlag(flags, "credential", CREDENTIAL_KINDS) ?? "secret";
  const secret = flags.string("app-secret");
  if (kind === "federated") {
    if (secret !== undefined) throw new UsageError(`${flags.label("credential")} federated signs in without a secret: remove ${flags.label("app-secret")}`);
    if (!hasManagedIdentity(env)) {
      throw new UsageError(`${flags.label("credential")} federated runs only in the Container Apps job: it signs in with the job's managed identity (IDENTITY_ENDPOINT), which this machine has not; use the app's client secret here`);
    }
    const audience = flags.string("federated-audience")?.trim() ?? profile.federationAudience;
    const identityTokens = managedIdentityTokens(env.AZURE_CLIENT_ID, edge.clock, edge.cancellation.halt);
    return { kind: "federated", audience, assertion: async () => (await identityTokens(audience)).token };
  }
  if (!dryRun && secret === undefined) {
    throw new UsageError(`the client secret is required: set ${envVarFor("app-secret")} (preferred) or pass --app-secret`);
  }
  if (flags.origin("app-secret") === "command line") {
    warn(`--app-secret is visible in process lists; prefer the ${envVarFor("app-secret")} environment variable`);
  }
  return { kind: "secret", secret: secret ?? "" };
}

/** A token request is small: one that has not answered in 30 s will not (an upload's 400 s is for its body). */
export const TOKEN_REQUEST_TIMEOUT_MS = 30_000;
/** Sign-in as a whole, retries included, unless `--sign-in-timeout` says otherwise. */
export const SIGN_IN_TIMEOUT_MS = 120_000;

const CREDENTIAL_KINDS = ["secret", "federated"] as const satisfies readonly AppCredential["kind"][];

/** A lock file's lease is ours, and may be as short as this; a Blob lease has Azure's bounds (lock/runLock.ts). */
const MIN_LOCAL_LEASE_SECONDS = 2;

/** How long a killed run's lock keeps the job blocked: 2 to 60 s for a state folder, 15 to 60 s for a Blob container. */
export function lockLeaseMsOf(flags: Flags, edge: ConfigEdge): number {
  const seconds = numberFlag(flags, "lock-lease", 30, { min: MIN_LOCAL_LEASE_SECONDS, max: MAX_LEASE_SECONDS, integer: true });
  if (seconds < MIN_LEASE_SECONDS && stateInBlob(flags, edge)) {
    throw new UsageError(`${flags.label("lock-lease")} must be at least ${MIN_LEASE_SECONDS} with the state in Blob Storage (an Azure lease lasts ${MIN_LEASE_SECONDS} to ${MAX_LEASE_SECONDS} seconds), not ${seconds}`);
  }
  return seconds * 1000;
}

export async function uploadConfigFrom(flags: Flags, edge: ConfigEdge, warn: (message: string) => void): Promise<UploadConfig> {
  const { env, platform } = edge;
  const command = "upload";
  const cloudName = choiceFlag(flags, "cloud", CLOUD_NAMES) ?? missingFlag("cloud", command);
  const profile = CLOUD_PROFILES[cloudName];
  const tenantId = tenantFlag(flags, command);
  const clientId = guidFlag(flags, "app-id", command);
  const jobId = guidFlag(flags, "job-id", command);
  const dryRun = flags.isOn("dry-run");
  const credential = appCredentialOf(flags, edge, profile, dryRun, warn);
  const authorityOverride = httpsFlag(flags, "authority-host");
  const retry = {
    maxRetries: numberFlag(flags, "max-retries", 8, { min: 0, max: 100, integer: true }),
    baseDelayMs: numberFlag(flags, "retry-delay", 5, { min: 0, max: 3600 }) * 1000,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
  };
  const timeoutMs = numberFlag(flags, "request-timeout", 400, { min: 0.1, max: 3600 }) * 1000;
  const signInTimeoutMs = numberFlag(flags, "sign-in-timeout", SIGN_IN_TIMEOUT_MS / 1000, { min: 1, max: 3600 }) * 1000;
  const rules = fileRulesOf(flags);
  const showValues = showValuesOf(flags, env);
  const proxyAgents = new ProxyAgents(proxySettingsOf(env));
  const storage = storageReach(edge, proxyAgents);
  return {
    csv: csvSourceOf(requireFlag(flags, "csv", command), storage, platform),
    proxyAgents,
    rules,
    columns: parseColumnMap(flags.string("columns"), rules),
    showValues,
    cloud: cloudName,
    jobId,
    credentials: {
      authorityHost: authorityOverride ?? profile.authorityHost,
      customAuthority: authorityOverride !== undefined,
      tenantId,
      clientId,
      credential,
      resource: flags.string("token-resource")?.trim() ?? profile.tokenResource,
      timeoutMs: Math.min(timeoutMs, TOKEN_REQUEST_TIMEOUT_MS, signInTimeoutMs),
      signInTimeoutMs,
      retry,
    },
    delivery: { url: signalsUrl(httpsFlag(flags, "ingestion-url") ?? profile.ingestionBaseUrl, jobId), timeoutMs, retry },
    recordsPerCall: numberFlag(flags, "records-per-call", 5000, { min: 1, max: 1_000_000, integer: true }),
    concurrency: numberFlag(flags, "concurrency", 1, { min: 1, max: 16, integer: true }),
    skipInvalid: flags.isOn("skip-invalid"),
    state: await stateStoreOf(flags, edge, storage),
    machineLocks: machineLocks(platform.path.resolve(flags.string("lock-dir") ?? defaultMachineLockDir(env, platform)), platform),
    force: flags.isOn("force"),
    resendAfterDays: numberFlag(flags, "resend-after-days", 14, { min: 0, max: 3650 }),
    dryRun,
    secretExpiresOn: dateFlag(flags, "secret-expires-on"),
    lockLeaseMs: lockLeaseMsOf(flags, edge),
    keepRunsDays: numberFlag(flags, "keep-runs-days", 400, { min: 1, max: 36_500, integer: true }),
  };
}

export async function resetConfigFrom(flags: Flags, edge: ConfigEdge): Promise<ResetConfig> {
  const csv = flags.string("csv");
  const storage = storageReach(edge);
  return {
    jobId: guidFlag(flags, "job-id", "reset"),
    state: await stateStoreOf(flags, edge, storage),
    csvNames: csv === undefined ? [] : csvSourceOf(csv, storage, edge.platform).legacyNames,
    lockLeaseMs: lockLeaseMsOf(flags, edge),
  };
}

/** `--shutdown-grace`: how long requests in flight may finish after a stop signal. */
export function shutdownGraceMsOf(flags: Flags): number {
  return numberFlag(flags, "shutdown-grace", 20, { min: 0, max: 3600 }) * 1000;
}
