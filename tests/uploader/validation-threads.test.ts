import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileRulesFor } from "../../uploader/src/csv/fileRules";
import { inspectCsv } from "../../uploader/src/validation/inspect";
import { openLocalFile } from "../../uploader/src/source/localFile";
import { StoppedError } from "../../uploader/src/core/stop";
import { SLICE_WORKER } from "../support/cli";
import { writeRepeatedCsv } from "../support/repeatedCsv";
import { workerThreadsOf } from "../support/threads";

const describeOnLinux = process.platform === "linux" ? describe : describe.skip;

describeOnLinux("validation on worker threads, stopped", () => {
  const dir = mkdtempSync(join(tmpdir(), "hr-validation-threads-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("rejects with the stop, and every worker thread has ended by then", async () => {
    const file = join(dir, "big.csv");
    await writeRepeatedCsv(file, { records: 2_000, seed: 7 }, 30); // about 6 MiB: about 90 slices of 64 KiB
    const workers = { code: readFileSync(SLICE_WORKER, "utf8"), threads: 2, sliceBytes: 64 * 1024 };
    const stop = new AbortController();
    // Threads the test process runs besides ours (esbuild's transform keeps a worker thread when Jest's cache is cold).
    const others = workerThreadsOf("self");
    let threadsAtStop = 0;
    let read = 0;
    // The stop comes from inside the read, past the first MiB, once both workers run: the read waits for them (with a
    // deadline), so a loaded machine that starts its threads late cannot let the file end before the stop.
    const tee = async (bytes: Buffer) => {
      read += bytes.length;
      if (read < 1024 * 1024 || stop.signal.aborted) return;
      const deadline = Date.now() + 15_000;
      while ((threadsAtStop = workerThreadsOf("self") - others) < workers.threads && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      stop.abort({ kind: "signal", signal: "SIGTERM" });
    };
    const source = await openLocalFile(file);
    try {
      await expect(inspectCsv(source, { rules: fileRulesFor({}), columns: new Map(), showValues: false, tee, stop: stop.signal, workers })).rejects.toBeInstanceOf(StoppedError);
    } finally {
      await source.close();
    }
    // A terminated worker's OS thread is joined a moment after terminate() resolves: allow that moment, not more
    // (without pool.close the threads stay for good).
    const deadline = Date.now() + 2_000;
    let threadsAfter = workerThreadsOf("self") - others;
    while (threadsAfter > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      threadsAfter = workerThreadsOf("self") - others;
    }
    expect({ threadsAtStop, threadsAfter }).toEqual({ threadsAtStop: 2, threadsAfter: 0 });
  });
});
