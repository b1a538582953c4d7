import { isoAt, type Clock } from "../core/clock";
import { StateWriteError } from "../core/errors";
import type { JobState, StateStore } from "./stateStore";

/** A failed state write is tried again this many times, backing off (a disk freeing up, a storage blip). */
const WRITE_RETRIES = 3;
const WRITE_RETRY_BASE_MS = 250;

/**
 * Persists the job's state as the run changes it. Changes apply at once in
 * memory; writes are serialised and coalesced (changes made while a write is
 * under way go out together in the next one), and `commit` resolves once a
 * write holding its change has reached the store. That is what makes a
 * write-ahead mark safe: the request waits for it.
 */
export class CheckpointWriter {
  private writing: Promise<void> = Promise.resolve();
  private next: { promise: Promise<void> } | undefined;
  private revision: number;

  constructor(
    private readonly store: StateStore,
    private readonly jobKey: string,
    private state: JobState,
    private readonly runId: string,
    private readonly clock: Clock,
  ) {
    this.revision = state.revision;
  }

  get current(): JobState {
    return this.state;
  }

  commit(change: (state: JobState) => JobState): Promise<void> {
    this.state = change(this.state);
    if (this.next === undefined) {
      const promise = this.writing.then(
        () => this.flush(),
        () => this.flush(),
      );
      this.next = { promise };
      this.writing = promise;
    }
    return this.next.promise;
  }

  private async flush(): Promise<void> {
    this.next = undefined; // changes from now on wait for the write after this one
    const snapshot: JobState = { ...this.state, revision: ++this.revision, writtenBy: this.runId, updatedAt: isoAt(this.clock) };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store.saveJobState(this.jobKey, snapshot);
        return;
      } catch (error) {
        if (!(error instanceof StateWriteError) || attempt >= WRITE_RETRIES) throw error;
        await this.clock.sleep(WRITE_RETRY_BASE_MS * 2 ** attempt);
      }
    }
  }
}
