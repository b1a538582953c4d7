/**
 * The stack's configuration, read and validated once. Defaults live here, not
 * only in Pulumi.yaml: the CLI applies Pulumi.yaml defaults, the mocks used by
 * tests and `npm run plan` do not.
 */
import { addressSpaceProblem } from "./addressSpace";
import { AZURE_ENVIRONMENT_NAMES, AZURE_ENVIRONMENTS, azureEnvironmentNamed, type AzureEnvironmentName } from "./azureEnvironments";
import { CLOUD_NAMES, CLOUD_PROFILES, isCloudName, type CloudName } from "../uploader/src/core/clouds";
import { parseColumnMap } from "../uploader/src/csv/layout";
import { fileRulesFor } from "../uploader/src/csv/fileRules";
import { SCENARIOS, SCENARIO_IDS, isScenarioId, type ScenarioId } from "../uploader/src/csv/scenarios";
import { DEFAULT_IMAGE_BASE, imageBaseProblem } from "../scripts/lib/imageBase";

/** One Purview HR connector: its own CSV blob, job, schedule and wizard entries. */
export interface ConnectorConfig {
  /** `connectors[].name`; absent for the single-connector keys. */
  readonly name?: string;
  /** Pulumi name of its job and per-job alerts: "hr-upload" for the single-connector keys, so existing stacks keep them. */
  readonly resourceName: string;
  /** Container Apps job name. */
  readonly jobName: string;
  /** Job ID the Purview wizard shows; the job exists only once it is known. */
  readonly connectorJobId?: string;
  /** What `pulumi config set` takes to set connectorJobId (`--path 'connectors[0].connectorJobId'` in a list). */
  readonly connectorJobIdKey: string;
  /** UTC cron expression of the daily run. */
  readonly schedule: string;
  /** Blob in hr-data the HR system writes and the job reads. */
  readonly csvBlobName: string;
  /** Scenarios of the file; several mean a scenario column. */
  readonly scenarios: readonly ScenarioId[];
  /** Passed to the uploader when set (it has its own defaults): HR_SCENARIO, HR_SCENARIO_COLUMN, HR_SCENARIO_VALUES, HR_COLUMNS. */
  readonly scenario?: string;
  readonly scenarioColumn?: string;
  readonly scenarioValues?: string;
  readonly columns?: string;
  /** Header names to type on the wizard's File mapping page, per scenario in its field order. */
  readonly wizardColumns: readonly ScenarioColumns[];
  /** Multi-scenario files: the scenario column and each scenario's value, as the uploader will read them. */
  readonly wizardScenarioColumn?: { readonly header: string; readonly values: readonly { readonly scenario: ScenarioId; readonly value: string }[] };
}

export interface ScenarioColumns {
  readonly scenario: ScenarioId;
  readonly columns: readonly string[];
}

/** "private": a virtual network, private endpoints, no public network access to Key Vault, Storage and the registry. */
export const NETWORK_MODES = ["public", "private"] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export interface StackConfig {
  /** Purview cloud of the tenant; picks the uploader's endpoints. */
  readonly cloud: CloudName;
  /** `azure-native:environment`: the Azure cloud of the subscription; picks DNS suffixes and private DNS zones. */
  readonly azureEnvironment: AzureEnvironmentName;
  /** `azuread:environment`: the Entra cloud the connector app is registered in. */
  readonly entraEnvironment: string;
  /** Azure region of every resource (`azure-native:location`). */
  readonly location: string;
  readonly network: NetworkMode;
  /** IPv4 range of the virtual network when `network` is private. */
  readonly vnetAddressSpace: string;
  /** Days logs stay queryable in the Log Analytics workspace. */
  readonly logRetentionDays: number;
  /** Days logs are kept in all, queryable and then archived (OMB M-21-31: 12 months active plus 18 months cold). */
  readonly logArchiveDays: number;
  /** Days an overwritten or deleted version of a file in hr-data stays recoverable. */
  readonly dataVersionDays: number;
  /** How the connector app proves itself to Entra: a rotating client secret, or the job's identity (workload identity federation). */
  readonly credential: CredentialConfig;
  readonly alertEmail?: string;
  /** Prebuilt uploader image; when absent the stack assembles and pushes the image itself. */
  readonly image?: string;
  /** Base of the assembled image, pinned by digest (`imageBase`; default Microsoft's distroless Node.js 24 LTS, non-root). */
  readonly imageBase: string;
  /** Passed to the uploader when set (it has its own defaults). */
  readonly recordsPerCall?: string;
  /** "single": the single-connector keys; "list": the `connectors` key. */
  readonly connectorLayout: "single" | "list";
  /** One for the single-connector keys, else one per `connectors` entry. */
  readonly connectors: readonly ConnectorConfig[];
}

export const CREDENTIAL_KINDS = ["secret", "federated"] as const;

export type CredentialConfig =
  | {
      readonly kind: "secret";
      /** yyyy-mm-dd; changing it rotates the client secret. */
      readonly rotation: string;
      readonly lifetimeDays: number;
      /** yyyy-mm-dd, rotation + lifetimeDays. */
      readonly expiresOn: string;
    }
  /** No secret: the app trusts the job's managed identity (an `ApplicationFederatedIdentityCredential`). */
  | { readonly kind: "federated" };

/** What `loadConfig` reads; `pulumi.Config` satisfies it, so do plain test doubles. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

const DEFAULTS = {
  cloud: "gcch",
  entraEnvironment: "public", // the azuread provider's own default
  schedule: "0 6 * * *",
  secretLifetimeDays: 180,
  credential: "secret",
  network: "public",
  vnetAddressSpace: "10.42.0.0/24",
  logRetentionDays: 365,
  logArchiveDays: 913,
  dataVersionDays: 30,
  csvBlobName: "employees.csv",
  jobName: "hr-upload",
  scenario: "resignation",
} as const;

/** Entra client secrets: Microsoft recommends at most two years. */
const MAX_SECRET_LIFETIME_DAYS = 730;
/** Interactive retention of a pay-as-you-go (PerGB2018) workspace. */
const LOG_RETENTION_LIMITS = { min: 30, max: 730 } as const;
/** Total retention of a Log Analytics table: twelve years. */
const MAX_LOG_ARCHIVE_DAYS = 4383;
const MAX_DATA_VERSION_DAYS = 3650;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Container Apps job names: < 32 characters, lowercase letters, digits and '-', starting with a letter,
// ending alphanumeric, no "--".
const JOB_NAME = /^(?!.*--)[a-z][a-z0-9-]{0,29}[a-z0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const POSITIVE_INTEGER = /^[1-9]\d*$/;

/** Keys of a `connectors` entry; `scenario` (one id or a comma-separated list) and `scenarios` (a list) are alternatives. */
const CONNECTOR_KEYS = ["name", "connectorJobId", "scenario", "scenarios", "scenarioColumn", "scenarioValues", "columns", "csvBlobName", "schedule"] as const;
/** Single-connector keys that `connectors` replaces; set to anything but their default alongside it, they are an error. */
const SINGLE_CONNECTOR_KEYS = ["connectorJobId", "scenario", "columns", "csvBlobName"] as const;

type Check = <T>(value: T, problem: string | undefined) => T;

/** The stack's config is wrong: the message lists every problem with its fix. */
export class StackConfigError extends Error {}

/** Validates every key and reports all problems in one error. */
export function loadConfig(project: ConfigSource, azureNative: ConfigSource, azuread: ConfigSource): StackConfig {
  const problems: string[] = [];
  const check: Check = (value, problem) => {
    if (problem !== undefined) problems.push(problem);
    return value;
  };
  const optional = (key: string): string | undefined => {
    const value = project.get(key)?.trim();
    return value === "" ? undefined : value;
  };

  const cloudValue = optional("cloud") ?? DEFAULTS.cloud;
  const cloud: CloudName = isCloudName(cloudValue) ? cloudValue : DEFAULTS.cloud;
  check(cloud, isCloudName(cloudValue) ? undefined : `cloud "${cloudValue}" must be one of ${CLOUD_NAMES.join(", ")}`);

  const entraEnvironment = (azuread.get("environment") ?? DEFAULTS.entraEnvironment).toLowerCase();
  check(entraEnvironment, entraEnvironmentProblem(cloud, entraEnvironment));

  const location = check(azureNative.get("location") ?? "", azureNative.get("location") ? undefined : "azure-native:location is not set (e.g. usgovvirginia)");
  const azureEnvironmentValue = azureNative.get("environment");
  const azureEnvironment = azureEnvironmentNamed(azureEnvironmentValue) ?? "public";
  check(azureEnvironment, azureEnvironmentNamed(azureEnvironmentValue) === undefined ? `azure-native:environment "${azureEnvironmentValue}" is not supported: use ${AZURE_ENVIRONMENT_NAMES.join(" or ")}` : undefined);

  const networkValue = optional("network") ?? DEFAULTS.network;
  const network = (NETWORK_MODES as readonly string[]).includes(networkValue) ? (networkValue as NetworkMode) : DEFAULTS.network;
  check(network, network === networkValue ? undefined : `network "${networkValue}" must be ${NETWORK_MODES.join(" or ")}`);
  const vnetAddressSpace = optional("vnetAddressSpace") ?? DEFAULTS.vnetAddressSpace;
  check(vnetAddressSpace, network === "private" ? addressSpaceProblem(vnetAddressSpace) : undefined);

  const wholeDays = (key: string, fallback: number, min: number, max: number): number => {
    const value = optional(key) ?? String(fallback);
    const days = Number(value);
    return check(days, POSITIVE_INTEGER.test(value) && days >= min && days <= max ? undefined : `${key} "${value}" must be a whole number of days from ${min} to ${max}`);
  };
  const logRetentionDays = wholeDays("logRetentionDays", DEFAULTS.logRetentionDays, LOG_RETENTION_LIMITS.min, LOG_RETENTION_LIMITS.max);
  const logArchiveDays = wholeDays("logArchiveDays", DEFAULTS.logArchiveDays, Math.min(logRetentionDays, MAX_LOG_ARCHIVE_DAYS), MAX_LOG_ARCHIVE_DAYS);
  const dataVersionDays = wholeDays("dataVersionDays", DEFAULTS.dataVersionDays, 1, MAX_DATA_VERSION_DAYS);

  const credentialValue = (optional("credential") ?? DEFAULTS.credential).toLowerCase();
  const credentialKind = (CREDENTIAL_KINDS as readonly string[]).includes(credentialValue) ? (credentialValue as CredentialConfig["kind"]) : DEFAULTS.credential;
  check(credentialKind, credentialKind === credentialValue ? undefined : `credential "${credentialValue}" must be ${CREDENTIAL_KINDS.join(" or ")}`);
  if (credentialKind === "federated") check(credentialKind, federationProblem(cloud, entraEnvironment, azureEnvironment));
  const secretRotation = optional("secretRotation");
  if (credentialKind === "secret") {
    check(secretRotation, secretRotation === undefined ? "secretRotation is not set (a date yyyy-mm-dd; changing it rotates the client secret)" : dateProblem("secretRotation", secretRotation));
  }
  const secretLifetimeDays = wholeDays("secretLifetimeDays", DEFAULTS.secretLifetimeDays, 1, MAX_SECRET_LIFETIME_DAYS);

  const alertEmail = optional("alertEmail");
  check(alertEmail, alertEmail === undefined || EMAIL.test(alertEmail) ? undefined : `alertEmail "${alertEmail}" is not an email address`);

  const imageBase = optional("imageBase") ?? DEFAULT_IMAGE_BASE;
  check(imageBase, imageBaseProblem(imageBase) === undefined ? undefined : `imageBase ${imageBaseProblem(imageBase)}`);

  const recordsPerCall = optional("recordsPerCall");
  check(recordsPerCall, recordsPerCall === undefined || POSITIVE_INTEGER.test(recordsPerCall) ? undefined : `recordsPerCall "${recordsPerCall}" must be a positive whole number`);

  // The top-level schedule is every job's default; jobName names the single job, or prefixes each listed one.
  const schedule = optional("schedule") ?? DEFAULTS.schedule;
  check(schedule, cronProblem(schedule));
  const jobName = optional("jobName") ?? DEFAULTS.jobName;
  const entries = connectorEntries(optional("connectors"), check);
  const connectors =
    entries === undefined
      ? [
          readConnector(
            { connectorJobId: optional("connectorJobId"), csvBlobName: optional("csvBlobName"), scenario: optional("scenario"), columns: optional("columns") },
            { resourceName: DEFAULTS.jobName, jobName, keyOf: (key) => key, defaultSchedule: schedule, defaultCsvBlobName: DEFAULTS.csvBlobName },
            check,
          ),
        ]
      : entries.map(({ entry, index, name }) =>
          readConnector(
            entry,
            { name, resourceName: `${jobName}-${name}`, jobName: `${jobName}-${name}`, keyOf: (key) => `connectors[${index}].${key}`, defaultSchedule: schedule, defaultCsvBlobName: `${name}.csv` },
            check,
          ),
        );
  if (entries !== undefined) {
    const combined = SINGLE_CONNECTOR_KEYS.filter((key) => optional(key) !== undefined && optional(key) !== DEFAULTS[key as keyof typeof DEFAULTS]);
    check(combined, combined.length === 0 ? undefined : `connectors cannot be combined with ${combined.join(", ")}: each connector sets its own; remove the single-connector ${combined.length === 1 ? "key" : "keys"}: ${combined.map((key) => `pulumi config rm ${key}`).join(" && ")}`);
    for (const [label, valueOf] of [
      ["connectorJobId", (connector: ConnectorConfig) => connector.connectorJobId?.toLowerCase()],
      ["csvBlobName", (connector: ConnectorConfig) => connector.csvBlobName],
    ] as const) {
      const repeated = repeatedValues(connectors.map(valueOf));
      check(repeated, repeated.length === 0 ? undefined : `connectors must not share a ${label}: ${repeated.map((value) => `"${value}"`).join(", ")} appears more than once`);
    }
  }

  if (problems.length > 0) {
    throw new StackConfigError(`Invalid hr-connector stack configuration:\n  - ${problems.join("\n  - ")}`);
  }
  // A secret's rotation date is present: its absence is a problem above.
  const credential: CredentialConfig =
    credentialKind === "secret"
      ? { kind: "secret", rotation: secretRotation as string, lifetimeDays: secretLifetimeDays, expiresOn: addDays(secretRotation as string, secretLifetimeDays) }
      : { kind: "federated" };
  return {
    cloud,
    azureEnvironment,
    entraEnvironment,
    location,
    network,
    vnetAddressSpace,
    logRetentionDays,
    logArchiveDays,
    dataVersionDays,
    credential,
    alertEmail,
    image: optional("image"),
    imageBase,
    recordsPerCall,
    connectorLayout: entries === undefined ? "single" : "list",
    connectors,
  };
}

/** A `connectors` entry as configured: strings, and `scenarios` as a list. */
type ConnectorEntry = Partial<Record<(typeof CONNECTOR_KEYS)[number], unknown>>;

/** A `connectors` entry with a usable name, and its position in the list. */
interface NamedEntry {
  readonly entry: ConnectorEntry;
  readonly index: number;
  readonly name: string;
}

/**
 * The `connectors` list (structured config arrives as JSON), each entry's keys and value types
 * checked and names unique; undefined when the key is unset or an empty list (Pulumi.yaml's default).
 */
function connectorEntries(text: string | undefined, check: Check): NamedEntry[] | undefined {
  if (text === undefined) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    list = text;
  }
  if (!Array.isArray(list) || list.some((entry) => entry === null || typeof entry !== "object" || Array.isArray(entry))) {
    return check([], `connectors must be a list of connectors, each with ${CONNECTOR_KEYS.join(", ")}`);
  }
  const entries = list as Record<string, unknown>[];
  if (entries.length === 0) return undefined;
  entries.forEach((entry, index) => {
    const unknown = Object.keys(entry).filter((key) => !(CONNECTOR_KEYS as readonly string[]).includes(key));
    check(unknown, unknown.length === 0 ? undefined : `connectors[${index}] has unknown keys ${unknown.join(", ")} (known: ${CONNECTOR_KEYS.join(", ")})`);
    for (const key of CONNECTOR_KEYS) {
      const [valid, expected] = key === "scenarios" ? [isStringList(entry[key]), "a list of scenario names"] : [typeof entry[key] === "string", "text"];
      check(key, entry[key] === undefined || valid ? undefined : `connectors[${index}].${key} must be ${expected}`);
    }
  });
  const named = entries.flatMap((entry, index) => {
    const name = typeof entry.name === "string" ? entry.name.trim() : "";
    return check(name === "" ? [] : [{ entry, index, name }], name === "" ? `connectors[${index}].name is not set (it names the connector's job and CSV blob)` : undefined);
  });
  const repeated = repeatedValues(named.map(({ name }) => name));
  check(repeated, repeated.length === 0 ? undefined : `connectors must not share a name: ${repeated.map((name) => `"${name}"`).join(", ")} appears more than once`);
  return named;
}

interface ConnectorNaming {
  readonly name?: string;
  readonly resourceName: string;
  readonly jobName: string;
  /** Where a key of this connector lives in the config, for messages and commands. */
  readonly keyOf: (key: string) => string;
  readonly defaultSchedule: string;
  readonly defaultCsvBlobName: string;
}

/** One connector's settings, validated; single-connector keys and list entries take the same rules. */
function readConnector(entry: ConnectorEntry, naming: ConnectorNaming, check: Check): ConnectorConfig {
  const { keyOf } = naming;
  const text = (key: (typeof CONNECTOR_KEYS)[number]): string | undefined => {
    const value = typeof entry[key] === "string" ? entry[key].trim() : undefined;
    return value === "" ? undefined : value;
  };

  const connectorJobId = text("connectorJobId");
  check(connectorJobId, connectorJobId === undefined || GUID.test(connectorJobId) ? undefined : `${keyOf("connectorJobId")} "${connectorJobId}" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);

  const ownSchedule = text("schedule");
  check(ownSchedule, ownSchedule === undefined ? undefined : cronProblem(ownSchedule, keyOf("schedule")));
  const schedule = ownSchedule ?? naming.defaultSchedule;

  const csvBlobName = text("csvBlobName") ?? naming.defaultCsvBlobName;
  check(csvBlobName, csvBlobName.startsWith("/") || csvBlobName.length > 1024 ? `${keyOf("csvBlobName")} "${csvBlobName}" must be a blob name without a leading "/"` : undefined);

  const jobNameSource = naming.name === undefined ? `${keyOf("jobName")} "${naming.jobName}"` : `${keyOf("name")} "${naming.name}" gives the job name "${naming.jobName}", which`;
  check(naming.jobName, JOB_NAME.test(naming.jobName) ? undefined : `${jobNameSource} must be 2-31 lowercase letters, digits or '-', start with a letter, end with a letter or digit and contain no "--"`);

  const listed = Array.isArray(entry.scenarios) ? entry.scenarios.map(String).join(",") : undefined;
  check(listed, listed === undefined || text("scenario") === undefined ? undefined : `${keyOf("scenario")} and ${keyOf("scenarios")} are alternatives: set one`);
  const scenario = text("scenario") ?? listed;
  const scenarioColumn = text("scenarioColumn");
  const scenarioValues = text("scenarioValues");
  // A scenario column without scenarios: the uploader takes records of any scenario, and the wizard must map them all.
  const anyScenario = scenario === undefined && (scenarioColumn !== undefined || scenarioValues !== undefined);
  const scenarioIds = anyScenario ? [...SCENARIO_IDS] : (scenario ?? DEFAULTS.scenario).split(",").map((id) => id.trim().toLowerCase());
  const unknownIds = scenarioIds.filter((id) => !isScenarioId(id));
  check(unknownIds, unknownIds.length === 0 ? undefined : `${keyOf(listed === undefined ? "scenario" : "scenarios")} "${unknownIds.join(", ")}" must be one of ${SCENARIO_IDS.join(", ")}`);
  const scenarios = scenarioIds.filter(isScenarioId);

  const columns = text("columns");
  const wizardColumns = check(...wizardColumnsFor(scenarios, columns, keyOf("columns")));
  const wizardScenarioColumn = check(...wizardScenarioColumnFor(scenarios, scenarioColumn, scenarioValues, keyOf("scenarioValues")));

  return {
    name: naming.name,
    resourceName: naming.resourceName,
    jobName: naming.jobName,
    connectorJobId,
    connectorJobIdKey: naming.name === undefined ? keyOf("connectorJobId") : `--path '${keyOf("connectorJobId")}'`,
    schedule,
    csvBlobName,
    scenarios,
    scenario,
    scenarioColumn,
    scenarioValues,
    columns,
    wizardColumns,
    wizardScenarioColumn,
  };
}

/** The uploader's own reading of scenarioColumn/scenarioValues (its defaults included), so a mistake fails `pulumi up`, not the first run. */
function wizardScenarioColumnFor(
  scenarios: readonly ScenarioId[],
  scenarioColumn: string | undefined,
  scenarioValues: string | undefined,
  key: string,
): [ConnectorConfig["wizardScenarioColumn"], string | undefined] {
  if (scenarios.length < 2 && scenarioColumn === undefined) return [undefined, undefined];
  try {
    const column = fileRulesFor({ scenarios: scenarios.join(","), scenarioColumn, scenarioValues }).scenarioColumn;
    return [column && { header: column.header, values: column.labels.map(({ scenario, value }) => ({ scenario: scenario.id as ScenarioId, value })) }, undefined];
  } catch (error) {
    return [undefined, `${key} "${scenarioValues}": ${(error as Error).message.replace(/^--scenario-values:? ?/, "")}`];
  }
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

/** Values present more than once (undefined ones ignored), each named once. */
function repeatedValues<T>(values: readonly T[]): T[] {
  const present = values.filter((value) => value !== undefined);
  return [...new Set(present.filter((value, index) => present.indexOf(value) !== index))];
}

/**
 * Workload identity federation works only within one Entra cloud (and tenant): the app's (azuread:environment)
 * must be the one the subscription's managed identity lives in. A GCC tenant (public Entra) cannot trust an
 * identity of an Azure Government subscription.
 */
function federationProblem(cloud: CloudName, entraEnvironment: string, azureEnvironment: AzureEnvironmentName): string | undefined {
  const azure = AZURE_ENVIRONMENTS[azureEnvironment];
  if (azure.entraEnvironments.includes(entraEnvironment)) return undefined;
  return (
    `credential "federated" needs the connector app and the job's identity in one Entra cloud, but ${CLOUD_PROFILES[cloud].title} tenants ` +
    `(azuread:environment "${entraEnvironment}") and ${azure.title} subscriptions (azure-native:environment "${azureEnvironment}") are in two: ` +
    `cross-cloud federation is not supported; keep credential "secret" (pulumi config rm credential)`
  );
}

/** GCC tenants sign in at public Entra, GCC High at usgovernment, DoD at dod: the uploader's cloud table says which. */
function entraEnvironmentProblem(cloud: CloudName, entraEnvironment: string): string | undefined {
  const accepted = CLOUD_PROFILES[cloud].entraEnvironments;
  if (accepted.includes(entraEnvironment)) return undefined;
  return (
    `azuread:environment "${entraEnvironment}" cannot sign in to ${CLOUD_PROFILES[cloud].title} tenants (cloud "${cloud}"); ` +
    `set it to ${accepted.map((name) => `"${name}"`).join(" or ")}: pulumi config set azuread:environment ${accepted[0]}`
  );
}

const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 6 },
] as const;
const CRON_ITEM = /^(\*|(\d+)(?:-(\d+))?)(?:\/([1-9]\d*))?$/;

/** Five numeric fields (minute hour day-of-month month day-of-week), as Container Apps jobs take them. */
export function cronProblem(expression: string, key = "schedule"): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    return `${key} "${expression}" must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * *"`;
  }
  for (const [index, field] of fields.entries()) {
    const { name, min, max } = CRON_FIELDS[index] as (typeof CRON_FIELDS)[number];
    for (const item of (field as string).split(",")) {
      const match = CRON_ITEM.exec(item);
      const bounds = match?.[2] === undefined ? [] : [Number(match[2]), Number(match[3] ?? match[2])];
      const [low, high] = bounds;
      if (!match || (low !== undefined && high !== undefined && (low < min || high > max || low > high))) {
        return `${key} "${expression}": the ${name} field "${field}" must use numbers ${min}-${max}, '*', ranges, lists or steps`;
      }
    }
  }
  return undefined;
}

function dateProblem(key: string, value: string): string | undefined {
  // Date.UTC rolls 2027-02-30 over to March, so a real date is one that survives the round trip.
  const valid = DATE.test(value) && addDays(value, 0) === value;
  return valid ? undefined : `${key} "${value}" must be a calendar date yyyy-mm-dd`;
}

/** Calendar arithmetic on yyyy-mm-dd, independent of the current time and time zone. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/**
 * Each scenario's header names as the uploader will look for them: `columns` (one map for the
 * whole file, so across its scenarios' fields) remaps, else the documented example.
 */
function wizardColumnsFor(scenarios: readonly ScenarioId[], columns: string | undefined, key: string): [readonly ScenarioColumns[], string | undefined] {
  const fields = scenarios.flatMap((scenario) => SCENARIOS[scenario].fields);
  const fileFields = { id: scenarios.join(","), title: "", fields: fields.filter((field, index) => fields.findIndex((other) => other.key === field.key) === index) };
  try {
    const map = parseColumnMap(columns, fileFields);
    // A key is one column for the whole file: its first documented name across the file's scenarios, as the uploader looks for it.
    const shared = (key: string) => fileFields.fields.find((field) => field.key === key)?.headers[0];
    return [scenarios.map((scenario) => ({ scenario, columns: SCENARIOS[scenario].fields.map((field) => map.get(field.key) ?? shared(field.key) ?? field.headers[0]) })), undefined];
  } catch (error) {
    return [[], `${key} "${columns}": ${(error as Error).message.replace(/^--columns:? ?/, "")}`];
  }
}
