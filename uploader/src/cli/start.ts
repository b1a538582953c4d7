import { systemClock } from "./systemClock";
import { exitCodeOfSignal } from "../core/errors";
import { ignoringClosedPipe } from "../observe/log";
import { systemPlatform } from "./systemPlatform";
import { PROXY_VARIABLES } from "../net/proxy";
import type { StopSignalName } from "../core/stop";
import { StopController } from "./stopController";
import { DEFAULT_SHUTDOWN_GRACE_MS, main } from "./main";

// The validation worker's own bundle, which scripts/build.ts puts here as a string; not defined outside the bundle.
declare const HR_SLICE_WORKER_CODE: string | undefined;
const SLICE_WORKER_CODE = typeof HR_SLICE_WORKER_CODE === "string" ? HR_SLICE_WORKER_CODE : undefined;

/** After requests in flight are halted, the run has this long to record itself before the process ends anyway (inside Container Apps' 30 s). */
const WRAP_UP_MS = 8_000;

const SIGNALS: Record<string, StopSignalName> = { SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGHUP: "SIGHUP", SIGBREAK: "SIGINT" };

/** Runs the command line in this process: signals, the proxy variables, the exit code. bin.ts calls it once the runtime is known to be supported. */
export function start(argv: readonly string[], env: NodeJS.ProcessEnv): void {
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
    workerCode: SLICE_WORKER_CODE,
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
