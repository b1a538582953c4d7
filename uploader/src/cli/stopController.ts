import type { RunCancellation, StopReason } from "../core/stop";

/** The run's one source of cancellation (see RunCancellation): the edge creates it and times the grace period. */
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
