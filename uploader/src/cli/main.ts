import { createTokenSource } from "../auth";
import { systemClock, type Clock } from "../clock";
import { EXIT_CODES, HrError, UsageError, exitCodeOf, exitCodeOfSignal } from "../errors";
import { createLogger, type LogFormat, type Logger, type LogStreams } from "../log";
import { LOG_EVENT, RUN_OUTCOME } from "../logEvents";
import { systemPlatform, type Platform } from "../platform";
import { runReset } from "../reset";
import { runUpload, type ProgressLine } from "../run/upload";
import { runStatus } from "../status";
import { StoppedError, StopController, stopReasonOf } from "../stop";
import { postChunk } from "../transport";
import { runValidate } from "../validate";
import { readFlags } from "./args";
import { COMMANDS, isCommandName, type CommandName } from "./commands";
import { logFormatOf, numberFlag, resetConfigFrom, shutdownGraceMsOf, stateStoreOf, stringFlag, uploadConfigFrom, validateConfigFrom } from "./config";
import { envVarFor } from "./flags";
import { commandHelp, programHelp } from "./help";

/** What the process gives the run: time, the machine, and the stop its signals request. */
export interface Edge {
  readonly clock: Clock;
  readonly platform: Platform;
  readonly stop: StopController;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 20_000;

interface RunContext extends Edge {
  readonly env: NodeJS.ProcessEnv;
  readonly streams: LogStreams;
  readonly logger: Logger;
}
type Runner = (values: ReturnType<typeof readFlags>, context: RunContext) => Promise<number>;

const RUNNERS: Record<CommandName, Runner> = {
  validate: async (values, { env, logger, platform, stop }) => runValidate(await validateConfigFrom(values, env, platform), logger, stop.stop),
  upload: async (values, { env, streams, logger, clock, platform, stop }) => {
    stop.graceMs = shutdownGraceMsOf(values);
    const config = await uploadConfigFrom(values, env, platform, (message) => logger.warn("insecure-secret", message));
    const progress = logger.format === "text" && streams.stderr.isTTY ? terminalProgress(streams, clock) : undefined;
    return runUpload(config, { logger, clock, cancellation: stop, createTokenSource, post: postChunk, progress });
  },
  status: async (values, { env, logger, platform }) => runStatus(await stateStoreOf(values, env, platform), numberFlag(values, "limit", 20, { min: 1, max: 10_000, integer: true }), logger),
  reset: async (values, { env, logger, clock, platform }) => runReset(await resetConfigFrom(values, env, platform), logger, clock),
};

/** One self-overwriting status line on an interactive stderr, redrawn at most five times a second. */
function terminalProgress(streams: LogStreams, clock: Clock): ProgressLine {
  let lastDrawn = 0;
  let shown = false;
  return {
    update(text) {
      const now = clock.now();
      if (now - lastDrawn < 200) return;
      lastDrawn = now;
      shown = true;
      streams.stderr.write(`\r\x1b[K${text}`);
    },
    clear() {
      if (shown) streams.stderr.write("\r\x1b[K");
      shown = false;
    },
  };
}

/** The CLI edge: argv and environment in, exit code out. Nothing below it reads process.env or prints. */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  streams: LogStreams,
  edge: Edge = { clock: systemClock, platform: systemPlatform(), stop: new StopController(DEFAULT_SHUTDOWN_GRACE_MS) },
): Promise<number> {
  const [commandName, ...rest] = argv;
  if (commandName === undefined || commandName === "--help" || commandName === "-h" || commandName === "help") {
    (commandName === undefined ? streams.stderr : streams.stdout).write(programHelp());
    return commandName === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }

  // Until the flags are read, failures are reported in the format the environment asks for.
  let logger = createLogger(env[envVarFor("log-format")] === "json" ? "json" : "text", streams, () => new Date(edge.clock.now()));
  try {
    if (!isCommandName(commandName)) throw new UsageError(`unknown command "${commandName}" (commands: ${Object.keys(COMMANDS).join(", ")})`);
    const command = COMMANDS[commandName];
    const values = readFlags(command.name, command.flags, rest, env);
    if (values.help === true) {
      streams.stdout.write(commandHelp(command));
      return EXIT_CODES.ok;
    }
    const format: LogFormat = logFormatOf(stringFlag(values, "log-format"));
    logger = createLogger(format, streams, () => new Date(edge.clock.now()));
    return await RUNNERS[commandName](values, { ...edge, env, streams, logger });
  } catch (error) {
    return reportFailure(logger, error, edge.stop);
  }
}

function reportFailure(logger: Logger, error: unknown, stop: StopController): number {
  const reason = stopReasonOf(stop.stop);
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
