/**
 * `npm run bench:validate`: validates a generated 1,000,000-record file with
 * the real bundle and prints records/s and peak RSS (target: under 150 MB).
 *   npm run bench:validate -- [--records N]
 */
import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { benchFile } from "./lib/benchData";
import { BUNDLE, measureNode, mebibytes } from "./lib/measure";

const RSS_TARGET_MIB = 150;

async function bench(): Promise<void> {
  const { values } = parseArgs({ options: { records: { type: "string", default: "1000000" } } });
  const records = Number(values.records);
  const file = await benchFile(records);
  const run = await measureNode([BUNDLE, "validate", "--csv", file, "--log-format", "json"]);
  if (run.exitCode !== 0) throw new Error(`validate exited ${run.exitCode}: ${run.stderr || run.stdout}`);
  const rssMiB = Number(mebibytes(run.peakRssBytes));
  console.log(`file:        ${(statSync(file).size / 1024 / 1024).toFixed(0)} MiB, ${records} records`);
  console.log(`wall time:   ${run.seconds.toFixed(2)} s`);
  console.log(`throughput:  ${Math.round(records / run.seconds)} records/s`);
  console.log(`peak RSS:    ${rssMiB} MiB (target < ${RSS_TARGET_MIB} MiB: ${rssMiB < RSS_TARGET_MIB ? "met" : "MISSED"})`);
  if (rssMiB >= RSS_TARGET_MIB) process.exitCode = 1;
}

bench().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
