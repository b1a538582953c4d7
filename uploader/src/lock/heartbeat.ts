import type { Clock } from "../core/clock";
import { lostLockError, type RunLock } from "./runLock";

/** What one kind of lock does while it is held; `lost` records a loss found (told to the run once, whoever finds it first). */
export interface LockHolding {
  /** One heartbeat: renew the lease, touch the file. */
  beat(lost: (detail: string) => void): Promise<void>;
  /** Whether it still holds, without waiting on I/O: after every beat and before every request attempt. */
  check(lost: (detail: string) => void): void;
  /** Gives the lock back, once the heartbeat has stopped. */
  giveBack(): Promise<void>;
}

/**
 * A held lock with its heartbeat, the same for every lock: beats every `everyMs` on the run's clock until released
 * (the first at once when `beatAtOnce`, before the lock is handed over), and once a loss is found, says so once and
 * refuses every request after (exit 5).
 */
export async function keepHeld(clock: Clock, everyMs: number, holding: LockHolding, onLost: (detail: string) => void, beatAtOnce: boolean): Promise<RunLock> {
  let lost: string | undefined;
  const markLost = (detail: string) => {
    if (lost !== undefined) return;
    lost = detail;
    onLost(detail);
  };
  const beat = async () => {
    await holding.beat(markLost);
    holding.check(markLost);
  };
  if (beatAtOnce) await beat();
  const ended = new AbortController();
  const beating = (async () => {
    while (!ended.signal.aborted) {
      await clock.sleep(everyMs, ended.signal).catch(() => undefined);
      if (!ended.signal.aborted) await beat();
    }
  })();
  return {
    assertHeld() {
      holding.check(markLost);
      if (lost !== undefined) throw lostLockError(lost);
    },
    async release() {
      ended.abort();
      await beating;
      await holding.giveBack();
    },
  };
}
