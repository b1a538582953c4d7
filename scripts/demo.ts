/**
 * `npm run demo`: the whole path on this machine, no Azure account needed.
 * Validates the bundled sample CSV with the real bundle.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { BUNDLE } from "./lib/measure";

const SAMPLE = resolve(__dirname, "samples/employees.csv");

console.log(`$ hr-upload validate --csv scripts/samples/employees.csv`);
const run = spawnSync(process.execPath, [BUNDLE, "validate", "--csv", SAMPLE], { stdio: "inherit" });
process.exitCode = run.status ?? 1;
