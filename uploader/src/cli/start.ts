import { availableParallelism } from "node:os";
import { systemClock } from "../clock";
import { exitCodeOfSignal } from "../errors";
import { ignoringClosedPipe } from "../log";
import { systemPlatform } from "../platform";
import { PROXY_VARIABLES } from "../proxy";
import { StopController, type StopSignalName } from "../stop";
import { DEFAULT_SHUTDOWN_GRACE_MS, main } from "./main";

/** After requests in flight are halted, the run has this long to record itself before the process ends anyway (inside Container Apps' 30 s). */
const WRAP_UP_MS = 8_000;

const SIGNALS: Record<string, StopSignalName> = { SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGHUP: "SIGHUP", SIGBREAK: "SIGINT" };

/** Bytes of a file checked on this thread before the rest goes to worker threads, and the size of their slices. */
const VALIDATION_SLICE_BYTES = 1024 * 1024;
/** More threads than this gain nothing: this thread reads, hashes and merges the slices at its own pace. */
const MAX_VALIDATION_THREADS = 4;

/**
 * Runs the command line in this process: signals, the proxy variables, the exit code. bin.ts calls it once the
 * runtime is known to be supported, with its own file (`bundle`): validation starts its worker threads from it.
 */
export function start(argv: readonly string[], env: NodeJS.ProcessEnv, bundle: string): void {
  const stop = new StopController(DEFAULT_SHUTDOWN_GRACE_MS);
  // Listening replaces Node's default exit, and makes SIGTERM reach node when it runs as PID 1 (the container's entry point).
  for (const [received, signal] of Object.entries(SIGNALS)) {
    process.on(received as NodeJS.Signals, () => stop.request({ kind: "signal", signal }));
  }
  stop.halt.addEventListener("abort", () => {
    const reason = stop.halt.reason as { signal?: StopSignalName } | undefined;
    setTimeout(() => process.exit(exitCodeOfSignal(reason?.signal ?? "SIGTERM")), WRAP_UP_MS).unref();
  });

  // The proxy variables are read once, by the rule every request follows (proxy.ts), then taken out of the
  // process environment so that no library applies its own reading of them.
  for (const variable of PROXY_VARIABLES) delete process.env[variable];

  main(argv, env, { stdout: ignoringClosedPipe(process.stdout), stderr: ignoringClosedPipe(process.stderr) }, {
    clock: systemClock,
    platform: systemPlatform(),
    stop,
    validationWorkers: { script: bundle, threads: Math.min(MAX_VALIDATION_THREADS, availableParallelism()), sliceBytes: VALIDATION_SLICE_BYTES },
  }).then(
    (code) => {
      stop.dispose();
      process.exitCode = code;
      // Keep-alive sockets of the SDKs must not hold the process open once the run has ended.
      setTimeout(() => process.exit(code), 1_000).unref();
    },
    () => {
      process.exitCode = 1;
    },
  );
}
