import type { Clock } from "../../uploader/src/core/clock";

interface Sleeper {
  due: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told: `sleep` waits for `advance`. `runUntil`
 * moves time to the next sleeper each time the code under test goes to sleep,
 * so lease, heartbeat and grace periods of minutes pass in milliseconds while
 * the real I/O between them runs for real.
 */
export class ManualClock implements Clock {
  private readonly sleepers = new Set<Sleeper>();
  private readonly onSleep: Array<() => void> = [];
  private readonly listeners: Array<(now: number) => void> = [];

  constructor(private time = Date.parse("2026-12-01T06:00:00Z")) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        due: this.time + ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
      signal?.addEventListener("abort", onAbort, { once: true });
      for (const notify of this.onSleep.splice(0)) notify();
    });
  }

  /** Calls `listener` after every move of time: a simulated process that acts in this clock's time. */
  onAdvance(listener: (now: number) => void): void {
    this.listeners.push(listener);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const listener of this.listeners) listener(this.time);
    for (const sleeper of [...this.sleepers].sort((a, b) => a.due - b.due)) {
      if (sleeper.due > this.time) continue;
      this.sleepers.delete(sleeper);
      sleeper.resolve();
    }
  }

  /** Settles `promise`, moving time to the next sleeper whenever everything is asleep; fails after `maxSteps` moves. */
  async runUntil<T>(promise: Promise<T>, maxSteps = 10_000): Promise<T> {
    let settled = false;
    const done = promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let step = 0; !settled; step++) {
      if (step >= maxSteps) throw new Error(`still not settled after ${maxSteps} clock moves`);
      await Promise.race([done, this.someoneSleeps()]);
      await new Promise((tick) => setImmediate(tick)); // let whatever woke with it go to sleep too
      if (settled) break;
      const next = Math.min(...[...this.sleepers].map((sleeper) => sleeper.due));
      if (Number.isFinite(next)) this.advance(next - this.time);
    }
    return promise;
  }

  /** Resolves once something waits on this clock: a simulated loop has finished its step and gone to sleep. */
  someoneSleeps(): Promise<void> {
    if (this.sleepers.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.onSleep.push(resolve));
  }
}
