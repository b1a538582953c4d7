import type { Chunk } from "../../uploader/src/csv/chunking";
import { StateWriteError, UploadError } from "../../uploader/src/core/errors";
import { RecordRanges } from "../../uploader/src/csv/recordRanges";
import { CheckpointWriter } from "../../uploader/src/state/checkpointWriter";
import { abandonVersion, clearInFlight, completeVersion, markDelivered, markInFlight, newJobState, sawContent, startVersion, takeOverVersion } from "../../uploader/src/state/jobState";
import { runPool } from "../../uploader/src/run/workerPool";
import type { JobState, StateStore } from "../../uploader/src/state/stateStore";
import { NEVER_CANCELLED, StoppedError } from "../../uploader/src/core/stop";
import { ManualClock } from "../support/clock";

const JOB_ID = "e081f4f4-3831-48d6-7bb3-fcfab1581458";
const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const AT = "2026-12-01T06:00:00.000Z";

const chunk = (start: number, end: number): Chunk => ({
  index: 0,
  records: RecordRanges.of([[start, end]]),
  recordCount: end - start,
  firstLine: start + 2,
  byteRanges: [],
  bytes: 0,
});

const started = (delivered?: RecordRanges) =>
  startVersion(newJobState(JOB_ID, AT), { sha256: SHA_A, file: "/hr/a.csv", bytes: 100, pinned: { name: "pinned/k.csv" }, fingerprint: "f", recordsTotal: 10, delivered }, AT);

describe("the delivery protocol's state transitions", () => {
  it("marks a chunk in flight before it is sent and delivered after its answer, by records", () => {
    let state = markInFlight(started(), chunk(0, 4), AT);
    state = markInFlight(state, chunk(4, 8), AT);
    expect(state.pending?.inFlight.map((entry) => entry.firstLine)).toEqual([2, 6]);
    state = markDelivered(state, chunk(4, 8), false, true);
    state = clearInFlight(state, chunk(0, 4));
    expect(state.pending).toMatchObject({ delivered: [[4, 8]], recordsDelivered: 4, inFlight: [], runs: 1 });
  });

  it("counts what a dead run left in flight as possibly duplicated when a new run takes the version over", () => {
    const left = markInFlight(markInFlight(started(), chunk(0, 4), AT), chunk(4, 6), AT);
    expect(takeOverVersion(left, 10, "g").pending).toMatchObject({ inFlight: [], recordsPossiblyDuplicated: 6, fingerprint: "g" });
  });

  it("moves a complete version to the deliveries, newest first, and remembers what each file held since when", () => {
    let state = completeVersion(markDelivered(started(), chunk(0, 10), false, true), "2026-12-01T07:00:00.000Z");
    expect(state.pending).toBeUndefined();
    expect(state.deliveries[0]).toMatchObject({ sha256: SHA_A, records: 10, runs: 1, completedAt: "2026-12-01T07:00:00.000Z" });
    state = sawContent(state, "/hr/a.csv", SHA_A, AT);
    expect(sawContent(state, "/hr/a.csv", SHA_A, "2026-12-02T00:00:00.000Z").files["/hr/a.csv"]?.since).toBe(AT);
    expect(sawContent(state, "/hr/a.csv", SHA_B, "2026-12-02T00:00:00.000Z").files["/hr/a.csv"]).toEqual({ sha256: SHA_B, since: "2026-12-02T00:00:00.000Z" });
    expect(abandonVersion(started()).pending).toBeUndefined();
  });
});

describe("checkpoint writer", () => {
  const store = (save: StateStore["saveJobState"]) => ({ saveJobState: save }) as unknown as StateStore;

  it("coalesces changes made during a write into the next one, and resolves each commit once its change is stored", async () => {
    const written: JobState[] = [];
    let release: () => void = () => undefined;
    const writer = new CheckpointWriter(
      store(async (_key, state) => {
        written.push(state);
        if (written.length === 1) await new Promise<void>((resolve) => (release = resolve));
      }),
      "k",
      started(),
      "run-1",
      new ManualClock(),
      NEVER_CANCELLED.halt,
    );
    const first = writer.commit((state) => markInFlight(state, chunk(0, 2), AT));
    await new Promise((tick) => setImmediate(tick));
    const second = writer.commit((state) => markInFlight(state, chunk(2, 4), AT));
    const third = writer.commit((state) => markInFlight(state, chunk(4, 6), AT));
    release();
    await Promise.all([first, second, third]);
    expect(written.map((state) => [state.revision, state.pending?.inFlight.length])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    expect(written.every((state) => state.writtenBy === "run-1")).toBe(true);
  });

  it("tries a failed write again, and gives up with the store's error when it keeps failing", async () => {
    const clock = new ManualClock();
    let failures = 2;
    const flaky = new CheckpointWriter(
      store(async () => {
        if (failures-- > 0) throw new StateWriteError("/state", "ENOSPC: no space left on device");
      }),
      "k",
      started(),
      "run-1",
      clock,
      NEVER_CANCELLED.halt,
    );
    await clock.runUntil(flaky.commit((state) => state));
    const full = new CheckpointWriter(
      store(async () => {
        throw new StateWriteError("/state", "ENOSPC: no space left on device");
      }),
      "k",
      started(),
      "run-1",
      clock,
      NEVER_CANCELLED.halt,
    );
    await expect(clock.runUntil(full.commit((state) => state))).rejects.toThrow(/ENOSPC/);
    const conflict = new CheckpointWriter(
      store(async () => {
        throw new UploadError("another run changed this job's state meanwhile");
      }),
      "k",
      started(),
      "run-1",
      clock,
      NEVER_CANCELLED.halt,
    );
    await expect(conflict.commit((state) => state)).rejects.toThrow(/another run/); // not retried
  });

  it("stops retrying a failed write when the run halts: no further try, the backoff sleep cut short; a write asked for after the halt is tried once", async () => {
    const clock = new ManualClock();
    const halt = new AbortController();
    let tries = 0;
    const writerOnAFullDisk = () =>
      new CheckpointWriter(
        store(async () => {
          tries++;
          throw new StateWriteError("/state", "ENOSPC: no space left on device");
        }),
        "k",
        started(),
        "run-1",
        clock,
        halt.signal,
      );
    const commit = writerOnAFullDisk().commit((state) => state);
    const outcome = commit.catch((error: unknown) => error);
    await new Promise((tick) => setImmediate(tick)); // the first try failed; the writer sleeps before the second
    expect(tries).toBe(1);
    halt.abort({ kind: "signal", signal: "SIGTERM" });
    expect(await outcome).toBeInstanceOf(StoppedError);
    expect(tries).toBe(1);
    // Halted before it starts, a write is still tried once (it records what already happened: a delivered mark
    // queued behind another write must land), and lands; a failing one is not tried again.
    let saved = 0;
    const halted = new CheckpointWriter(store(async () => void saved++), "k", started(), "run-1", clock, halt.signal);
    await halted.commit((state) => state);
    expect(saved).toBe(1);
    await expect(writerOnAFullDisk().commit((state) => state)).rejects.toBeInstanceOf(StoppedError);
    expect(tries).toBe(2);
  });
});

describe("worker pool", () => {
  it("runs at most N at once, starts nothing after a stop or a failure, and lets started work finish", async () => {
    const stop = new AbortController();
    let running = 0;
    let peak = 0;
    const finished: number[] = [];
    const started = await runPool([1, 2, 3, 4, 5, 6, 7, 8], 3, stop.signal, async (item) => {
      running++;
      peak = Math.max(peak, running);
      if (item === 4) stop.abort();
      await new Promise((later) => setTimeout(later, 5));
      finished.push(item);
      running--;
    });
    expect(peak).toBe(3);
    expect(started).toBe(4);
    expect(finished.sort()).toEqual([1, 2, 3, 4]);

    const done: number[] = [];
    await expect(
      runPool([1, 2, 3, 4], 2, new AbortController().signal, async (item) => {
        if (item === 1) throw new StoppedError(undefined);
        await new Promise((later) => setTimeout(later, 5));
        done.push(item);
      }),
    ).rejects.toBeInstanceOf(StoppedError);
    expect(done).toEqual([2]);
  });
});
