import { EXIT_CODES } from "./errors";
import type { Logger } from "./log";
import { LOG_EVENT, RUN_OUTCOME } from "./logEvents";
import type { RunRecord, StateStore } from "./state/stateStore";

/** The most recent full delivery of each connector job, from the run records (newest first in, one per job out). */
export function lastDeliveries(records: readonly RunRecord[]): Map<string, RunRecord> {
  const byJob = new Map<string, RunRecord>();
  for (const record of records) {
    if (record.outcome === RUN_OUTCOME.delivered && !byJob.has(record.jobId)) byJob.set(record.jobId, record);
  }
  return byJob;
}

/** `hr-upload status`: recent runs, newest first, and the last full delivery per job (the seed's "Monitor the HR connector"). */
export async function runStatus(state: StateStore, limit: number, logger: Logger): Promise<number> {
  const records = await state.listRunRecords();
  if (records.length === 0) {
    logger.info(LOG_EVENT.summary, `no runs recorded in ${state.location}`, { location: state.location, runs: 0 });
    return EXIT_CODES.ok;
  }
  logger.info("runs", `Recent runs in ${state.location}, newest first:`);
  for (const record of records.slice(0, limit)) {
    const counts = record.recordsRead === undefined ? `${record.recordsDelivered} records delivered` : `${record.recordsDelivered} of ${record.recordsRead} records delivered`;
    const failure = record.errorClass ? ` (${record.errorClass} error, exit ${record.exitCode})` : "";
    logger.info(
      "run",
      `  ${record.startedAt}  ${record.outcome.padEnd(13)} ${counts}, ${record.chunksSent} chunks, ${record.retries} retries${failure}  job ${record.jobId}  ${record.file}`,
      { ...record },
    );
  }
  const deliveries = lastDeliveries(records);
  logger.info("last-deliveries", deliveries.size === 0 ? "No full delivery recorded yet." : "Last full delivery per job:");
  for (const [jobId, record] of deliveries) {
    logger.info("last-delivery", `  job ${jobId}: ${record.endedAt}, ${record.file}, ${record.recordsDelivered} records${record.fileSha256 ? ` (sha256 ${record.fileSha256.slice(0, 12)}...)` : ""}`, {
      jobId,
      deliveredAt: record.endedAt,
      file: record.file,
      fileSha256: record.fileSha256,
    });
  }
  logger.info(LOG_EVENT.summary, `${records.length} runs recorded, ${deliveries.size} jobs with a full delivery`, {
    location: state.location,
    runs: records.length,
    jobsDelivered: deliveries.size,
  });
  return EXIT_CODES.ok;
}
