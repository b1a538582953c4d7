/**
 * `npm run demo`: the whole upload path on this machine, no Azure account
 * needed. Starts the local stand-in of the Entra token and HR connector
 * ingestion endpoints, then runs the real bundle against it, the way the
 * scheduled job runs it, and shows what the "service" received.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { BUNDLE } from "./lib/measure";
import { StandInCloud, STANDIN_DEFAULTS } from "./standin";

const SAMPLE = resolve(__dirname, "samples/employees.csv");
const shown = (path: string) => relative(process.cwd(), path);

/** Runs the bundle without blocking this process: the stand-in serving it lives here. */
function hrUpload(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  console.log(`\n$ hr-upload ${args.map((arg) => (arg.startsWith(process.cwd()) ? shown(arg) : arg)).join(" ")}`);
  const child = spawn(process.execPath, [BUNDLE, ...args], { stdio: "inherit", env: { ...process.env, ...env } });
  return new Promise((exited) => child.on("close", (code) => exited(code ?? 1)));
}

async function demo(): Promise<void> {
  const standIn = await StandInCloud.start();
  try {
    console.log(`Stand-in cloud (Entra token endpoint + HR connector ingestion) listening on ${standIn.url}`);
    const validated = await hrUpload(["validate", "--csv", SAMPLE]);
    if (validated !== 0) throw new Error(`validate exited ${validated}`);

    const env = { NODE_EXTRA_CA_CERTS: standIn.caFile, HR_APP_SECRET: STANDIN_DEFAULTS.clientSecret };
    console.log("\n(HR_APP_SECRET is set in the environment; NODE_EXTRA_CA_CERTS trusts the stand-in's certificate)");
    // prettier-ignore
    const uploaded = await hrUpload([
      "upload", "--cloud", "gcch",
      "--tenant-id", STANDIN_DEFAULTS.tenantId, "--app-id", STANDIN_DEFAULTS.clientId, "--job-id", STANDIN_DEFAULTS.jobId,
      "--csv", SAMPLE, "--records-per-call", "2",
      "--authority-host", standIn.url, "--ingestion-url", standIn.url,
      "--checkpoint-dir", mkdtempSync(join(tmpdir(), "hr-demo-checkpoints-")),
    ], env);
    if (uploaded !== 0) throw new Error(`upload exited ${uploaded}`);

    console.log(`\nThe stand-in received ${standIn.received.length} chunks, RecordsSaved ${standIn.recordsSaved()}, ${standIn.tokenRequests} token request(s):`);
    standIn.received.forEach((chunk, i) =>
      console.log(`  chunk ${i + 1}: part "file" = ${chunk.fileName} (${chunk.contentType}), header ${chunk.header.join(",")}, ${chunk.recordCount} records`),
    );
  } finally {
    await standIn.close();
  }
}

demo().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
