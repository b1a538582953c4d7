import { parentPort, workerData } from "node:worker_threads";
import { SliceChecker, type SliceResult, type SliceTask, type SliceWorkerSetup } from "./sliceCheck";
import type { TallyPart } from "./tally";

/** How much of a slice's bytes the worker's reader is fed at a time, as the main thread's is fed the file's reads. */
const FEED_BYTES = 64 * 1024;

/**
 * The entry of a validation worker thread: bundled on its own and started
 * from its code (scripts/build.ts embeds it in the bundle), so a worker
 * loads the CSV reader and the rules, not the SDKs. Checks each slice it is
 * sent and answers with its tally.
 */
function serveSlices(): void {
  const port = parentPort;
  if (port === null) throw new Error("slice worker started outside a worker thread");
  const checker = new SliceChecker(workerData as SliceWorkerSetup);
  port.on("message", (task: SliceTask) => {
    const result = checker.check(task.id, task.from, piecesOf(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength)));
    port.postMessage(result, transferablesOf(result));
  });
}

function* piecesOf(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += FEED_BYTES) yield bytes.subarray(at, at + FEED_BYTES);
}

function transferablesOf(result: SliceResult): ArrayBuffer[] {
  const places: TallyPart["places"] = "part" in result ? result.part.places : undefined;
  return places === undefined ? [] : ([places.start.buffer, places.end.buffer, places.line.buffer, places.valid.buffer] as ArrayBuffer[]);
}

serveSlices();
