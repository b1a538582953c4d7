/**
 * Every flag of every subcommand, described once. The parser, `--help` and the
 * `HR_<FLAG>` environment names all come from this table, and the Pulumi stack
 * imports `envVarFor` so the job's environment can never drift from the CLI.
 */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly description: string;
  /** Placeholder shown in --help, e.g. FILE. */
  readonly value?: string;
  /** Other spellings accepted on the command line (Microsoft's sample script parameter names). */
  readonly aliases?: readonly string[];
  /** One-letter form, e.g. -h. */
  readonly short?: string;
  /** Read from the command line only: no HR_ variable stands for it. */
  readonly commandLineOnly?: true;
}

export const FLAGS = {
  cloud: { type: "string", value: "NAME", description: "Purview cloud of your tenant: commercial, gcc, gcch (GCC High) or dod" },
  "tenant-id": {
    type: "string",
    value: "GUID|DOMAIN",
    description: "Entra tenant: its directory ID, or a verified domain name of it (contoso.onmicrosoft.us)",
    aliases: ["tenantId"],
  },
  "app-id": { type: "string", value: "GUID", description: "app (client) ID of the connector's Entra app", aliases: ["appId"] },
  "app-secret": {
    type: "string",
    value: "SECRET",
    description: "client secret; prefer the HR_APP_SECRET variable (flags show in process lists)",
    aliases: ["appSecret"],
  },
  "job-id": { type: "string", value: "GUID", description: "the connector's job ID, shown by the Purview wizard", aliases: ["jobId"] },
  csv: { type: "string", value: "FILE|URL", description: "the HR CSV file: a local path, or an https Blob Storage URL", aliases: ["csvFilePath", "FilePath"] },
  scenario: {
    type: "string",
    value: "NAME[,NAME...]",
    description: "HR scenario the file holds (default: resignation); several, comma-separated, for a file with a scenario column",
  },
  "scenario-column": { type: "string", value: "HEADER", description: "the column naming each record's scenario in a multi-scenario file (default HRScenario); without --scenario, any scenario" },
  "scenario-values": {
    type: "string",
    value: "MAP",
    description: "that column's value per scenario, as mapped in the wizard: scenario=Value,... (defaults: Learn's values, any case)",
  },
  columns: {
    type: "string",
    value: "MAP",
    description: "your header names, as typed on the connector's File mapping page: field=Header,... (e.g. email=Mail,terminationDate=TermDate)",
  },
  "records-per-call": { type: "string", value: "N", description: "records per upload request (default 5000)", aliases: ["RecordsPerCall"] },
  "authority-host": { type: "string", value: "URL", description: "override the cloud's Entra host (https; private endpoints and tests)" },
  "ingestion-url": { type: "string", value: "URL", description: "override the cloud's ingestion base URL (https; private endpoints and tests)" },
  "token-resource": { type: "string", value: "URI", description: "override the token resource (default: the connector's current resource)" },
  "request-timeout": { type: "string", value: "SECONDS", description: "give up on one upload request after this long (default 400, as Microsoft's script); a token request waits at most 30 s, or this if lower" },
  "sign-in-timeout": { type: "string", value: "SECONDS", description: "give up on signing in after this long, retries included (default 120)" },
  "max-retries": { type: "string", value: "N", description: "retries per chunk for transient failures (default 8)" },
  "retry-delay": { type: "string", value: "SECONDS", description: "base of the exponential backoff with jitter (default 5; fractions allowed)" },
  concurrency: { type: "string", value: "N", description: "chunks uploaded in parallel (default 1)" },
  "skip-invalid": { type: "boolean", description: "send the valid records and report the invalid ones (default: an invalid file sends nothing)" },
  force: { type: "boolean", description: "send a file again even if it was fully delivered to this job" },
  "resend-after-days": {
    type: "string",
    value: "DAYS",
    description: "send an unchanged, delivered file again once its last full delivery is this old (default 14, as Microsoft's script)",
  },
  "dry-run": { type: "boolean", description: "validate and print the plan; no network" },
  "validation-threads": {
    type: "string",
    value: "N",
    description: "check records on N worker threads and this one, slice by slice (default 0: this thread only; threads add memory, 15-110 MiB each, see README)",
  },
  checkpoint: { type: "string", value: "DIR|URL", description: "where resume state and run records live: a folder or a Blob container URL" },
  "kept-container": {
    type: "string",
    value: "URL",
    description: "with a Blob --checkpoint: the container for the copy of a version being delivered (HR rows; default: hr-kept beside the state container)",
  },
  "checkpoint-dir": { type: "string", value: "DIR", description: "folder for resume state (default: under your state directory); --checkpoint or this, not both" },
  "secret-expires-on": { type: "string", value: "DATE", description: "when the client secret expires; a warning is logged within 30 days of it" },
  limit: { type: "string", value: "N", description: "how many recent runs to list (default 20)" },
  "dashboard-url": { type: "string", value: "URL", description: "the stack's dashboard in the portal (pulumi stack output dashboardUrl); status prints it" },
  "show-values": {
    type: "boolean",
    description: "print offending cell values in the report (PII: local debugging only; refused with json output and in Container Apps)",
  },
  "log-format": { type: "string", value: "text|json", description: "text for people (default), json for one object per line" },
  credential: {
    type: "string",
    value: "KIND",
    description: "how the app signs in: secret (its client secret, the default) or federated (the Container Apps job's managed identity; no secret at all)",
  },
  "federated-audience": {
    type: "string",
    value: "URI",
    description: "audience of the identity's token with --credential federated (default: api://AzureADTokenExchangeUSGov for gcch and dod, api://AzureADTokenExchange otherwise)",
  },
  "shutdown-grace": {
    type: "string",
    value: "SECONDS",
    description: "after SIGTERM, SIGINT or SIGHUP, how long requests in flight may finish before the run stops (default 20; Container Apps kills after 30)",
  },
  "lock-dir": {
    type: "string",
    value: "DIR",
    description: "where runs on this machine lock each job, whatever their state folder (default: hr-upload-locks in the temporary folder, /tmp on macOS; on Windows %ProgramData%\\hr-upload\\locks)",
  },
  "lock-lease": {
    type: "string",
    value: "SECONDS",
    description: "how long the lock of a killed run keeps its job blocked, 2 to 60 with a state folder, 15 to 60 with Blob state (default 30); a live run's lock never lapses",
  },
  "keep-runs-days": { type: "string", value: "DAYS", description: "delete run records older than this from a state folder (default 400; Blob containers use the stack's lifecycle rule)" },
  help: { type: "boolean", short: "h", commandLineOnly: true, description: "show this help" },
  version: { type: "boolean", commandLineOnly: true, description: "print hr-upload's version" },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** The environment variable that supplies a flag: `--records-per-call` is `HR_RECORDS_PER_CALL`. */
export function envVarFor(flag: FlagName): string {
  return `HR_${flag.replace(/-/g, "_").toUpperCase()}`;
}
