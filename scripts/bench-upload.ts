/**
 * `npm run bench`: 1,000,000 records through `hr-upload upload
 * --records-per-call 5000` (the real bundle: validation, token, upload,
 * checkpoints) to the stand-in, beside the same chunks POSTed one after
 * another by a transport-only loop (bench-transport.ts: same transport, same
 * stand-in, chunks read from the file; no validation, kept copy, checkpoint
 * or retry), each run `--runs` times, alternately. Prints the best and the
 * range of each, their ratio, records/s and peak RSS, and splits the
 * upload's time at its first delivered chunk: nothing is sent before the
 * whole file is validated, so that part is the price of validation.
 * Targets: at most 1.5x the transport-only time, peak RSS at most 200 MB.
 * Extra arguments after `--` go to `hr-upload upload` (e.g. `--validation-threads 1`).
 *   npm run bench -- [--records N] [--runs N] [-- upload flags]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { benchFile } from "./lib/benchData";
import { BUNDLE, measureNode, mebibytes, type Measured } from "./lib/measure";
import { STANDIN_DEFAULTS } from "./standin";

const RECORDS_PER_CALL = "5000";
const RATIO_TARGET = 1.5;
const RSS_TARGET_MIB = 200;

/** The stand-in runs in its own process, as the real service would be elsewhere. */
async function startStandIn() {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(__dirname, "standin.ts")], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((next) => [next.value as string]);
  const { url, caFile } = JSON.parse(line as string) as { url: string; caFile: string };
  return { url, caFile, stop: () => child.kill("SIGTERM") };
}

/** One upload's wall time, split where its first chunk was delivered (from the timestamps of its JSON log). */
interface UploadRun extends Measured {
  readonly beforeFirstChunk: number;
}

async function uploadOnce(file: string, standIn: { url: string }, env: NodeJS.ProcessEnv, extraFlags: readonly string[]): Promise<UploadRun> {
  const checkpoints = mkdtempSync(join(tmpdir(), "hr-bench-checkpoints-"));
  // prettier-ignore
  const upload = await measureNode([
    BUNDLE, "upload", "--cloud", "gcch",
    "--tenant-id", STANDIN_DEFAULTS.tenantId, "--app-id", STANDIN_DEFAULTS.clientId, "--job-id", STANDIN_DEFAULTS.jobId,
    "--csv", file, "--records-per-call", RECORDS_PER_CALL,
    "--authority-host", standIn.url, "--ingestion-url", standIn.url,
    "--checkpoint-dir", checkpoints, "--log-format", "json", ...extraFlags,
  ], env).finally(() => rmSync(checkpoints, { recursive: true, force: true }));
  if (upload.exitCode !== 0) throw new Error(`upload exited ${upload.exitCode}: ${upload.stdout.split("\n").slice(-3).join("\n")}`);
  const events = upload.stdout.trim().split("\n").map((line) => JSON.parse(line) as { event: string; time: string });
  const at = (event: { time: string } | undefined) => Date.parse((event as { time: string }).time) / 1000;
  const afterFirstChunk = at(events.at(-1)) - at(events.find((event) => event.event === "chunk-delivered"));
  return { ...upload, beforeFirstChunk: upload.seconds - afterFirstChunk };
}

const range = (values: readonly number[]) => `[${Math.min(...values).toFixed(2)} to ${Math.max(...values).toFixed(2)}]`;

async function bench(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { records: { type: "string", default: "1000000" }, runs: { type: "string", default: "1" } }, allowPositionals: true });
  const records = Number(values.records);
  const file = await benchFile(records);
  const standIn = await startStandIn();
  try {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: standIn.caFile, HR_APP_SECRET: STANDIN_DEFAULTS.clientSecret };
    const transport: number[] = [];
    const uploads: UploadRun[] = [];
    for (let run = 0; run < Number(values.runs); run++) {
      const baseline = await measureNode(["--import", "tsx", resolve(__dirname, "bench-transport.ts"), file, RECORDS_PER_CALL, standIn.url], env);
      if (baseline.exitCode !== 0) throw new Error(`transport-only loop failed: ${baseline.stderr}`);
      transport.push((JSON.parse(baseline.stdout) as { seconds: number }).seconds);
      uploads.push(await uploadOnce(file, standIn, env, positionals));
    }
    const transportSeconds = Math.min(...transport);
    const best = uploads.reduce((fastest, upload) => (upload.seconds < fastest.seconds ? upload : fastest));
    const ratio = best.seconds / transportSeconds;
    const ratios = uploads.map((upload, index) => upload.seconds / (transport[index] as number));
    const rssMiB = Math.max(...uploads.map((upload) => Number(mebibytes(upload.peakRssBytes))));
    console.log(`records:                 ${records} in chunks of ${RECORDS_PER_CALL}; best of ${uploads.length} runs [range]`);
    console.log(`transport-only loop:     ${transportSeconds.toFixed(2)} s ${range(transport)} (${Math.round(records / transportSeconds)} records/s)`);
    console.log(`hr-upload upload:        ${best.seconds.toFixed(2)} s ${range(uploads.map((upload) => upload.seconds))} (${Math.round(records / best.seconds)} records/s, validation included)`);
    console.log(`  of which:              ${best.beforeFirstChunk.toFixed(2)} s up to the first delivered chunk (start, validation with kept copy, token, chunk 1), ${(best.seconds - best.beforeFirstChunk).toFixed(2)} s sending the rest`);
    console.log(`ratio:                   ${ratio.toFixed(2)}x, run by run ${range(ratios)} (target <= ${RATIO_TARGET}x: ${ratio <= RATIO_TARGET ? "met" : "MISSED"})`);
    console.log(`hr-upload peak RSS:      ${rssMiB} MiB (target <= ${RSS_TARGET_MIB} MiB: ${rssMiB <= RSS_TARGET_MIB ? "met" : "MISSED"})`);
    if (ratio > RATIO_TARGET || rssMiB > RSS_TARGET_MIB) process.exitCode = 1;
  } finally {
    standIn.stop();
  }
}

bench().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
