import type { Inspection } from "./inspect";
import type { Logger } from "../observe/log";
import { LOG_EVENT } from "../observe/logEvents";
import { plural } from "../core/text";

/** The validation report: one entry per listed invalid record, then a count of the unlisted ones. */
export function reportInvalidRecords(logger: Logger, inspection: Inspection, multiScenario: boolean): void {
  for (const { line, scenario, problems } of inspection.reported) {
    const text = problems
      .map(({ column, reason, value }) => `${column === undefined ? "" : `column ${column}: `}${reason}${value === undefined ? "" : ` [value: ${visible(value)}]`}`)
      .join("; ");
    const where = multiScenario && scenario !== undefined ? `line ${line} (${scenario})` : `line ${line}`;
    logger.info(LOG_EVENT.invalidRecord, `${where}: ${text}`, { line, scenario, problems });
  }
  if (inspection.unreported > 0) {
    logger.info(LOG_EVENT.invalidRecord, `... and ${plural(inspection.unreported, "more invalid record")} not listed`, { unreported: inspection.unreported });
  }
}

/** A shown value in quotes with every control or invisible character spelled out (\u200b), so the reason can be seen. */
function visible(value: string): string {
  return JSON.stringify(value).replace(/\p{C}/gu, (character) => `\\u${(character.codePointAt(0) as number).toString(16).padStart(4, "0")}`);
}

/** Records and invalid records per scenario, in one line for people: "resignation 3 (1 invalid), ...". */
export function describeByScenario(inspection: Inspection): string {
  return Object.entries(inspection.byScenario)
    .map(([scenario, { records, invalid }]) => `${scenario} ${records}${invalid > 0 ? ` (${invalid} invalid)` : ""}`)
    .join(", ");
}

export function countsOf(inspection: Inspection) {
  return { recordsRead: inspection.recordsRead, valid: inspection.valid, invalid: inspection.invalid, byScenario: inspection.byScenario };
}
