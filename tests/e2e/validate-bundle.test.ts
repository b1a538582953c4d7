import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUNDLE, fixture, jsonLines, runBundle, startBundle, until } from "../support/cli";
import { writeRepeatedCsv } from "../support/repeatedCsv";
import { workerThreadsOf } from "../support/threads";

const SAMPLE = resolve(__dirname, "../../scripts/samples/employees.csv");

describe("the bundled hr-upload", () => {
  it("runs with plain node and no node_modules anywhere near it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hr-bundle-"));
    const lonely = join(dir, "hr-upload.js");
    copyFileSync(BUNDLE, lonely);
    const result = await runBundle(["validate", "--csv", SAMPLE], {}, { cwd: dir, bundle: lonely });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/4 records read, 4 valid, 0 invalid/);
    expect(result.code).toBe(0);
  });

  it("exits 3 on an invalid file and 2 on a missing one, with one line and no stack trace", async () => {
    const invalid = await runBundle(["validate", "--csv", fixture("unterminated-quote.csv")]);
    expect(invalid.code).toBe(3);
    const missing = await runBundle(["validate", "--csv", "/nonexistent.csv"]);
    expect(missing.code).toBe(2);
    for (const { stderr } of [invalid, missing]) {
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("--validation-threads checks a file on worker threads started from the bundle, with the same report as one thread", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hr-threads-"));
    try {
      const file = join(dir, "big.csv");
      await writeRepeatedCsv(file, { records: 4_000, seed: 22, errorRate: 0.002 }, 10); // about 4 MiB: several 1 MiB slices
      const args = ["validate", "--csv", file, "--log-format", "json"];
      const [alone, threaded] = await Promise.all([runBundle(args), runBundle([...args, "--validation-threads", "2"])]);
      const withoutTime = (stdout: string) => jsonLines(stdout).map(({ time: _time, ...event }) => event);
      expect(withoutTime(threaded.stdout)[0]).toMatchObject({ event: "validation-threads", threads: 2 });
      expect({ exit: threaded.code, events: withoutTime(threaded.stdout).slice(1) }).toEqual({ exit: alone.code, events: withoutTime(alone.stdout) });
      expect(alone.code).toBe(3);
      expect(jsonLines(alone.stdout).filter((event) => event.event === "invalid-record").length).toBeGreaterThan(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("SIGTERM during validation on worker threads ends the run within the grace, exit 143, the summary last", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hr-threads-stop-"));
    try {
      const file = join(dir, "big.csv");
      await writeRepeatedCsv(file, { records: 3_000, seed: 23 }, 100); // about 30 MiB: seconds of validation
      const running = startBundle(["validate", "--csv", file, "--log-format", "json", "--validation-threads", "1"]);
      const pid = running.child.pid as number;
      // Signalled once the worker thread runs (Node names its OS thread WorkerThread): slices are being checked.
      await until(() => workerThreadsOf(pid) > 0, "the validation worker thread");
      const signalledAt = Date.now();
      process.kill(pid, "SIGTERM");
      const stopped = await running.result;
      expect(Date.now() - signalledAt).toBeLessThan(20_000); // the default --shutdown-grace
      expect({ code: stopped.code, stderr: stopped.stderr }).toEqual({ code: 143, stderr: "" });
      expect(jsonLines(stopped.stdout).at(-1)).toMatchObject({ event: "summary", outcome: "interrupted", exitCode: 143 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
