import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { writeCsv } from "../../scripts/generate-csv";
import type { TokenSource } from "../../uploader/src/auth/tokenSource";
import { fileRulesFor } from "../../uploader/src/csv/fileRules";
import { StateWriteError } from "../../uploader/src/core/errors";
import { createLogger } from "../../uploader/src/observe/log";
import { systemPlatform } from "../../uploader/src/cli/systemPlatform";
import { runUpload } from "../../uploader/src/run/upload";
import type { UploadConfig } from "../../uploader/src/run/uploadConfig";
import { openLocalFile } from "../../uploader/src/source/localFile";
import { localStateStore } from "../../uploader/src/state/localState";
import { jobKeyOf, type JobState, type StateStore } from "../../uploader/src/state/stateStore";
import { lostLockError } from "../../uploader/src/lock/runLock";
import { NEVER_CANCELLED } from "../../uploader/src/core/stop";
import type { PostChunk } from "../../uploader/src/ingest/transport";
import { jsonLines } from "../support/cli";
import { ManualClock } from "../support/clock";
import { tempDir } from "../support/standin";

const JOB_ID = "e081f4f4-3831-48d6-7bb3-fcfab1581458";

/** The orchestration on its own: a real file and a real state folder, the service replaced by a recorder of what it received. */
async function uploadOnce(file: string, state: StateStore, received: string[][]) {
  const clock = new ManualClock();
  const tokens: TokenSource = { token: async () => "token", refresh: async () => "token", networkRequests: 1 };
  const post: PostChunk = async (request) => {
    const records = (parse(request.body, { relax_column_count: true }) as string[][]).slice(1);
    received.push(...records);
    return { status: 200, body: Buffer.from(JSON.stringify({ RecordsSaved: records.length })), requestSent: true, retryAfter: null, contentType: "application/json" };
  };
  const config: UploadConfig = {
    csv: { name: file, legacyNames: [file], open: () => openLocalFile(file) },
    rules: fileRulesFor({}),
    columns: new Map(),
    showValues: false,
    cloud: "gcch",
    jobId: JOB_ID,
    credentials: { authorityHost: "https://login.microsoftonline.us", customAuthority: false, tenantId: JOB_ID, clientId: JOB_ID, credential: { kind: "secret", secret: "" }, resource: "r", timeoutMs: 1000, signInTimeoutMs: 120_000, retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 } },
    delivery: { url: "https://ingestion.example/api/signals", timeoutMs: 60_000, retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 } },
    recordsPerCall: 2,
    concurrency: 1,
    skipInvalid: false,
    state,
    force: false,
    resendAfterDays: 14,
    dryRun: false,
    lockLeaseMs: 30_000,
    keepRunsDays: 400,
  };
  let stdout = "";
  const logger = createLogger("json", { stdout: { write: (text: string) => ((stdout += text), true) }, stderr: { write: () => true } }, () => new Date(clock.now()));
  const code = await clock.runUntil(runUpload(config, { logger, clock, cancellation: NEVER_CANCELLED, createTokenSource: () => tokens, post }));
  return { code, events: jsonLines(stdout) };
}

describe("upload orchestration", () => {
  it("exits 5 naming the chunk whose checkpoint could not be written after its delivery; the next run names it as possibly duplicated", async () => {
    const file = join(tempDir(), "employees.csv");
    await writeCsv(file, { records: 6, seed: 9 });
    const folder = localStateStore(tempDir(), systemPlatform());
    let writes = 0;
    // The disk fills up just as chunk 2's delivery is to be recorded (the sixth write of the job's state).
    const filling: StateStore = {
      ...folder,
      saveJobState: async (key, state) => {
        if (++writes >= 6) throw new StateWriteError(folder.location, "ENOSPC: no space left on device");
        return folder.saveJobState(key, state);
      },
    };
    const received: string[][] = [];
    const failed = await uploadOnce(file, filling, received);
    expect(failed.code).toBe(5);
    expect(failed.events).toContainEqual(
      expect.objectContaining({
        event: "failed",
        msg: "chunk 2/3 (line 5) was delivered but its checkpoint could not be saved (ENOSPC: no space left on device); the next run sends it again and reports it as possibly duplicated",
      }),
    );
    expect(failed.events.at(-1)).toMatchObject({ event: "summary", outcome: "failed", recordsDelivered: 4 });

    const rerun = await uploadOnce(file, folder, received);
    expect(rerun.code).toBe(0);
    expect(rerun.events).toContainEqual(expect.objectContaining({ event: "possibly-duplicated", chunks: 1, records: 2, firstLines: [5] }));
    const all = (parse(readFileSync(file)) as string[][]).slice(1);
    expect(received).toEqual([...all.slice(0, 4), ...all.slice(2)]); // chunk 2 twice, as announced
  });
});

describe("a run that loses its lock", () => {
  /**
   * The local folder, its lock lost (another run took the job over) as the file's first bytes are staged, and its
   * staging counted: whatever sits under the job's kept-copy name may be the new holder's staging by then.
   */
  function takenOverWhileStaging(folder: StateStore, takenOver: boolean) {
    const discards: string[] = [];
    const releases: string[] = [];
    let lost: string | undefined;
    let onLost: ((detail: string) => void) | undefined;
    const store: StateStore = {
      ...folder,
      acquireLock: async (key, options) => {
        onLost = options.onLost;
        const lock = await folder.acquireLock(key, options);
        if (lock === undefined) return undefined;
        return {
          assertHeld: () => {
            if (lost !== undefined) throw lostLockError(lost);
            lock.assertHeld();
          },
          release: () => lock.release(),
        };
      },
      createPin: async (key) => {
        const pin = await folder.createPin(key);
        return {
          write: async (bytes) => {
            if (takenOver && lost === undefined) {
              lost = "the lock file names another run";
              onLost?.(lost);
            }
            return pin.write(bytes);
          },
          keep: () => pin.keep(),
          discard: async () => {
            discards.push(key);
            return pin.discard();
          },
          release: async () => {
            releases.push(key);
            return pin.release();
          },
        };
      },
    };
    return { store, discards, releases };
  }

  it("neither keeps its copy under the job's name nor discards what is staged there: both are the new holder's now", async () => {
    const file = join(tempDir(), "employees.csv");
    await writeCsv(file, { records: 6, seed: 3 });
    const stateDir = tempDir();
    const { store, discards, releases } = takenOverWhileStaging(localStateStore(stateDir, systemPlatform()), true);
    const received: string[][] = [];
    const run = await uploadOnce(file, store, received);
    expect(run.code).toBe(5);
    expect(run.events.at(-1)).toMatchObject({ event: "summary", outcome: "failed" });
    expect(JSON.stringify(run.events)).toContain("lost the run lock (the lock file names another run)");
    // Its staging file let go (closed), not removed: the name is the new holder's now.
    expect([discards, releases, received, readdirSync(join(stateDir, "kept"))]).toEqual([[], [jobKeyOf(JOB_ID)], [], [`${jobKeyOf(JOB_ID)}.csv.partial`]]);
  });

  it("while it holds the job, discards the staging of a file it does not send (invalid)", async () => {
    const file = join(tempDir(), "employees.csv");
    await writeCsv(file, { records: 6, seed: 3, errorRate: 1 });
    const { store, discards } = takenOverWhileStaging(localStateStore(tempDir(), systemPlatform()), false);
    const run = await uploadOnce(file, store, []);
    expect(run.code).toBe(3);
    expect(discards).toEqual([jobKeyOf(JOB_ID)]);
  });
});

describe("a run whose job another holder took over between two requests", () => {
  it("sends nothing more: the in-flight mark before its next request is a fenced write, refused (exit 5); the new holder's state is left as it wrote it", async () => {
    const file = join(tempDir(), "employees.csv");
    await writeCsv(file, { records: 6, seed: 5 });
    const dir = tempDir();
    const folder = localStateStore(dir, systemPlatform());
    const newHolder = localStateStore(dir, systemPlatform());
    let tookOver = false;
    // Once the first chunk's delivery is saved, another holder (its lock taken after this run's lapsed) writes the job's state.
    const stalled: StateStore = {
      ...folder,
      saveJobState: async (key, state) => {
        await folder.saveJobState(key, state);
        if (!tookOver && state.pending?.recordsDelivered === 2 && state.pending.inFlight.length === 0) {
          tookOver = true;
          const seen = (await newHolder.loadJobState(key)) as JobState;
          await newHolder.saveJobState(key, { ...seen, revision: seen.revision + 1, writtenBy: "the new holder" });
        }
      },
    };
    const received: string[][] = [];
    const run = await uploadOnce(file, stalled, received);
    expect(tookOver).toBe(true);
    expect(run.code).toBe(5);
    expect(run.events).toContainEqual(expect.objectContaining({ event: "failed", msg: expect.stringContaining("another run changed this job's state meanwhile") }));
    expect(received).toEqual((parse(readFileSync(file)) as string[][]).slice(1, 3)); // chunk 1 only
    expect((await newHolder.loadJobState(jobKeyOf(JOB_ID)))?.writtenBy).toBe("the new holder");
  });
});
