import { backoffDelayMs, isRetryableStatus, parseRetryAfter, withRetries, type Verdict } from "../../uploader/src/net/retry";
import { StopController } from "../../uploader/src/cli/stopController";
import { StoppedError, requestSignal } from "../../uploader/src/core/stop";
import { ManualClock } from "../support/clock";

const policy = { maxRetries: 8, baseDelayMs: 5000, maxDelayMs: 300_000 };

describe("retry policy", () => {
  it("retries transient statuses only", () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 501].some(isRetryableStatus)).toBe(false);
  });

  it("backs off exponentially with full jitter, capped", () => {
    expect(backoffDelayMs(0, policy, undefined, () => 0.999)).toBe(4995);
    expect(backoffDelayMs(3, policy, undefined, () => 0.5)).toBe(20_000);
    expect(backoffDelayMs(3, policy, undefined, () => 0)).toBe(0);
    expect(backoffDelayMs(20, policy, undefined, () => 1)).toBe(300_000);
  });

  it("lets Retry-After win, clamped to the cap", () => {
    expect(backoffDelayMs(0, policy, 12_000, () => 0)).toBe(12_000);
    expect(backoffDelayMs(0, policy, 3_600_000)).toBe(300_000);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-24T12:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter("Tue, 24 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 24 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("the one retry loop", () => {
  const loop = (clock: ManualClock, stop = new AbortController().signal, waits: number[] = []) => ({
    policy,
    clock,
    stop,
    random: () => 1,
    onRetry: (_reason: string, waitMs: number) => waits.push(waitMs),
    exhausted: (attempts: number, reason: string) => new Error(`gave up after ${attempts} (${reason})`),
  });

  it("retries until done, waiting the policy's backoff in the injected clock's time", async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    const verdicts: Verdict<string>[] = [{ kind: "retry", reason: "HTTP 503" }, { kind: "retry", reason: "HTTP 429", retryAfterMs: 42_000 }, { kind: "done", value: "ok" }];
    const started = clock.now();
    expect(await clock.runUntil(withRetries(async () => verdicts.shift() as Verdict<string>, loop(clock, undefined, waits)))).toBe("ok");
    expect(waits).toEqual([5000, 42_000]);
    expect(clock.now() - started).toBe(47_000);
  });

  it("ends at once on a final verdict, and after maxRetries with the exhausted error", async () => {
    const clock = new ManualClock();
    await expect(withRetries(async () => ({ kind: "fail", error: new Error("refused") }), loop(clock))).rejects.toThrow("refused");
    let attempts = 0;
    await expect(
      clock.runUntil(
        withRetries(async () => {
          attempts++;
          return { kind: "retry", reason: "HTTP 500" };
        }, loop(clock)),
      ),
    ).rejects.toThrow("gave up after 9 (HTTP 500)");
    expect(attempts).toBe(9);
  });

  it("starts no attempt and no backoff once stopped, and a stop ends a backoff sleep at once", async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    let attempts = 0;
    const running = withRetries(async () => {
      attempts++;
      return { kind: "retry", reason: "HTTP 503" };
    }, loop(clock, stop.signal));
    await new Promise((tick) => setImmediate(tick)); // the first attempt failed; the loop sleeps 5 s
    stop.abort({ kind: "signal", signal: "SIGTERM" });
    await expect(running).rejects.toBeInstanceOf(StoppedError);
    expect(attempts).toBe(1);
    await expect(withRetries(async () => ({ kind: "done", value: 1 }), loop(clock, stop.signal))).rejects.toMatchObject({ reason: { kind: "signal", signal: "SIGTERM" } });
  });
});

describe("bounds on the one retry loop", () => {
  const failing = (clock: ManualClock, attemptMs: number, verdict: Verdict<never>) => {
    let attempts = 0;
    const attempt = async (): Promise<Verdict<never>> => {
      attempts++;
      await clock.sleep(attemptMs); // every attempt fails at its timeout
      return verdict;
    };
    return { attempt, attempts: () => attempts };
  };

  it("ends a loop within its budget: no retry starts that could end past the total", async () => {
    const clock = new ManualClock();
    const started = clock.now();
    const { attempt, attempts } = failing(clock, 30_000, { kind: "retry", reason: "no answer" });
    const error = await clock
      .runUntil(withRetries(attempt, { policy, clock, stop: new AbortController().signal, random: () => 1, budget: { totalMs: 120_000, attemptMs: 30_000 }, exhausted: (tries, reason, elapsedMs) => new Error(`${tries} tries over ${elapsedMs} ms (${reason})`) }))
      .catch((thrown: Error) => thrown);
    // 30 s, wait 5 s, 30 s, wait 10 s, 30 s: a third wait of 20 s and 30 s more would end at 155 s.
    expect(error).toEqual(new Error("3 tries over 105000 ms (no answer)"));
    expect(clock.now() - started).toBe(105_000);
    expect(attempts()).toBe(3);
  });

  it("retries a failure with a window only while the next attempt starts inside it, then throws the window's own error", async () => {
    const clock = new ManualClock();
    const giveUp = (tries: number, elapsedMs: number) => new Error(`proxy: ${tries} tries over ${elapsedMs} ms`);
    const { attempt, attempts } = failing(clock, 0, { kind: "retry", reason: "proxy refused", within: { ms: 30_000, giveUp } });
    const error = await clock.runUntil(withRetries(attempt, { policy, clock, stop: new AbortController().signal, random: () => 1, exhausted: () => new Error("exhausted") })).catch((thrown: Error) => thrown);
    // Waits of 5, 10 then 20 s would start the fourth attempt at 35 s: it gives up at 15 s instead.
    expect(error).toEqual(new Error("proxy: 3 tries over 15000 ms"));
    expect(attempts()).toBe(3);
  });
});

describe("stop controller", () => {
  it("stops new work on the first request, halts requests in flight after the grace period or at a second request", () => {
    const timers: Array<{ callback: () => void; ms: number }> = [];
    const stop = new StopController(20_000, (callback, ms) => {
      timers.push({ callback, ms });
      return setTimeout(() => undefined, 0);
    });
    stop.request({ kind: "signal", signal: "SIGTERM" });
    expect([stop.stop.aborted, stop.halt.aborted]).toEqual([true, false]);
    expect(timers.map(({ ms }) => ms)).toEqual([20_000]);
    timers[0]!.callback();
    expect(stop.halt.aborted).toBe(true);

    const twice = new StopController(20_000);
    twice.request({ kind: "signal", signal: "SIGINT" });
    twice.request({ kind: "signal", signal: "SIGINT" });
    expect(twice.halt.aborted).toBe(true);
    twice.dispose();
  });

  it("gives each request a signal that follows the run's and its own timeout, and lets go of the run's afterwards", async () => {
    const clock = new ManualClock();
    const run = new AbortController();
    const timed = requestSignal(run.signal, 1000, clock);
    await clock.runUntil(new Promise<void>((resolve) => timed.signal.addEventListener("abort", () => resolve())));
    expect(timed.timedOut()).toBe(true);
    timed.release();
    const halted = requestSignal(run.signal, 60_000, clock);
    run.abort("halt");
    expect(halted.signal.aborted && !halted.timedOut()).toBe(true);
    halted.release();
  });
});
