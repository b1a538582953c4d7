import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCsv } from "../../scripts/generate-csv";
import { fileRulesFor } from "../../uploader/src/csv/fileRules";
import { inspectCsv } from "../../uploader/src/inspect";
import { openLocalFile } from "../../uploader/src/source/localFile";
import { StoppedError } from "../../uploader/src/stop";
import { SLICE_WORKER } from "../support/cli";
import { workerThreadsOf } from "../support/threads";

const describeOnLinux = process.platform === "linux" ? describe : describe.skip;

describeOnLinux("validation on worker threads, stopped", () => {
  const dir = mkdtempSync(join(tmpdir(), "hr-validation-threads-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("rejects with the stop, and every worker thread has ended by then", async () => {
    const file = join(dir, "big.csv");
    await writeCsv(file, { records: 60_000, seed: 7 }); // about 6 MiB: about 90 slices of 64 KiB
    const workers = { code: readFileSync(SLICE_WORKER, "utf8"), threads: 2, sliceBytes: 64 * 1024 };
    const stop = new AbortController();
    let threadsAtStop = 0;
    let read = 0;
    // The stop comes from inside the read, while slices are being checked, at the first read that sees both workers running.
    const tee = async (bytes: Buffer) => {
      read += bytes.length;
      if (read < 1024 * 1024 || stop.signal.aborted) return;
      threadsAtStop = workerThreadsOf("self");
      if (threadsAtStop === workers.threads) stop.abort({ kind: "signal", signal: "SIGTERM" });
    };
    const source = await openLocalFile(file);
    try {
      await expect(inspectCsv(source, { rules: fileRulesFor({}), columns: new Map(), showValues: false, tee, stop: stop.signal, workers })).rejects.toBeInstanceOf(StoppedError);
    } finally {
      await source.close();
    }
    expect({ threadsAtStop, threadsAfter: workerThreadsOf("self") }).toEqual({ threadsAtStop: 2, threadsAfter: 0 });
  });
});
