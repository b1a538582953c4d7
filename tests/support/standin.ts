import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { writeCsv } from "../../scripts/generate-csv";
import { StandInCloud, STANDIN_DEFAULTS, type StandInOptions } from "../../scripts/standin";
import { runBundle, runCli, type CliResult } from "./cli";
import { testCertificate } from "./testCertificate";

export { StandInCloud, STANDIN_DEFAULTS };

export const tempDir = (prefix = "hr-test-") => mkdtempSync(join(tmpdir(), prefix));

/** A valid generated CSV of `records` records (`seed` picks their values) in a folder of its own. */
export async function generatedCsv(records: number, seed = records, name = "employees.csv"): Promise<string> {
  const file = join(tempDir(), name);
  await writeCsv(file, { records, seed });
  return file;
}

/** The records of a CSV file as the service counts them (header excluded). */
export const recordsOf = (file: string): string[][] => (parse(readFileSync(file), { bom: true, relax_column_count: true }) as string[][]).slice(1);

/** Records in an order of their own, to compare what arrived (in any order) with what was sent. */
export const sortedRecords = (records: string[][]) => records.map((record) => JSON.stringify(record)).sort();

/** The stand-in plus everything a bundle run needs to reach it. */
export class UploadHarness {
  readonly checkpointDir = tempDir("hr-checkpoints-");
  /** This harness's machine-wide lock folder: test files run side by side with the same job ID, as separate machines would. */
  readonly lockDir = tempDir("hr-locks-");

  private constructor(readonly standIn: StandInCloud) {
    chmodSync(this.lockDir, 0o1777); // as hr-upload makes its default one: any account may lock a job there (a test may run the bundle as another user)
  }

  /** The stand-in serves the run's one test certificate unless `options` name another. */
  static async start(options: StandInOptions = {}): Promise<UploadHarness> {
    return new UploadHarness(await StandInCloud.start({ ...options, certificate: options.certificate ?? (await testCertificate()) }));
  }

  args(csv: string, ...extra: string[]): string[] {
    return [
      "upload",
      "--cloud", "gcch",
      "--tenant-id", STANDIN_DEFAULTS.tenantId,
      "--app-id", STANDIN_DEFAULTS.clientId,
      "--job-id", STANDIN_DEFAULTS.jobId,
      "--csv", csv,
      "--authority-host", this.standIn.url,
      "--ingestion-url", this.standIn.url,
      ...extra,
    ];
  }

  /** The secret, and the settings a test may override with a flag (the command line beats the environment; a flag may be given once). */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      NODE_EXTRA_CA_CERTS: this.standIn.caFile,
      HR_APP_SECRET: STANDIN_DEFAULTS.clientSecret,
      HR_CHECKPOINT_DIR: this.checkpointDir,
      HR_LOCK_DIR: this.lockDir,
      HR_RETRY_DELAY: "0.01",
      ...extra,
    };
  }

  /** The real bundle uploads `csv`, as the job and users run it. */
  upload(csv: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runBundle(this.args(csv, ...extra), this.env(env));
  }

  /** The same upload by the bundle's main() in this process (no node start): for runs that prove a rule, not the process. */
  uploadHere(csv: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runCli(this.args(csv, ...extra), this.env(env));
  }

  async close(): Promise<void> {
    await this.standIn.close();
    rmSync(this.checkpointDir, { recursive: true, force: true });
    rmSync(this.lockDir, { recursive: true, force: true });
  }
}
