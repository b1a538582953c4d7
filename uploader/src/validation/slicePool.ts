import { Worker } from "node:worker_threads";
import type { ReaderPosition } from "../csv/reader";
import { stopReasonOf, StoppedError } from "../core/stop";
import type { Slice } from "./slicer";
import { SliceChecker, type SliceResult, type SliceTask, type SliceWorkerSetup } from "./sliceCheck";

// A worker's V8 heap grows with the garbage of parsing; a small young generation keeps each worker's RSS small.
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * Worker threads checking slices, each started from `code` (the slice
 * worker's own bundle, which the CLI's bundle carries), and this thread
 * taking its turn: of every `threads + 1` slices, it checks one itself
 * while the workers check theirs.
 */
export class SlicePool {
  private readonly workers: Worker[];
  private readonly here: SliceChecker;
  private readonly waiting = new Map<number, { resolve: (result: SliceResult) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(code: string, threads: number, setup: SliceWorkerSetup) {
    this.here = new SliceChecker(setup);
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(code, { eval: true, workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB }, stdout: false, stderr: false });
      worker.on("message", (result: SliceResult) => {
        const waiter = this.waiting.get(result.id);
        this.waiting.delete(result.id);
        waiter?.resolve(result);
      });
      // A worker that dies is a bug in hr-upload: every slice still waiting fails with it.
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => this.fail(new Error(`a validation worker exited (code ${code})`)));
      return worker;
    });
  }

  /** Checks a slice here, or sends it (a copy of its bytes) to the next worker, in turn; resolves with its result. */
  check(slice: Slice, from: ReaderPosition): Promise<SliceResult> {
    const id = this.nextId++;
    if (id % (this.workers.length + 1) === this.workers.length) return Promise.resolve(this.here.check(id, from, slice.pieces));
    const bytes = new Uint8Array(slice.length);
    let at = 0;
    for (const piece of slice.pieces) {
      bytes.set(piece, at);
      at += piece.length;
    }
    const task: SliceTask = { id, from, bytes };
    return new Promise<SliceResult>((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      this.waiting.set(id, { resolve, reject });
      (this.workers[id % (this.workers.length + 1)] as Worker).postMessage(task, [bytes.buffer]);
    });
  }

  /** Ends every worker; results still to come are dropped. */
  async close(): Promise<void> {
    this.failure ??= new Error("the validation workers were closed");
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/** `promise`, or a StoppedError as soon as `stop` aborts. */
export function untilStopped<T>(promise: Promise<T>, stop: AbortSignal | undefined): Promise<T> {
  if (stop === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onStop = () => reject(new StoppedError(stopReasonOf(stop)));
    if (stop.aborted) return onStop();
    stop.addEventListener("abort", onStop, { once: true });
    promise.then(resolve, reject).finally(() => stop.removeEventListener("abort", onStop));
  });
}
