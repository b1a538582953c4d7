import { planChunks, type Chunk } from "../csv/chunking";
import type { Clock } from "../core/clock";
import { EXIT_CODES } from "../core/errors";
import type { Inspection } from "../validation/inspect";
import type { Logger } from "../observe/log";
import { RUN_OUTCOME } from "../observe/logEvents";
import { reportInvalidRecords } from "../validation/report";
import type { ByteSource } from "../source/byteSource";
import type { JobState } from "../state/stateStore";
import { plural } from "../core/text";
import type { RunReport, RunResult } from "./runReport";
import type { UploadConfig } from "./uploadConfig";
import { contentPlan } from "./versionPlan";

export interface DryRunContext {
  /** The job's state as read (a corrupt one has already been refused). */
  readonly state: JobState | undefined;
  readonly inspect: (source: ByteSource) => Promise<Inspection>;
  readonly report: RunReport;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** `--dry-run`: validates and prints what a run would send, reading the state but writing nothing. */
export async function dryRun(config: UploadConfig, context: DryRunContext): Promise<RunResult> {
  const { state, logger, report } = context;
  if (state?.pending !== undefined) {
    logger.info("plan", `would first finish ${state.pending.file}: ${state.pending.recordsTotal - state.pending.recordsDelivered} records not yet delivered`);
  }
  const source = await config.csv.open();
  try {
    report.fileName = source.name;
    const inspection = await context.inspect(source);
    if (inspection.invalid > 0) reportInvalidRecords(logger, inspection, config.rules.scenarioColumn !== undefined);
    const step = contentPlan({ state, file: { sha256: inspection.sha256, name: source.name }, appended: false, rules: config, now: context.clock.now() });
    const sends = step.kind !== "nothing-to-do" && (inspection.invalid === 0 || config.skipInvalid);
    const chunks = sends ? planChunks(inspection.index as NonNullable<Inspection["index"]>, step.delivered, config.recordsPerCall) : [];
    report.tally.planned = chunks.length;
    describePlan(logger, config, inspection.header.length, chunks);
    const why = step.message ? ` (${step.message})` : "";
    return { outcome: RUN_OUTCOME.dryRun, exitCode: EXIT_CODES.ok, message: `dry run: would send ${plural(chunks.length, "chunk")}${why}; nothing was sent` };
  } finally {
    await source.close();
  }
}

function describePlan(logger: Logger, config: UploadConfig, headerBytes: number, chunks: readonly Chunk[]): void {
  const records = chunks.reduce((sum, chunk) => sum + chunk.recordCount, 0);
  const bytes = chunks.reduce((sum, chunk) => sum + headerBytes + chunk.bytes, 0);
  logger.info("plan", `would POST ${plural(chunks.length, "chunk")} (${plural(records, "record")}, ${bytes} bytes) to ${config.delivery.url}`, { url: config.delivery.url, chunks: chunks.length, records, bytes });
  logger.info("plan", `token from ${config.credentials.authorityHost}/${config.credentials.tenantId} for app ${config.credentials.clientId}`, { authorityHost: config.credentials.authorityHost });
  for (const [position, chunk] of chunks.entries()) {
    logger.info("plan-chunk", `chunk ${position + 1}: ${plural(chunk.recordCount, "record")} from line ${chunk.firstLine}, ${headerBytes + chunk.bytes} bytes`, {
      chunk: position + 1,
      records: chunk.recordCount,
      firstLine: chunk.firstLine,
      bytes: headerBytes + chunk.bytes,
    });
  }
}
