import type { FlagName } from "./flags";

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Paragraphs shown under the usage line. */
  readonly details: readonly string[];
  readonly flags: readonly FlagName[];
  readonly required: readonly FlagName[];
  readonly examples: readonly string[];
  /** Exit codes this command can return, beyond 0 and 2. */
  readonly exitCodes: Readonly<Record<number, string>>;
}

/** Flags every command takes. */
const EVERY_COMMAND = ["log-format", "help", "version"] as const satisfies readonly FlagName[];

export const COMMANDS = {
  validate: {
    name: "validate",
    summary: "check an HR CSV file against the connector's rules; sends nothing",
    details: [
      "Reads the whole file and reports records read, valid and invalid, then the first 100 invalid",
      "records by line number, column and reason. Cell values are never printed unless --show-values.",
      "A file with only a header is valid: no HR events today.",
    ],
    flags: ["csv", "scenario", "scenario-column", "scenario-values", "columns", "show-values", "validation-threads", ...EVERY_COMMAND],
    required: ["csv"],
    examples: [
      "hr-upload validate --csv employees.csv",
      "hr-upload validate --csv export.csv --columns email=Mail,terminationDate=TermDate,lastWorkingDate=LastDay",
      "HR_CSV=employees.csv HR_LOG_FORMAT=json hr-upload validate",
    ],
    exitCodes: { 3: "the CSV is invalid (the report says where)" },
  },
  upload: {
    name: "upload",
    summary: "validate an HR CSV file and deliver it to the connector in chunks, resuming after failures",
    details: [
      "Validates the whole file first (an invalid file sends nothing, exit 3), signs in with the app's",
      "client secret (one token for the run), then POSTs chunks of at most --records-per-call records,",
      "each the header line plus whole records exactly as written. Transient failures (network errors,",
      "timeouts, 408, 429, 500, 502, 503, 504) are retried with backoff; a checkpoint after every",
      "delivered chunk lets a rerun resume where a failed run stopped. A file already delivered to the",
      "job is not sent again for --resend-after-days days unless --force.",
      "The secret: set HR_APP_SECRET (flags are visible in process lists). Microsoft's script parameter",
      "names (-tenantId, -appId, -appSecret, -jobId, -csvFilePath, -FilePath, -RecordsPerCall) work as --flags.",
    ],
    flags: [
      "cloud",
      "tenant-id",
      "app-id",
      "job-id",
      "csv",
      "app-secret",
      "credential",
      "federated-audience",
      "scenario",
      "scenario-column",
      "scenario-values",
      "columns",
      "records-per-call",
      "concurrency",
      "request-timeout",
      "sign-in-timeout",
      "max-retries",
      "retry-delay",
      "checkpoint-dir",
      "checkpoint",
      "kept-container",
      "force",
      "resend-after-days",
      "skip-invalid",
      "dry-run",
      "validation-threads",
      "secret-expires-on",
      "authority-host",
      "ingestion-url",
      "token-resource",
      "show-values",
      "shutdown-grace",
      "lock-lease",
      "lock-dir",
      "keep-runs-days",
      ...EVERY_COMMAND,
    ],
    required: ["cloud", "tenant-id", "app-id", "job-id", "csv"],
    examples: [
      "HR_APP_SECRET=... hr-upload upload --cloud gcch --tenant-id <GUID> --app-id <GUID> --job-id <GUID> --csv employees.csv",
      "hr-upload upload --cloud gcch --tenantId <GUID> --appId <GUID> --jobId <GUID> --csvFilePath employees.csv   (the script's names)",
      "hr-upload upload --cloud dod ... --dry-run",
    ],
    exitCodes: {
      3: "the CSV is invalid; nothing was sent",
      4: "sign-in failed (wrong or expired secret, wrong app or tenant ID, wrong cloud)",
      5: "upload failed after retries or rejected by the service, the file changed while being read, or the run lock was lost; the checkpoint is kept, rerun to resume",
      129: "stopped by SIGHUP (terminal closed); what was delivered is checkpointed, rerun to resume",
      130: "stopped by SIGINT (Ctrl+C); what was delivered is checkpointed, rerun to resume",
      143: "stopped by SIGTERM (the platform stopping the job); what was delivered is checkpointed, rerun to resume",
    },
  },
  status: {
    name: "status",
    summary: "show recent upload runs and the last full delivery per connector job",
    details: [
      "Reads the run records that every upload writes beside its checkpoints (a folder, or the job's",
      "hr-state Blob container) and lists the recent runs, newest first, then the last full delivery per",
      "job. The portal's connector log (RecordsSaved) should match the records delivered. With",
      "--dashboard-url (the scheduled job has HR_DASHBOARD_URL) it also prints the stack's dashboard.",
    ],
    flags: ["checkpoint", "checkpoint-dir", "limit", "dashboard-url", ...EVERY_COMMAND],
    required: [],
    examples: [
      "hr-upload status",
      "hr-upload status --checkpoint https://<account>.blob.core.usgovcloudapi.net/hr-state   (after az login)",
    ],
    exitCodes: { 4: "no access to the state container" },
  },
  reset: {
    name: "reset",
    summary: "show and remove one connector job's delivery state, so its next run starts afresh",
    details: [
      "For a checkpoint that upload refuses as corrupt, or to abandon a version an earlier run began.",
      "Shows what the job's state held (the version being delivered and how far, the last full",
      "deliveries), then removes it and the kept copy of the unfinished version (with Blob state, in",
      "--kept-container when the job keeps its copies apart, as the stack's job does). The next upload",
      "sends the file in full as a new version. Run records are kept. If a run is working for the job,",
      "reset refuses; the lock of a run that has stopped answering is taken over once its lease has",
      "run out. With --csv it also removes that file's checkpoint of the first format (hr-upload 0.1),",
      "which was kept per file.",
    ],
    flags: ["job-id", "checkpoint", "checkpoint-dir", "kept-container", "csv", "lock-lease", ...EVERY_COMMAND],
    required: ["job-id"],
    examples: [
      "hr-upload reset --job-id <GUID>",
      "hr-upload reset --job-id <GUID> --checkpoint https://<account>.blob.core.usgovcloudapi.net/hr-state   (after az login)",
    ],
    exitCodes: { 4: "no access to the state container", 5: "a run is working for this job; try again when it has ended" },
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(value: string): value is CommandName {
  return Object.hasOwn(COMMANDS, value);
}
