import { EXIT_CODES } from "../core/errors";
import type { ColumnMap } from "../csv/layout";
import type { FileRules } from "../csv/fileRules";
import { inspectCsv } from "../validation/inspect";
import type { Logger } from "../observe/log";
import { LOG_EVENT, RUN_OUTCOME } from "../observe/logEvents";
import { countsOf, describeByScenario, reportInvalidRecords } from "../validation/report";
import type { ByteSource } from "../source/byteSource";
import { plural } from "../core/text";
import type { ValidationWorkers } from "../validation/inSlices";

export interface ValidateConfig {
  readonly source: ByteSource;
  readonly rules: FileRules;
  readonly columns: ColumnMap;
  readonly showValues: boolean;
}

/** `hr-upload validate`: one pass, a report, exit 0 when every record is valid, 3 otherwise. */
export async function runValidate(config: ValidateConfig, logger: Logger, stop?: AbortSignal, workers?: ValidationWorkers): Promise<number> {
  const inspection = await inspectCsv(config.source, { ...config, stop, workers }).finally(() => config.source.close());
  const multiScenario = config.rules.scenarioColumn !== undefined;
  reportInvalidRecords(logger, inspection, multiScenario);
  const outcome = inspection.invalid === 0 ? RUN_OUTCOME.valid : RUN_OUTCOME.invalid;
  const exitCode = inspection.invalid === 0 ? EXIT_CODES.ok : EXIT_CODES.invalidCsv;
  logger.info(
    LOG_EVENT.summary,
    `${config.source.name}: ${plural(inspection.recordsRead, "record")} read, ${inspection.valid} valid, ${inspection.invalid} invalid (${
      multiScenario ? `by scenario: ${describeByScenario(inspection)}` : `scenario ${config.rules.id}`
    })`,
    { outcome, exitCode, file: config.source.name, scenario: config.rules.id, ...countsOf(inspection), sha256: inspection.sha256 },
  );
  return exitCode;
}
