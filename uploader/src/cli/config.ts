import { domainToASCII } from "node:url";
import type { TokenCredential } from "@azure/core-auth";
import { defaultStateDir, localStateStore } from "../state/localState";
import { defaultMachineLockDir, machineLocks } from "../lock/machineLock";
import type { StateStore } from "../state/stateStore";
import { isUrl, parseBlobUrl, type BlobLocation } from "../storage/blobUrl";
import type { AppCredential } from "../auth/tokenSource";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { Clock } from "../core/clock";
import { CLOUD_NAMES, CLOUD_PROFILES, signalsUrl, type CloudProfile } from "../core/clouds";
import { hasManagedIdentity, managedIdentityTokens } from "../auth/managedIdentity";
import { UsageError } from "../core/errors";
import { parseColumnMap } from "../csv/layout";
import { fileRulesFor, type FileRules } from "../csv/fileRules";
import { checkDate, checkDateTime, DATE_TIME_FORMAT, NOT_A_CALENDAR_DATE } from "../csv/values";
import type { LogFormat } from "../observe/log";
import { DEFAULT_MAX_DELAY_MS } from "../net/retry";
import type { Platform } from "../core/platform";
import { ProxyAgents, proxySettingsFrom, type ProxySettings } from "../net/proxy";
import type { ResetConfig } from "../run/reset";
import type { RunCancellation } from "../core/stop";
import type { BlobAccess } from "../storage/pipeline";
import type { CsvSource, UploadConfig } from "../run/uploadConfig";
import type { ByteSource } from "../source/byteSource";
import { openLocalFile } from "../source/localFile";
import type { ValidateConfig } from "../run/validate";
import type { Flags } from "./args";
import { envVarFor, type FlagName } from "./flags";

/*
 * Turns flag values into typed, validated settings; every bad value is a
 * one-line UsageError naming the flag as it was given (`--cloud` or `HR_CLOUD`).
 */

const LOG_FORMATS = ["text", "json"] as const satisfies readonly LogFormat[];
/** Set in a Container Apps job, whose output goes to Log Analytics. */
const CONTAINER_APPS_VARIABLES = ["CONTAINER_APP_JOB_NAME", "IDENTITY_ENDPOINT"] as const;

function missingFlag(flag: FlagName, command: string): never {
  throw new UsageError(`--${flag} is required (or set ${envVarFor(flag)}); see hr-upload ${command} --help`);
}

function requireFlag(flags: Flags, flag: FlagName, command: string): string {
  return flags.string(flag) ?? missingFlag(flag, command);
}

/** An enumerated value, matched in any case and without surrounding spaces. */
function choiceFlag<T extends string>(flags: Flags, flag: FlagName, choices: readonly T[]): T | undefined {
  const text = flags.string(flag);
  if (text === undefined) return undefined;
  const choice = choices.find((candidate) => candidate === text.trim().toLowerCase());
  if (choice === undefined) throw new UsageError(`${flags.label(flag)} must be ${choices.length === 2 ? choices.join(" or ") : `one of ${choices.join(", ")}`}`);
  return choice;
}

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

/** What reading the configuration needs from the edge: the environment, the machine, time, and the command's cancellation (for Storage calls). */
export interface ConfigEdge {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: Platform;
  readonly clock: Clock;
  readonly cancellation: RunCancellation;
}

/** How a command reaches Blob Storage: one identity, one proxy rule and one HTTP client for all its Storage clients. */
interface StorageReach {
  readonly tokens: () => Promise<TokenCredential>;
  readonly access: (location: BlobLocation) => Promise<BlobAccess>;
}

/**
 * The Storage identity is resolved once per run and only if a Blob URL without
 * SAS needs it. The Storage SDK is loaded only for Blob URLs: a local run
 * does not pay for it in start-up time or memory.
 */
function storageReach(edge: ConfigEdge, agents: ProxyAgents = new ProxyAgents(proxySettingsOf(edge.env))): StorageReach {
  let credential: Promise<TokenCredential> | undefined;
  let httpClient: Promise<HttpClient> | undefined;
  const tokens = () => (credential ??= import("../auth/storageCredential").then(({ storageCredential }) => storageCredential(edge.env, edge.platform, edge.clock, edge.cancellation.halt)));
  return {
    tokens,
    access: async (location) => {
      httpClient ??= import("../storage/httpClient").then(({ storageHttpClient }) => storageHttpClient({ agents, clock: edge.clock, cancellation: edge.cancellation }));
      const { blobAccessFor } = await import("../storage/pipeline");
      return blobAccessFor(location, tokens, await httpClient);
    },
  };
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
function csvSourceOf(text: string, storage: StorageReach, platform: Platform): CsvSource {
  if (!isUrl(text)) {
    const path = platform.path.resolve(text);
    return { name: path, legacyNames: [path], open: () => openLocalFile(text) };
  }
  const location = parseBlobUrl(text, "--csv", "blob");
  return {
    name: location.name,
    legacyNames: [location.name],
    open: async () => {
      const { openBlobFile } = await import("../source/blobSource");
      return openBlobFile(location, await storage.access(location));
    },
  };
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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function guidFlag(flags: Flags, flag: FlagName, command: string): string {
  const value = requireFlag(flags, flag, command).trim();
  if (!GUID.test(value)) throw new UsageError(`${flags.label(flag)} must be a GUID (8-4-4-4-12 hexadecimal digits)`);
  return value;
}

/** A DNS name of two labels or more whose top level is not numeric (so not an IP address). */
function isDomainName(text: string): boolean {
  const labels = text.split(".");
  return text.length <= 253 && labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && !/^\d+$/.test(labels.at(-1) as string);
}

/** Entra takes the tenant's ID or any of its verified domain names (contoso.onmicrosoft.us, agency.gov) in the authority URL. */
function tenantFlag(flags: Flags, command: string): string {
  const value = requireFlag(flags, "tenant-id", command).trim();
  if (!GUID.test(value) && !isDomainName(value)) {
    // A domain with non-ASCII letters works in its punycode form, which the sign-in URL needs; url.domainToASCII gives it.
    const ascii = [...value].some((character) => character.charCodeAt(0) > 0x7f) ? domainToASCII(value) : "";
    const hint = ascii !== "" && isDomainName(ascii) ? `; a domain with non-ASCII letters works in its punycode form: ${ascii}` : "";
    throw new UsageError(`${flags.label("tenant-id")} must be a GUID (8-4-4-4-12 hexadecimal digits) or a verified domain name of the tenant, such as contoso.onmicrosoft.us${hint}`);
  }
  return value;
}

export function numberFlag(flags: Flags, flag: FlagName, fallback: number, rule: { min: number; max: number; integer?: boolean }): number {
  const text = flags.string(flag);
  if (text === undefined) return fallback;
  // Decimal only: Number() would also read 0x10, 0b101 and 1e3, which a typo can produce and nobody means.
  const value = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value < rule.min || value > rule.max || (rule.integer && !Number.isInteger(value))) {
    throw new UsageError(`${flags.label(flag)} must be ${rule.integer ? "a whole number" : "a number"} from ${rule.min} to ${rule.max}`);
  }
  return value;
}

export function httpsFlag(flags: Flags, flag: FlagName): string | undefined {
  const text = flags.string(flag)?.trim();
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flags.label(flag)} must be an https URL`);
  }
  if (url.protocol !== "https:") throw new UsageError(`${flags.label(flag)} must be an https URL`);
  return text.replace(/\/+$/, "");
}

/** A calendar date, yyyy-mm-dd, or an ISO 8601 date-time; a day that does not exist (2026-02-30) is refused, not rolled over. */
function dateFlag(flags: Flags, flag: FlagName): Date | undefined {
  const text = flags.string(flag)?.trim();
  if (text === undefined) return undefined;
  const problem = text.includes("T") ? checkDateTime(text) : checkDate(text);
  if (problem === NOT_A_CALENDAR_DATE) throw new UsageError(`${flags.label(flag)}: ${text} is not a calendar date`);
  if (problem !== undefined) throw new UsageError(`${flags.label(flag)} must be a date (yyyy-mm-dd) or an ISO 8601 date-time (${DATE_TIME_FORMAT})`);
  return new Date(text);
}

/**
 * Where checkpoints and run records live: `--checkpoint` (a folder or a Blob
 * container URL) or `--checkpoint-dir` (a folder), never both from the same
 * source; by default the user's state directory.
 */
function stateLocationOf(flags: Flags, env: NodeJS.ProcessEnv, platform: Platform): string {
  const checkpoint = flags.string("checkpoint");
  const dir = flags.string("checkpoint-dir");
  if (checkpoint === undefined || dir === undefined) return checkpoint ?? dir ?? defaultStateDir(env, platform);
  if (flags.origin("checkpoint") === flags.origin("checkpoint-dir")) {
    throw new UsageError(`${flags.label("checkpoint")} and ${flags.label("checkpoint-dir")} both say where the state lives; give one of them`);
  }
  return flags.origin("checkpoint") === "command line" ? checkpoint : dir;
}

export async function stateStoreOf(flags: Flags, edge: ConfigEdge, storage: StorageReach = storageReach(edge)): Promise<StateStore> {
  const { env, platform } = edge;
  const location = stateLocationOf(flags, env, platform);
  if (!isUrl(location)) return localStateStore(platform.path.resolve(location), platform);
  const container = parseBlobUrl(location, "--checkpoint", "container");
  const { blobStateStore } = await import("../state/blobState");
  return blobStateStore(container, await storage.access(container));
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

/** How long a killed run's lock keeps the job blocked (a Blob lease lasts 15 to 60 seconds). */
export function lockLeaseMsOf(flags: Flags): number {
  return numberFlag(flags, "lock-lease", 30, { min: 15, max: 60, integer: true }) * 1000;
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
    lockLeaseMs: lockLeaseMsOf(flags),
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
    lockLeaseMs: lockLeaseMsOf(flags),
  };
}

/** `--shutdown-grace`: how long requests in flight may finish after a stop signal. */
export function shutdownGraceMsOf(flags: Flags): number {
  return numberFlag(flags, "shutdown-grace", 20, { min: 0, max: 3600 }) * 1000;
}
