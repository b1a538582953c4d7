import { createTokenSource } from "../auth/tokenSource";
import type { Clock } from "../core/clock";
import { EXIT_CODES, UsageError } from "../core/errors";
import { createLogger, type Logger, type LogStreams } from "../observe/log";
import type { Platform } from "../core/platform";
import { systemPlatform } from "./systemPlatform";
import { runReset } from "../run/reset";
import { runUpload } from "../run/upload";
import type { ProgressLine } from "../run/uploadConfig";
import { runStatus } from "../observe/status";
import { postChunk } from "../ingest/transport";
import { runValidate } from "../run/validate";
import { SLICE_BYTES, type ValidationWorkers } from "../validation/inSlices";
import { asksFor, readFlags, type Flags } from "./args";
import { COMMANDS, isCommandName, type CommandName } from "./commands";
import { logFormatOf, resetConfigFrom, shutdownGraceMsOf, uploadConfigFrom, validateConfigFrom } from "./config";
import { httpsFlag, numberFlag } from "./flagValues";
import { stateStoreOf, type ConfigEdge } from "./storeWiring";
import { earlyLogFormat, reportFailure } from "./failure";
import { commandHelp, programHelp } from "./help";
import { StopController } from "./stopController";
import { systemClock } from "./systemClock";
import { VERSION } from "./version";

/** What the process gives the run: time, the machine, and the stop its signals request. */
export interface Edge {
  readonly clock: Clock;
  readonly platform: Platform;
  readonly stop: StopController;
  /** The validation worker's code, which the bundle carries (`--validation-threads`); absent outside the bundle, and validation stays on this thread. */
  readonly workerCode?: string;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 20_000;

interface RunContext extends Edge {
  readonly env: NodeJS.ProcessEnv;
  readonly streams: LogStreams;
  readonly logger: Logger;
}
type Runner = (flags: Flags, context: RunContext) => Promise<number>;

const RUNNERS: Record<CommandName, Runner> = {
  validate: async (flags, context) => {
    // Every flag is read before the configuration opens the file: a usage error after it would leave the file open.
    const validationWorkers = validationWorkersOf(flags, context.workerCode, context.logger);
    return runValidate(await validateConfigFrom(flags, configEdge(context)), context.logger, context.stop.stop, validationWorkers);
  },
  upload: async (flags, context) => {
    const { streams, logger, clock, stop, workerCode } = context;
    const validationWorkers = validationWorkersOf(flags, workerCode, logger);
    stop.graceMs = shutdownGraceMsOf(flags);
    const config = await uploadConfigFrom(flags, configEdge(context), (message) => logger.warn("insecure-secret", message));
    const progress = logger.format === "text" && streams.stderr.isTTY ? terminalProgress(streams, clock) : undefined;
    return runUpload(config, { logger, clock, cancellation: stop, createTokenSource, post: postChunk, progress, validationWorkers });
  },
  status: async (flags, context) =>
    runStatus(await stateStoreOf(flags, configEdge(context)), { limit: numberFlag(flags, "limit", 20, { min: 1, max: 10_000, integer: true }), dashboardUrl: httpsFlag(flags, "dashboard-url") }, context.logger),
  reset: async (flags, context) => runReset(await resetConfigFrom(flags, configEdge(context)), context.logger, context.clock),
};

/** What reading the configuration takes from the run's context; Storage calls end with the command's halt. */
const configEdge = ({ env, platform, clock, stop }: RunContext): ConfigEdge => ({ env, platform, clock, cancellation: stop });

/** `--validation-threads`: worker threads started from the code the bundle carries, or none (said once, when asked for). */
function validationWorkersOf(flags: Flags, workerCode: string | undefined, logger: Logger): ValidationWorkers | undefined {
  const threads = numberFlag(flags, "validation-threads", 0, { min: 0, max: 16, integer: true });
  if (threads === 0) return undefined;
  if (workerCode === undefined) {
    logger.warn("validation-threads", "--validation-threads needs the bundle (dist/hr-upload.js); validating on this thread");
    return undefined;
  }
  logger.info("validation-threads", `checking records on ${threads} worker threads besides this one, ${SLICE_BYTES / 1024 / 1024} MiB at a time`, { threads });
  return { code: workerCode, threads, sliceBytes: SLICE_BYTES };
}

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
  if (commandName === undefined || commandName === "--help" || commandName === "-h") {
    (commandName === undefined ? streams.stderr : streams.stdout).write(programHelp());
    return commandName === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (commandName === "--version") return printVersion(streams);

  // Until the flags are read, failures are reported in the format asked for, if it can be told.
  const now = () => new Date(edge.clock.now());
  let logger = createLogger(earlyLogFormat(rest, env), streams, now, VERSION);
  try {
    if (commandName === "help") return printHelp(rest, streams);
    const command = commandNamed(commandName);
    if (asksFor(rest, "help")) {
      streams.stdout.write(commandHelp(command));
      return EXIT_CODES.ok;
    }
    if (asksFor(rest, "version")) return printVersion(streams);
    const flags = readFlags(command.name, command.flags, rest, env);
    logger = createLogger(logFormatOf(flags), streams, now, VERSION);
    return await RUNNERS[command.name](flags, { ...edge, env, streams, logger });
  } catch (error) {
    return reportFailure(logger, error, edge.stop.stop);
  }
}

function commandNamed(name: string): (typeof COMMANDS)[CommandName] {
  if (!isCommandName(name)) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(", ")}); see hr-upload --help`);
  return COMMANDS[name];
}

/** `hr-upload help [command]`. */
function printHelp(args: readonly string[], streams: LogStreams): number {
  if (args.length > 1) throw new UsageError("hr-upload help takes one command name, e.g. hr-upload help upload");
  streams.stdout.write(args[0] === undefined ? programHelp() : commandHelp(commandNamed(args[0])));
  return EXIT_CODES.ok;
}

function printVersion(streams: LogStreams): number {
  streams.stdout.write(`hr-upload ${VERSION}\n`);
  return EXIT_CODES.ok;
}
