import { systemClock } from "../clock";
import type { TokenCredential } from "@azure/core-auth";
import { defaultStateDir, localStateStore } from "../state/localState";
import type { StateStore } from "../state/stateStore";
import { isUrl, parseBlobUrl } from "../storage/blobUrl";
import type { AppCredential } from "../auth";
import { CLOUD_NAMES, CLOUD_PROFILES, isCloudName, signalsUrl, type CloudProfile } from "../clouds";
import { hasManagedIdentity, managedIdentityTokens } from "../managedIdentity";
import { UsageError } from "../errors";
import { parseColumnMap } from "../csv/layout";
import { fileRulesFor, type FileRules } from "../csv/fileRules";
import type { LogFormat } from "../log";
import { DEFAULT_MAX_DELAY_MS } from "../retry";
import type { Platform } from "../platform";
import { ProxyAgents, proxySettingsFrom, type ProxySettings } from "../proxy";
import type { CsvSource, UploadConfig } from "../run/upload";
import type { ByteSource } from "../source/byteSource";
import { openLocalFile } from "../source/localFile";
import type { ResetConfig } from "../reset";
import type { ValidateConfig } from "../validate";
import type { FlagValues } from "./args";
import { envVarFor, type FlagName } from "./flags";

/** Turns raw flag values into typed, validated settings; every bad value is a one-line UsageError. */
export function stringFlag(values: FlagValues, flag: FlagName): string | undefined {
  const value = values[flag];
  return typeof value === "string" ? value : undefined;
}

function requireFlag(values: FlagValues, flag: FlagName, command: string): string {
  const value = stringFlag(values, flag);
  if (value === undefined || value.trim() === "") {
    throw new UsageError(`--${flag} is required (or set ${envVarFor(flag)}); see hr-upload ${command} --help`);
  }
  return value;
}

export function logFormatOf(value: string | undefined): LogFormat {
  if (value === undefined || value === "text" || value === "json") return value ?? "text";
  throw new UsageError("--log-format must be text or json");
}

function fileRulesOf(values: FlagValues): FileRules {
  return fileRulesFor({
    scenarios: stringFlag(values, "scenario"),
    scenarioColumn: stringFlag(values, "scenario-column"),
    scenarioValues: stringFlag(values, "scenario-values"),
  });
}

/**
 * The Storage identity, resolved once per run and only if a Blob URL without
 * SAS needs it. The Storage SDK is loaded only for Blob URLs: a local run
 * does not pay for it in start-up time or memory.
 */
function storageTokens(env: NodeJS.ProcessEnv, platform: Platform): () => Promise<TokenCredential> {
  let credential: Promise<TokenCredential> | undefined;
  return () => (credential ??= import("../storage/credential").then(({ storageCredential }) => storageCredential(env, platform, systemClock)));
}

async function blobAccess(location: ReturnType<typeof parseBlobUrl>, tokens: () => Promise<TokenCredential>, env: NodeJS.ProcessEnv) {
  const { blobAccessFor } = await import("../storage/pipeline");
  return blobAccessFor(location, tokens, proxySettingsOf(env));
}

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY, read once by the one rule every request follows. */
export function proxySettingsOf(env: NodeJS.ProcessEnv): ProxySettings {
  try {
    return proxySettingsFrom(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--csv`: a local path, or an https Blob URL (SAS, managed identity or Azure CLI login); opened when the run gets to it. */
function csvSourceOf(text: string, tokens: () => Promise<TokenCredential>, env: NodeJS.ProcessEnv, platform: Platform): CsvSource {
  if (!isUrl(text)) {
    const path = platform.path.resolve(text);
    return { name: path, legacyNames: [path], open: () => openLocalFile(text) };
  }
  const location = parseBlobUrl(text, "--csv");
  return {
    name: location.name,
    legacyNames: [location.name],
    open: async () => {
      const { openBlobFile } = await import("../storage/blobSource");
      return openBlobFile(location, await blobAccess(location, tokens, env));
    },
  };
}

function openCsv(text: string, tokens: () => Promise<TokenCredential>, env: NodeJS.ProcessEnv, platform: Platform): Promise<ByteSource> {
  return csvSourceOf(text, tokens, env, platform).open();
}

export async function validateConfigFrom(values: FlagValues, env: NodeJS.ProcessEnv, platform: Platform): Promise<ValidateConfig> {
  const rules = fileRulesOf(values);
  const columns = parseColumnMap(stringFlag(values, "columns"), rules);
  // Opened last: nothing after it may fail and leave the file open.
  return { rules, columns, showValues: values["show-values"] === true, source: await openCsv(requireFlag(values, "csv", "validate"), storageTokens(env, platform), env, platform) };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function guidFlag(values: FlagValues, flag: FlagName, command: string): string {
  const value = requireFlag(values, flag, command).trim();
  if (!GUID.test(value)) throw new UsageError(`--${flag} must be a GUID (8-4-4-4-12 hexadecimal digits)`);
  return value;
}

export function numberFlag(values: FlagValues, flag: FlagName, fallback: number, rule: { min: number; max: number; integer?: boolean }): number {
  const text = stringFlag(values, flag);
  if (text === undefined || text.trim() === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < rule.min || value > rule.max || (rule.integer && !Number.isInteger(value))) {
    throw new UsageError(`--${flag} must be ${rule.integer ? "a whole number" : "a number"} from ${rule.min} to ${rule.max}`);
  }
  return value;
}

function httpsFlag(values: FlagValues, flag: FlagName): string | undefined {
  const text = stringFlag(values, flag);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${flag} must be an https URL`);
  }
  if (url.protocol !== "https:") throw new UsageError(`--${flag} must be an https URL`);
  return text.replace(/\/+$/, "");
}

function dateFlag(values: FlagValues, flag: FlagName): Date | undefined {
  const text = stringFlag(values, flag);
  if (text === undefined || text.trim() === "") return undefined;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) throw new UsageError(`--${flag} must be a date (yyyy-mm-dd)`);
  return date;
}

/** `--checkpoint` (a folder or a Blob container URL) or `--checkpoint-dir`; by default the user's state directory. */
export async function stateStoreOf(values: FlagValues, env: NodeJS.ProcessEnv, platform: Platform, tokens: () => Promise<TokenCredential> = storageTokens(env, platform)): Promise<StateStore> {
  const location = stringFlag(values, "checkpoint") ?? stringFlag(values, "checkpoint-dir") ?? defaultStateDir(env, platform);
  if (!isUrl(location)) return localStateStore(platform.path.resolve(location), platform);
  const container = parseBlobUrl(location, "--checkpoint");
  const { blobStateStore } = await import("../state/blobState");
  return blobStateStore(container, await blobAccess(container, tokens, env));
}

/**
 * `--credential`: the app's client secret (HR_APP_SECRET, or --app-secret), or
 * federated: the job's managed identity signs in as the app, with no secret
 * anywhere, which only works where that identity is (Container Apps).
 */
function appCredentialOf(values: FlagValues, env: NodeJS.ProcessEnv, profile: CloudProfile, dryRun: boolean, warn: (message: string) => void): AppCredential {
  const kind = (stringFlag(values, "credential") ?? "secret").trim().toLowerCase();
  const secret = stringFlag(values, "app-secret"); // the command line, else HR_APP_SECRET (readFlags)
  if (kind === "federated") {
    if (secret) throw new UsageError(`--credential federated signs in without a secret: remove ${envVarFor("app-secret")} and --app-secret`);
    if (!hasManagedIdentity(env)) {
      throw new UsageError("--credential federated runs only in the Container Apps job: it signs in with the job's managed identity (IDENTITY_ENDPOINT), which this machine has not; use the app's client secret here");
    }
    const audience = stringFlag(values, "federated-audience")?.trim() || profile.federationAudience;
    const identityTokens = managedIdentityTokens(env.AZURE_CLIENT_ID, systemClock);
    return { kind: "federated", audience, assertion: async () => (await identityTokens(audience)).token };
  }
  if (kind !== "secret") throw new UsageError("--credential must be secret or federated");
  if (!dryRun && !secret) throw new UsageError(`the client secret is required: set ${envVarFor("app-secret")} (preferred) or pass --app-secret`);
  if (stringFlag(values, "app-secret") !== undefined && !env[envVarFor("app-secret")]) {
    warn(`--app-secret is visible in process lists; prefer the ${envVarFor("app-secret")} environment variable`);
  }
  return { kind: "secret", secret: secret ?? "" };
}

/** How long a killed run's lock keeps the job blocked (a Blob lease lasts 15 to 60 seconds). */
export function lockLeaseMsOf(values: FlagValues): number {
  return numberFlag(values, "lock-lease", 30, { min: 15, max: 60, integer: true }) * 1000;
}

export async function uploadConfigFrom(values: FlagValues, env: NodeJS.ProcessEnv, platform: Platform, warn: (message: string) => void): Promise<UploadConfig> {
  const command = "upload";
  const cloudName = requireFlag(values, "cloud", command);
  if (!isCloudName(cloudName)) throw new UsageError(`--cloud must be one of ${CLOUD_NAMES.join(", ")}`);
  const profile = CLOUD_PROFILES[cloudName];
  const tenantId = guidFlag(values, "tenant-id", command);
  const clientId = guidFlag(values, "app-id", command);
  const jobId = guidFlag(values, "job-id", command);
  const dryRun = values["dry-run"] === true;
  const credential = appCredentialOf(values, env, profile, dryRun, warn);
  const authorityOverride = httpsFlag(values, "authority-host");
  const retry = {
    maxRetries: numberFlag(values, "max-retries", 8, { min: 0, max: 100, integer: true }),
    baseDelayMs: numberFlag(values, "retry-delay", 5, { min: 0, max: 3600 }) * 1000,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
  };
  const timeoutMs = numberFlag(values, "request-timeout", 400, { min: 0.1, max: 3600 }) * 1000;
  const rules = fileRulesOf(values);
  const tokens = storageTokens(env, platform);
  return {
    csv: csvSourceOf(requireFlag(values, "csv", command), tokens, env, platform),
    proxyAgents: new ProxyAgents(proxySettingsOf(env)),
    rules,
    columns: parseColumnMap(stringFlag(values, "columns"), rules),
    showValues: values["show-values"] === true,
    cloud: cloudName,
    jobId,
    credentials: {
      authorityHost: authorityOverride ?? profile.authorityHost,
      customAuthority: authorityOverride !== undefined,
      tenantId,
      clientId,
      credential,
      resource: stringFlag(values, "token-resource") ?? profile.tokenResource,
      timeoutMs,
      retry,
    },
    delivery: { url: signalsUrl(httpsFlag(values, "ingestion-url") ?? profile.ingestionBaseUrl, jobId), timeoutMs, retry },
    recordsPerCall: numberFlag(values, "records-per-call", 5000, { min: 1, max: 1_000_000, integer: true }),
    concurrency: numberFlag(values, "concurrency", 1, { min: 1, max: 16, integer: true }),
    skipInvalid: values["skip-invalid"] === true,
    state: await stateStoreOf(values, env, platform, tokens),
    force: values.force === true,
    resendAfterDays: numberFlag(values, "resend-after-days", 14, { min: 0, max: 3650 }),
    dryRun,
    secretExpiresOn: dateFlag(values, "secret-expires-on"),
    lockLeaseMs: lockLeaseMsOf(values),
    keepRunsDays: numberFlag(values, "keep-runs-days", 400, { min: 1, max: 36_500, integer: true }),
  };
}

export async function resetConfigFrom(values: FlagValues, env: NodeJS.ProcessEnv, platform: Platform): Promise<ResetConfig> {
  const csv = stringFlag(values, "csv");
  return {
    jobId: guidFlag(values, "job-id", "reset"),
    state: await stateStoreOf(values, env, platform),
    csvNames: csv === undefined ? [] : csvSourceOf(csv, storageTokens(env, platform), env, platform).legacyNames,
    lockLeaseMs: lockLeaseMsOf(values),
  };
}

/** `--shutdown-grace`: how long requests in flight may finish after a stop signal. */
export function shutdownGraceMsOf(values: FlagValues): number {
  return numberFlag(values, "shutdown-grace", 20, { min: 0, max: 3600 }) * 1000;
}
