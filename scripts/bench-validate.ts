/**
 * `npm run bench:validate`: `hr-upload validate` (the real bundle) on a
 * generated file of 1,000,000 resignation records, beside csv-parse alone
 * reading the same file (scripts/lib/parse-only.cjs), each run `--runs` times,
 * alternately. Prints the best and the range of each, their ratio, records/s
 * and peak RSS. Targets: validate at most 1.3x csv-parse alone, peak RSS at
 * most 150 MiB, and flat in file size: `--also-records 3000000` validates a
 * file of that many records once more and prints its peak RSS beside (flat:
 * at most 10 % more). Extra arguments after `--` go to `hr-upload validate`
 * (e.g. `--validation-threads 1`).
 *   npm run bench:validate -- [--records N] [--runs N] [--also-records N] [-- validate flags]
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { benchFile } from "./lib/benchData";
import { BUNDLE, measureNode, mebibytes, type Measured } from "./lib/measure";

const RATIO_TARGET = 1.3;
const RSS_TARGET_MIB = 150;
/** Peak RSS is flat in file size when a bigger file's is at most this much higher. */
const FLAT_RSS_GROWTH = 0.1;
const PARSE_ONLY = resolve(__dirname, "lib/parse-only.cjs");

async function measured(args: readonly string[], what: string): Promise<Measured> {
  const run = await measureNode(args);
  if (run.exitCode !== 0) throw new Error(`${what} exited ${run.exitCode}: ${run.stderr || run.stdout.split("\n").slice(-3).join("\n")}`);
  return run;
}

const seconds = (runs: readonly Measured[]) => runs.map((run) => run.seconds);
const range = (values: readonly number[], digits: number) => `[${Math.min(...values).toFixed(digits)} to ${Math.max(...values).toFixed(digits)}]`;

async function bench(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { records: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" }, "also-records": { type: "string" } },
    allowPositionals: true,
  });
  const records = Number(values.records);
  const file = await benchFile(records);
  const validateArgs = (csv: string) => [BUNDLE, "validate", "--csv", csv, "--log-format", "json", ...positionals];
  const validate: Measured[] = [];
  const parseOnly: Measured[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    validate.push(await measured(validateArgs(file), "validate"));
    parseOnly.push(await measured([PARSE_ONLY, file], "csv-parse alone"));
  }
  const best = Math.min(...seconds(validate));
  const floor = Math.min(...seconds(parseOnly));
  const ratio = best / floor;
  const ratios = validate.map((run, index) => run.seconds / (parseOnly[index] as Measured).seconds);
  const rssMiB = Math.max(...validate.map((run) => Number(mebibytes(run.peakRssBytes))));
  console.log(`file:               ${(statSync(file).size / 1024 / 1024).toFixed(0)} MiB, ${records} records; best of ${validate.length} runs [range]`);
  console.log(`csv-parse alone:    ${floor.toFixed(2)} s ${range(seconds(parseOnly), 2)} (${Math.round(records / floor)} records/s)`);
  console.log(`hr-upload validate: ${best.toFixed(2)} s ${range(seconds(validate), 2)} (${Math.round(records / best)} records/s)`);
  console.log(`ratio:              ${ratio.toFixed(2)}x, run by run ${range(ratios, 2)} (target <= ${RATIO_TARGET}x: ${ratio <= RATIO_TARGET ? "met" : "MISSED"})`);
  console.log(`peak RSS:           ${rssMiB} MiB, highest of the runs ${range(validate.map((run) => Number(mebibytes(run.peakRssBytes))), 0)} (target <= ${RSS_TARGET_MIB} MiB: ${rssMiB <= RSS_TARGET_MIB ? "met" : "MISSED"})`);
  let flat = true;
  if (values["also-records"] !== undefined) {
    const more = Number(values["also-records"]);
    const bigger = await measured(validateArgs(await benchFile(more)), "validate");
    const biggerMiB = Number(mebibytes(bigger.peakRssBytes));
    flat = biggerMiB <= RSS_TARGET_MIB && biggerMiB <= rssMiB * (1 + FLAT_RSS_GROWTH);
    console.log(`peak RSS, ${more} records: ${biggerMiB} MiB in ${bigger.seconds.toFixed(2)} s (flat, at most ${FLAT_RSS_GROWTH * 100} % over ${rssMiB} MiB and <= ${RSS_TARGET_MIB} MiB: ${flat ? "met" : "MISSED"})`);
  }
  if (ratio > RATIO_TARGET || rssMiB > RSS_TARGET_MIB || !flat) process.exitCode = 1;
}

bench().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
