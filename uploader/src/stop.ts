import type { Clock } from "./clock";

/** Why a run was asked to stop: a signal from the platform (or the user), or the loss of the run lock. */
export type StopReason = { readonly kind: "signal"; readonly signal: StopSignalName } | { readonly kind: "lock-lost"; readonly detail: string };
export type StopSignalName = "SIGTERM" | "SIGINT" | "SIGHUP";

/**
 * The run's cancellation, as two signals from one source:
 * - `stop`: start nothing new (no chunk, no retry, no backoff sleep, no token request);
 * - `halt`: also abandon requests in flight. It follows `stop` after the grace period,
 *   or at once on a second request.
 * Only the CLI edge creates one and maps process signals onto it; everything below
 * just honours the two signals.
 */
export interface RunCancellation {
  readonly stop: AbortSignal;
  readonly halt: AbortSignal;
}

export class StopController implements RunCancellation {
  private readonly stopping = new AbortController();
  private readonly halting = new AbortController();
  private graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** How long requests in flight may finish after a stop (`--shutdown-grace`); set once the flags are read. */
    public graceMs: number,
    private readonly setTimer: (callback: () => void, ms: number) => ReturnType<typeof setTimeout> = (callback, ms) => setTimeout(callback, ms),
  ) {
    this.halting.signal.addEventListener("abort", () => clearTimeout(this.graceTimer), { once: true });
  }

  get stop(): AbortSignal {
    return this.stopping.signal;
  }

  get halt(): AbortSignal {
    return this.halting.signal;
  }

  /** The first request stops new work and starts the grace period; a second one halts at once. */
  request(reason: StopReason): void {
    if (this.stopping.signal.aborted) {
      this.halting.abort(reason);
      return;
    }
    this.stopping.abort(reason);
    this.graceTimer = this.setTimer(() => this.halting.abort(reason), this.graceMs);
    this.graceTimer.unref?.();
  }

  /** The run is over: no grace timer may outlive it. */
  dispose(): void {
    clearTimeout(this.graceTimer);
  }
}

/** A cancellation that never fires, for runs nothing can interrupt (tests, validate). */
export const NEVER_CANCELLED: RunCancellation = { stop: new AbortController().signal, halt: new AbortController().signal };

export function stopReasonOf(signal: AbortSignal): StopReason | undefined {
  const reason = signal.reason as StopReason | undefined;
  return signal.aborted && reason !== undefined && typeof reason === "object" && "kind" in reason ? reason : undefined;
}

/** Thrown where work ends because a stop was requested; the orchestration turns it into the `interrupted` outcome. */
export class StoppedError extends Error {
  override readonly name = "StoppedError";
  constructor(readonly reason: StopReason | undefined) {
    super("stopped");
  }
}

export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new StoppedError(stopReasonOf(signal));
}

/**
 * A signal for one request: aborts when `parent` does or after `timeoutMs`.
 * Listens on the long-lived parent only until `release`, so a run of thousands of
 * requests leaves no listeners behind (AbortSignal.any on a long-lived parent leaks, nodejs/node#54614).
 */
export function requestSignal(parent: AbortSignal, timeoutMs: number, clock: Pick<Clock, "sleep">): { signal: AbortSignal; timedOut: () => boolean; release: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onParent, { once: true });
  const timer = new AbortController();
  clock.sleep(timeoutMs, timer.signal).then(
    () => {
      timedOut = true;
      controller.abort(new DOMException("request timed out", "TimeoutError"));
    },
    () => undefined,
  );
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release: () => {
      parent.removeEventListener("abort", onParent);
      timer.abort();
    },
  };
}
