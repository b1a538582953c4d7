import { HrError, exitCodeOf, exitCodeOfSignal } from "../core/errors";
import type { LogFormat, Logger } from "../observe/log";
import { LOG_EVENT, RUN_OUTCOME } from "../observe/logEvents";
import { StoppedError, stopReasonOf } from "../core/stop";
import { envVarFor } from "./flags";

// How a command that did not finish is reported. Light on purpose: the entry point uses it before it loads the rest.

/** `--log-format` from the command line, else HR_LOG_FORMAT, read leniently: used only to report a failure to read the flags. */
export function earlyLogFormat(args: readonly string[], env: NodeJS.ProcessEnv): LogFormat {
  const inline = args.find((arg) => arg.startsWith("--log-format="))?.slice("--log-format=".length);
  const at = args.indexOf("--log-format");
  const given = inline ?? (at >= 0 ? args[at + 1] : env[envVarFor("log-format")]);
  return given?.trim().toLowerCase() === "json" ? "json" : "text";
}

/** Logs why the command ended (and, in json, the summary event last); returns its exit code. */
export function reportFailure(logger: Logger, error: unknown, stop?: AbortSignal): number {
  const reason = stop === undefined ? undefined : stopReasonOf(stop);
  if (error instanceof StoppedError && reason?.kind === "signal") {
    const exitCode = exitCodeOfSignal(reason.signal);
    logger.info(LOG_EVENT.summary, `interrupted by ${reason.signal}`, { outcome: RUN_OUTCOME.interrupted, exitCode });
    return exitCode;
  }
  const exitCode = exitCodeOf(error);
  const errorClass = error instanceof HrError ? error.errorClass : "internal";
  const message = error instanceof HrError ? error.message : `internal error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  logger.error(LOG_EVENT.failed, message, { errorClass, exitCode });
  if (logger.format === "json") logger.info(LOG_EVENT.summary, "failed", { outcome: RUN_OUTCOME.failed, errorClass, exitCode });
  return exitCode;
}
