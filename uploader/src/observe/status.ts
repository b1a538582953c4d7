import { EXIT_CODES, UsageError } from "../core/errors";
import type { Logger } from "./log";
import { LOG_EVENT } from "./logEvents";
import { describeRunCounts } from "./runRecordCounts";
import { plural } from "../core/text";
import type { JobState, StateStore } from "../state/stateStore";

export interface StatusOptions {
  /** How many recent runs to list. */
  readonly limit: number;
  /** The stack's dashboard in the portal, printed first when known. */
  readonly dashboardUrl?: string;
}

/** `hr-upload status`: recent runs, newest first, then per connector job its last full delivery and any delivery under way. */
export async function runStatus(state: StateStore, options: StatusOptions, logger: Logger): Promise<number> {
  if (!(await state.exists())) throw new UsageError(`no hr-upload state in ${state.location}: it does not exist; check --checkpoint or --checkpoint-dir (a run creates it)`);
  if (options.dashboardUrl !== undefined) logger.info("dashboard", `Dashboard: ${options.dashboardUrl}`, { dashboardUrl: options.dashboardUrl });
  const { records, unreadable } = await state.listRunRecords(options.limit);
  for (const { name, problem } of unreadable) logger.warn("unreadable-run-record", `skipped ${name}: ${problem}`, { item: name });
  const jobs = await state.listJobStates();
  for (const { name, problem } of jobs.unreadable) {
    logger.warn("unreadable-checkpoint", `skipped ${name}: ${problem}; upload refuses it until it is cleared with hr-upload reset --job-id <job ID>`, { item: name });
  }

  if (records.length === 0) logger.info("runs", `No runs recorded in ${state.location}.`);
  else logger.info("runs", `Recent runs in ${state.location}, newest first:`);
  for (const record of records) {
    const counts = describeRunCounts(record);
    const duplicates =
      (record.recordsPossiblyDuplicated ? `, ${record.recordsPossiblyDuplicated} possibly duplicated` : "") + (record.recordsNotSaved ? `, ${record.recordsNotSaved} not saved by the service` : "");
    const failure = record.errorClass ? ` (${record.errorClass} error, exit ${record.exitCode})` : "";
    logger.info(
      "run",
      `  ${record.startedAt}  ${record.outcome.padEnd(13)} ${counts}${duplicates}, ${plural(record.chunksSent, "chunk")}, ${plural(record.retries, "retry", "retries")}${failure}  job ${record.jobId}  ${record.file}`,
      { ...record },
    );
  }

  const delivered = jobs.states.filter((job) => job.deliveries.length > 0 || job.pending !== undefined);
  logger.info("last-deliveries", delivered.length === 0 ? "No delivery recorded yet." : "Deliveries per job:");
  for (const job of delivered) describeJob(job, logger);
  logger.info(LOG_EVENT.summary, `${plural(records.length, "run")} listed, ${plural(jobs.states.filter((job) => job.deliveries.length > 0).length, "job")} with a full delivery`, {
    location: state.location,
    runs: records.length,
    jobsDelivered: jobs.states.filter((job) => job.deliveries.length > 0).length,
    unreadable: unreadable.length + jobs.unreadable.length,
    dashboardUrl: options.dashboardUrl,
  });
  return EXIT_CODES.ok;
}

/** A version delivered over several runs is one delivery: "20000 of 20000 records over 2 runs". */
function describeJob(job: JobState, logger: Logger): void {
  const last = job.deliveries[0];
  if (last !== undefined) {
    const duplicates = last.recordsPossiblyDuplicated > 0 ? `, ${last.recordsPossiblyDuplicated} possibly duplicated` : "";
    logger.info(
      "last-delivery",
      `  job ${job.jobId}: last full delivery ${last.completedAt}, ${last.file}, ${last.records} of ${plural(last.records, "record")} over ${plural(last.runs, "run")}${duplicates} (sha256 ${last.sha256.slice(0, 12)}...)`,
      { jobId: job.jobId, deliveredAt: last.completedAt, file: last.file, records: last.records, runs: last.runs, fileSha256: last.sha256, recordsPossiblyDuplicated: last.recordsPossiblyDuplicated },
    );
  }
  const pending = job.pending;
  if (pending !== undefined) {
    logger.info(
      "delivery-under-way",
      `  job ${job.jobId}: under way since ${pending.startedAt}, ${pending.file}, ${pending.recordsDelivered} of ${plural(pending.recordsTotal, "record")} delivered so far${pending.runs > 0 ? ` over ${plural(pending.runs, "run")}` : ""}; the next run sends the rest first`,
      { jobId: job.jobId, file: pending.file, recordsDelivered: pending.recordsDelivered, recordsTotal: pending.recordsTotal, runs: pending.runs, fileSha256: pending.sha256 },
    );
  }
}
