/**
 * The stack's configuration, read and validated once. Defaults live here, not
 * only in Pulumi.yaml: the CLI applies Pulumi.yaml defaults, the mocks used by
 * tests and `npm run plan` do not.
 */
import * as pulumi from "@pulumi/pulumi";
import { CLOUD_NAMES, CLOUD_PROFILES, isCloudName, type CloudName } from "../uploader/src/clouds";
import { parseColumnMap } from "../uploader/src/csv/layout";
import { SCENARIOS, SCENARIO_IDS, isScenarioId, type ScenarioId } from "../uploader/src/csv/scenarios";

export interface StackConfig {
  /** Purview cloud of the tenant; picks the uploader's endpoints. */
  readonly cloud: CloudName;
  /** `azuread:environment`: the Entra cloud the connector app is registered in. */
  readonly entraEnvironment: string;
  /** Azure region of every resource (`azure-native:location`). */
  readonly location: string;
  /** Job ID the Purview wizard shows; the job exists only once it is known. */
  readonly connectorJobId?: string;
  /** UTC cron expression of the daily run. */
  readonly schedule: string;
  /** yyyy-mm-dd; changing it rotates the client secret. */
  readonly secretRotation: string;
  readonly secretLifetimeDays: number;
  /** yyyy-mm-dd, secretRotation + secretLifetimeDays. */
  readonly secretExpiresOn: string;
  readonly alertEmail?: string;
  /** Prebuilt uploader image; when absent the image is built from uploader/Dockerfile. */
  readonly image?: string;
  readonly csvBlobName: string;
  readonly jobName: string;
  /** Passed to the uploader when set (it has its own defaults). */
  readonly recordsPerCall?: string;
  readonly scenario?: ScenarioId;
  readonly columns?: string;
  /** Header names to type on the wizard's File mapping page, in the scenario's field order. */
  readonly wizardColumns: readonly string[];
}

/** What `loadConfig` reads; `pulumi.Config` satisfies it, so do plain test doubles. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

const DEFAULTS = {
  cloud: "gcch",
  entraEnvironment: "public", // the azuread provider's own default
  schedule: "0 6 * * *",
  secretLifetimeDays: 180,
  csvBlobName: "employees.csv",
  jobName: "hr-upload",
  scenario: "resignation",
} as const satisfies Partial<Record<keyof StackConfig, unknown>>;

/** Entra client secrets: Microsoft recommends at most two years. */
const MAX_SECRET_LIFETIME_DAYS = 730;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Container Apps job names: < 32 characters, lowercase letters, digits and '-', starting with a letter,
// ending alphanumeric, no "--".
const JOB_NAME = /^(?!.*--)[a-z][a-z0-9-]{0,29}[a-z0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const POSITIVE_INTEGER = /^[1-9]\d*$/;

/** Reads the project, provider and azuread settings of the current stack. */
export function loadStackConfig(): StackConfig {
  return loadConfig(new pulumi.Config(), new pulumi.Config("azure-native"), new pulumi.Config("azuread"));
}

/** Validates every key and reports all problems in one error. */
export function loadConfig(project: ConfigSource, azureNative: ConfigSource, azuread: ConfigSource): StackConfig {
  const problems: string[] = [];
  const check = <T>(value: T, problem: string | undefined): T => {
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

  const connectorJobId = optional("connectorJobId");
  check(connectorJobId, connectorJobId === undefined || GUID.test(connectorJobId) ? undefined : `connectorJobId "${connectorJobId}" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);

  const schedule = optional("schedule") ?? DEFAULTS.schedule;
  check(schedule, cronProblem(schedule));

  const secretRotation = optional("secretRotation");
  check(secretRotation, secretRotation === undefined ? "secretRotation is not set (a date yyyy-mm-dd; changing it rotates the client secret)" : dateProblem("secretRotation", secretRotation));

  const lifetimeValue = optional("secretLifetimeDays") ?? String(DEFAULTS.secretLifetimeDays);
  const secretLifetimeDays = Number(lifetimeValue);
  check(lifetimeValue, POSITIVE_INTEGER.test(lifetimeValue) && secretLifetimeDays <= MAX_SECRET_LIFETIME_DAYS ? undefined : `secretLifetimeDays "${lifetimeValue}" must be a whole number of days from 1 to ${MAX_SECRET_LIFETIME_DAYS}`);

  const alertEmail = optional("alertEmail");
  check(alertEmail, alertEmail === undefined || EMAIL.test(alertEmail) ? undefined : `alertEmail "${alertEmail}" is not an email address`);

  const csvBlobName = optional("csvBlobName") ?? DEFAULTS.csvBlobName;
  check(csvBlobName, csvBlobName.startsWith("/") || csvBlobName.length > 1024 ? `csvBlobName "${csvBlobName}" must be a blob name without a leading "/"` : undefined);

  const jobName = optional("jobName") ?? DEFAULTS.jobName;
  check(jobName, JOB_NAME.test(jobName) ? undefined : `jobName "${jobName}" must be 2-31 lowercase letters, digits or '-', start with a letter, end with a letter or digit and contain no "--"`);

  const recordsPerCall = optional("recordsPerCall");
  check(recordsPerCall, recordsPerCall === undefined || POSITIVE_INTEGER.test(recordsPerCall) ? undefined : `recordsPerCall "${recordsPerCall}" must be a positive whole number`);

  const scenarioValue = optional("scenario");
  const scenario = scenarioValue !== undefined && isScenarioId(scenarioValue) ? scenarioValue : undefined;
  check(scenario, scenarioValue === undefined || scenario !== undefined ? undefined : `scenario "${scenarioValue}" must be one of ${SCENARIO_IDS.join(", ")}`);

  const columns = optional("columns");
  const wizardColumns = check(...wizardColumnsFor(scenario ?? DEFAULTS.scenario, columns));

  if (problems.length > 0) {
    throw new Error(`Invalid hr-connector stack configuration:\n  - ${problems.join("\n  - ")}`);
  }
  const rotation = secretRotation as string; // present: its absence is a problem above
  return {
    cloud,
    entraEnvironment,
    location,
    connectorJobId,
    schedule,
    secretRotation: rotation,
    secretLifetimeDays,
    secretExpiresOn: addDays(rotation, secretLifetimeDays),
    alertEmail,
    image: optional("image"),
    csvBlobName,
    jobName,
    recordsPerCall,
    scenario,
    columns,
    wizardColumns,
  };
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
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    return `schedule "${expression}" must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * *"`;
  }
  for (const [index, field] of fields.entries()) {
    const { name, min, max } = CRON_FIELDS[index] as (typeof CRON_FIELDS)[number];
    for (const item of (field as string).split(",")) {
      const match = CRON_ITEM.exec(item);
      const bounds = match?.[2] === undefined ? [] : [Number(match[2]), Number(match[3] ?? match[2])];
      const [low, high] = bounds;
      if (!match || (low !== undefined && high !== undefined && (low < min || high > max || low > high))) {
        return `schedule "${expression}": the ${name} field "${field}" must use numbers ${min}-${max}, '*', ranges, lists or steps`;
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

/** The scenario's header names as the uploader will look for them: `columns` remaps, else the documented example. */
function wizardColumnsFor(scenario: ScenarioId, columns: string | undefined): [readonly string[], string | undefined] {
  try {
    const map = parseColumnMap(columns, SCENARIOS[scenario]);
    return [SCENARIOS[scenario].fields.map((field) => map.get(field.key) ?? field.headers[0]), undefined];
  } catch (error) {
    return [[], `columns "${columns}": ${(error as Error).message.replace(/^--columns:? ?/, "")}`];
  }
}
