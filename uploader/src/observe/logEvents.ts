/**
 * Names of the structured log events the uploader emits (`"event"` in json
 * format). Alert rules in infra/ query these names, so they are part of the
 * product's public interface: add, never rename.
 */
export const LOG_EVENT = {
  /** Last line of every run: counts, duration, outcome. */
  summary: "summary",
  /** One invalid record (line, column, reason; never the value). */
  invalidRecord: "invalid-record",
  /** The client secret expires within 30 days (HR_SECRET_EXPIRES_ON). */
  secretExpiring: "secret-expiring",
  /** Employee-profile data risks expiring: the service deletes profiles not refreshed for 30 days. */
  profileStale: "profile-stale",
  /** A run failed; carries the error class and exit code. */
  failed: "failed",
  /** Records sent again that the service may already hold (a killed run's chunks in flight, an answer lost). */
  possiblyDuplicated: "possibly-duplicated",
  /** A partly delivered version whose kept copy is gone: its undelivered records can never be sent. */
  abandoned: "abandoned",
  /** The service answered 2xx but said it did not keep a chunk (a saved count below the records sent, an HTML page): sent again next run. */
  recordsNotSaved: "records-not-saved",
} as const;

export type LogEventName = (typeof LOG_EVENT)[keyof typeof LOG_EVENT];

/**
 * `outcome` of the summary event. Alert rules treat "delivered" and
 * "nothing-to-do" as a successful run.
 */
export const RUN_OUTCOME = {
  delivered: "delivered",
  nothingToDo: "nothing-to-do",
  dryRun: "dry-run",
  valid: "valid",
  invalid: "invalid",
  failed: "failed",
  /** Another live run holds this job's lock; this one stood down. */
  locked: "locked",
  /** Stopped by a signal; what was delivered is checkpointed and a rerun sends the rest. */
  interrupted: "interrupted",
} as const;

export type RunOutcome = (typeof RUN_OUTCOME)[keyof typeof RUN_OUTCOME];
