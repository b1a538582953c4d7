import { isoAt, type Clock } from "../core/clock";
import { StateWriteError } from "../core/errors";
import { STATE_WRITE_RETRY, withRetries } from "../net/retry";
import type { JobState, StateStore } from "./stateStore";

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
    /**
     * Ends the retries of a failed write (no further try, no backoff sleep). The run's halt rather than its stop:
     * the marks of chunks still in flight when a stop comes are written during the grace, as the Storage calls that carry them are.
     */
    private readonly signal: AbortSignal,
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
    let failure: unknown;
    await withRetries(
      async () => {
        try {
          return { kind: "done", value: await this.store.saveJobState(this.jobKey, snapshot) };
        } catch (error) {
          // Only a write that did not land is worth another try (a disk freeing up, a storage blip); a fencing refusal is final.
          if (!(error instanceof StateWriteError)) return { kind: "fail", error: error as Error };
          failure = error;
          return { kind: "retry", reason: error.message };
        }
      },
      // A write records what already happened (a chunk the service kept): it is tried once even after the halt, so a
      // delivered mark queued behind another write still lands; only its retries end there.
      { policy: STATE_WRITE_RETRY, clock: this.clock, stop: this.signal, firstAttemptDespiteStop: true, exhausted: () => failure as Error },
    );
  }
}
