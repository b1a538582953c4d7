import type { Clock } from "./clock";

/** Why a run was asked to stop: a signal from the platform (or the user), or the loss of the run lock. */
export type StopReason = { readonly kind: "signal"; readonly signal: StopSignalName } | { readonly kind: "lock-lost"; readonly detail: string };
export type StopSignalName = "SIGTERM" | "SIGINT" | "SIGHUP";

/**
 * The run's cancellation, as two signals from one source:
 * - `stop`: start nothing new (no chunk, no retry, no backoff sleep, no token request);
 * - `halt`: also abandon requests in flight. It follows `stop` after the grace period,
 *   or at once on a second request.
 * Only the CLI edge creates one (cli/stopController.ts) and maps process signals
 * onto it; everything below just honours the two signals.
 */
export interface RunCancellation {
  readonly stop: AbortSignal;
  readonly halt: AbortSignal;
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

/** The parts of an AbortSignal a link needs (the Azure SDK's AbortSignalLike has them too). */
type ParentSignal = Pick<AbortSignal, "aborted" | "reason" | "addEventListener" | "removeEventListener">;

/**
 * A signal that aborts when any parent does, with its reason. Listens on the
 * (long-lived) parents only until `release`, so a run of thousands of requests
 * leaves no listeners behind (AbortSignal.any on a long-lived parent leaks, nodejs/node#54614).
 */
export function linkedSignal(...parents: readonly (ParentSignal | undefined)[]): { signal: AbortSignal; abort: (reason: unknown) => void; release: () => void } {
  const controller = new AbortController();
  const unlinks = parents.map((parent) => {
    if (parent === undefined || parent.aborted) {
      if (parent?.aborted) controller.abort(parent.reason);
      return () => undefined;
    }
    const onAbort = () => controller.abort(parent.reason);
    parent.addEventListener("abort", onAbort, { once: true });
    return () => parent.removeEventListener("abort", onAbort);
  });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    release: () => unlinks.forEach((unlink) => unlink()),
  };
}

/** A signal for one request: aborts when `parent` does or after `timeoutMs`. */
export function requestSignal(parent: AbortSignal, timeoutMs: number, clock: Pick<Clock, "sleep">): { signal: AbortSignal; timedOut: () => boolean; release: () => void } {
  const link = linkedSignal(parent);
  let timedOut = false;
  const timer = new AbortController();
  clock.sleep(timeoutMs, timer.signal).then(
    () => {
      timedOut = true;
      link.abort(new DOMException("request timed out", "TimeoutError"));
    },
    () => undefined,
  );
  return {
    signal: link.signal,
    timedOut: () => timedOut,
    release: () => {
      link.release();
      timer.abort();
    },
  };
}

/** Runs one request with its own signal (`parent`, or `timeoutMs` on `clock`), released when it ends. */
export async function withRequestSignal<T>(parent: AbortSignal, timeoutMs: number, clock: Pick<Clock, "sleep">, send: (request: { signal: AbortSignal; timedOut: () => boolean }) => Promise<T>): Promise<T> {
  const request = requestSignal(parent, timeoutMs, clock);
  try {
    return await send(request);
  } finally {
    request.release();
  }
}
