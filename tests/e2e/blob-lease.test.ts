/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 42: waits out a killed replica's 15 s Blob lease, among others. */
import { rmSync } from "node:fs";
import { jsonLines, runBundle, startBundle, summaryOf, until } from "../support/cli";
import { ManualClock } from "../support/clock";
import { sasUrl } from "../support/azurite";
import { TcpRelay } from "../support/tcpRelay";
import { BlobSuite, generatedBytes, recordsOf } from "../support/blobSuite";
import { tempDir } from "../support/standin";

/** The run lock as a Blob lease, and Blob Storage going away mid-run, with the CSV and the state in Blob (split from blob.test.ts so that the two run side by side; the production path, HTTPS and OAuth, is in network-bounds.test.ts). */
describe("Blob Storage: the run lock's lease and an outage of Storage (SAS URLs)", () => {
  const suite = BlobSuite.use();
  const { putCsv, blobArgs, upload, sent, stateNames, store } = suite;

  it("waits out the lease of a killed replica, then resumes and sends the rest exactly once", async () => {
    const bytes = await generatedBytes(20);
    const csvUrl = await putCsv(bytes);
    suite.harness.standIn.ingestionDelayMs = 300;
    const killed = startBundle(blobArgs(csvUrl, "--records-per-call", "2", "--lock-lease", "15"), suite.harness.env());
    await until(() => suite.harness.standIn.ingestionRequests >= 4, "the fourth request");
    killed.child.kill("SIGKILL");
    await killed.result;

    // The job's retry replica starts at once: the dead run's lease is still there, and lapses within 15 s.
    suite.harness.standIn.ingestionDelayMs = 0;
    const retried = Date.now();
    const rerun = await upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"]);
    expect(rerun.code).toBe(0);
    expect(Date.now() - retried).toBeLessThan(25_000);
    expect(jsonLines(rerun.stdout).find((event) => event.event === "resume")?.msg).toMatch(/6 of 20 records were delivered by earlier runs/);
    expect(summaryOf(rerun)).toMatchObject({ outcome: "delivered", recordsDelivered: 14, recordsPossiblyDuplicated: 2 });
    expect(sent()).toEqual(recordsOf(bytes));
  }, 60_000);

  it("stops before its next request once its lease is taken away (exit 5, checkpoint kept), and the rerun sends the rest exactly once", async () => {
    const bytes = await generatedBytes(30);
    const csvUrl = await putCsv(bytes);
    suite.harness.standIn.ingestionDelayMs = 300; // 15 requests take longer than a heartbeat (2.5 s for a 15 s lease)
    const running = upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"]);
    await until(() => suite.harness.standIn.received.length >= 2, "two chunks delivered");
    const [lock] = await stateNames("locks/");
    await suite.state.getBlobClient(lock!).getBlobLeaseClient().breakLease(0); // an operator, or another replica after a lapse
    const stopped = await running;
    expect(stopped.code).toBe(5);
    expect(jsonLines(stopped.stdout).find((event) => event.event === "failed")?.msg).toMatch(/^lost the run lock \(its lease was broken or taken by another run\)/);
    expect(summaryOf(stopped)).toMatchObject({ outcome: "failed", exitCode: 5 });
    const deliveredBeforeStop = sent().length;
    expect(deliveredBeforeStop).toBeLessThan(30);

    suite.harness.standIn.ingestionDelayMs = 0;
    const rerun = await upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"]);
    expect(rerun.code).toBe(0);
    expect(summaryOf(rerun)).toMatchObject({ outcome: "delivered", recordsDelivered: 30 - deliveredBeforeStop, recordsPossiblyDuplicated: 0 });
    expect(sent()).toEqual(recordsOf(bytes));
  });

  it("lets only one of two concurrent runs of the same job work: the other sees its heartbeat and stands down", async () => {
    const bytes = await generatedBytes(20);
    const csvUrl = await putCsv(bytes);
    suite.harness.standIn.ingestionDelayMs = 600; // the first run lasts longer than a heartbeat period (2.5 s for a 15 s lease)
    const first = upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"]);
    await until(() => suite.harness.standIn.ingestionRequests >= 1, "the first run sending");
    // As another replica would: a machine (container) of its own, so only the lease keeps the two apart.
    const otherMachine = tempDir("hr-locks-");
    const second = await upload(csvUrl, ["--records-per-call", "2", "--lock-lease", "15", "--log-format", "json"], { HR_LOCK_DIR: otherMachine });
    rmSync(otherMachine, { recursive: true, force: true });
    expect(second.code).toBe(0);
    expect(summaryOf(second)).toMatchObject({ outcome: "locked", recordsDelivered: 0 });
    expect(second.stdout).toMatch(/another run is working for this connector job/);
    // It said once that it waited, and on what.
    expect(jsonLines(second.stdout).filter((event) => event.event === "waiting-for-lock")).toEqual([expect.objectContaining({ holder: expect.stringMatching(/^the lease on .*locks\//) })]);
    expect((await first).code).toBe(0);
    expect(sent()).toEqual(recordsOf(bytes));
  });

  it("stops vouching for its lease when it is taken away, or once renewals have failed for too long", async () => {
    const clock = new ManualClock();
    const lost: string[] = [];
    const options = { clock, leaseMs: 30_000, stop: new AbortController().signal, onLost: (detail: string) => lost.push(detail) };
    const broken = await store().acquireLock("k", options);
    expect(broken).toBeDefined();
    await clock.someoneSleeps(); // its first renewal done, the heartbeat waits for its next
    await suite.state.getBlobClient("locks/k").getBlobLeaseClient().breakLease(0); // taken away behind its back
    expect(() => broken!.assertHeld()).not.toThrow();
    clock.advance(5_000); // the next renewal finds the lease gone
    await until(() => lost.length > 0, "the lost lease noticed");
    expect(() => broken!.assertHeld()).toThrow(/lost the run lock \(its lease was broken or taken by another run\)/);
    await broken!.release();

    // Storage as this store reaches it: through a relay, whose closing makes Storage unreachable for it alone (the
    // same refused connections as a stopped Azurite, without a restart of the Azurite the file shares).
    const relay = await TcpRelay.start({ host: "127.0.0.1", port: suite.azurite.port });
    const stalled = await store(sasUrl(suite.azurite, suite.state.containerName).replace(`:${suite.azurite.port}/`, `:${relay.port}/`)).acquireLock("stalled", { ...options, onLost: () => undefined });
    await clock.someoneSleeps();
    await relay.close(); // renewals fail from now on
    clock.advance(15_000);
    expect(() => stalled!.assertHeld()).not.toThrow();
    clock.advance(6_000); // past a lease less two heartbeats since the last renewal that worked
    expect(() => stalled!.assertHeld()).toThrow(/lost the run lock \(its lease could not be renewed in time\)/);
    await stalled!.release(); // its lease cannot be given back now: it lapses by itself
  });


  it("rides out Blob Storage going away mid-run (its connections cut, new ones reset for 2 s) with nothing lost or doubled", async () => {
    const bytes = await generatedBytes(20);
    const csvUrl = await putCsv(bytes);
    // A relay before Azurite stands for the outage: cutting it is what a Storage restart does to the run's
    // connections, at no cost (restarting Azurite itself took over the run's 20 s Storage budget on a loaded machine).
    const relay = await TcpRelay.start({ host: "127.0.0.1", port: suite.azurite.port });
    try {
      const viaRelay = (arg: string) => arg.replace(`:${suite.azurite.port}/`, `:${relay.port}/`);
      suite.harness.standIn.ingestionDelayMs = 250;
      const running = runBundle(blobArgs(csvUrl, "--records-per-call", "2", "--log-format", "json").map(viaRelay), suite.harness.env());
      await until(() => suite.harness.standIn.ingestionRequests >= 3, "the third request");
      const before = relay.connections;
      relay.down = true;
      relay.cutAll();
      await new Promise((later) => setTimeout(later, 2_000));
      relay.down = false;
      const result = await running;
      expect(relay.connections).toBeGreaterThan(before); // the run came back to Storage after the outage
      expect(result.code).toBe(0);
      expect(summaryOf(result)).toMatchObject({ outcome: "delivered", recordsPossiblyDuplicated: 0 });
      expect(sent()).toEqual(recordsOf(bytes));
    } finally {
      await relay.close();
    }
  }, 90_000);
});
