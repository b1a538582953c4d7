import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCsv } from "../generate-csv";

/** A generated resignation file of `records` records, made once and reused by later benchmark runs. */
export async function benchFile(records: number): Promise<string> {
  const dir = join(tmpdir(), "hr-connector-bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `resignation-${records}.csv`);
  if (!existsSync(file)) {
    console.log(`generating ${records} records...`);
    await writeCsv(file, { records, seed: 42 });
  }
  return file;
}
