import type { Inspection } from "./inspect";
import type { Logger } from "./log";
import { LOG_EVENT } from "./logEvents";

/** The validation report: one entry per listed invalid record, then a count of the unlisted ones. */
export function reportInvalidRecords(logger: Logger, inspection: Inspection): void {
  for (const { line, problems } of inspection.reported) {
    const text = problems
      .map(({ column, reason, value }) => `${column === undefined ? "" : `column ${column}: `}${reason}${value === undefined ? "" : ` [value: ${JSON.stringify(value)}]`}`)
      .join("; ");
    logger.info(LOG_EVENT.invalidRecord, `line ${line}: ${text}`, { line, problems });
  }
  if (inspection.unreported > 0) {
    logger.info(LOG_EVENT.invalidRecord, `... and ${inspection.unreported} more invalid records not listed`, { unreported: inspection.unreported });
  }
}

export function countsOf(inspection: Inspection) {
  return { recordsRead: inspection.recordsRead, valid: inspection.valid, invalid: inspection.invalid };
}
