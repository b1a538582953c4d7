/**
 * `npm run demo`: the whole upload path on this machine, no Azure account
 * needed. Starts the local stand-in of the Entra token and HR connector
 * ingestion endpoints, then runs the real bundle against it and shows what
 * the "service" received.
 *
 * `npm run demo -- --blob` adds the cloud path: Azurite (HTTPS, OAuth) holds
 * the CSV and the state, a stand-in of the Container Apps identity endpoint
 * issues the Storage tokens, and the bundle is configured exactly like the
 * scheduled job, by HR_* variables only; then `hr-upload status`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { IdentityStandIn } from "./identityStandin";
import { Azurite } from "./lib/azurite";
import { localJobEnvironment } from "./lib/jobEnvironment";
import { makeLoopbackCertificate } from "./lib/loopbackCert";
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
  const certificate = await makeLoopbackCertificate();
  const standIn = await StandInCloud.start({ certificate });
  try {
    console.log(`Stand-in cloud (Entra token endpoint + HR connector ingestion) listening on ${standIn.url}`);
    const validated = await hrUpload(["validate", "--csv", SAMPLE]);
    if (validated !== 0) throw new Error(`validate exited ${validated}`);

    const env = { NODE_EXTRA_CA_CERTS: certificate.certFile, HR_APP_SECRET: STANDIN_DEFAULTS.clientSecret };
    console.log("\n(HR_APP_SECRET is set in the environment; NODE_EXTRA_CA_CERTS trusts the stand-in's certificate)");
    // prettier-ignore
    const uploaded = await hrUpload([
      "upload", "--cloud", "gcch",
      "--tenant-id", STANDIN_DEFAULTS.tenantId, "--app-id", STANDIN_DEFAULTS.clientId, "--job-id", STANDIN_DEFAULTS.jobId,
      "--csv", SAMPLE, "--records-per-call", "2",
      "--authority-host", standIn.url, "--ingestion-url", standIn.url,
      "--checkpoint-dir", mkdtempSync(join(tmpdir(), "hr-demo-state-")),
    ], env);
    if (uploaded !== 0) throw new Error(`upload exited ${uploaded}`);
    describeReceived(standIn);

    if (process.argv.includes("--blob")) await blobDemo(standIn, certificate);
    else console.log("\nRun `npm run demo -- --blob` to see the scheduled job's path: the CSV and the state in Blob Storage (Azurite), with a managed identity.");
  } finally {
    await standIn.close();
  }
}

function describeReceived(standIn: StandInCloud): void {
  const records = standIn.received.reduce((sum, chunk) => sum + chunk.recordCount, 0);
  console.log(`\nThe stand-in received ${standIn.received.length} chunks holding ${records} records (its RecordsSaved):`);
  standIn.received.forEach((chunk, i) =>
    console.log(`  chunk ${i + 1}: part "file" = ${chunk.fileName} (${chunk.contentType}), header ${chunk.header.join(",")}, ${chunk.recordCount} records`),
  );
}

async function blobDemo(standIn: StandInCloud, certificate: Awaited<ReturnType<typeof makeLoopbackCertificate>>): Promise<void> {
  const azurite = await Azurite.start({ certificate, oauth: true });
  const identity = await IdentityStandIn.start();
  try {
    console.log(`\n--- The scheduled job's path ---\nAzurite (HTTPS, OAuth) at ${azurite.blobEndpoint}; identity endpoint at ${identity.endpoint}`);
    for (const container of ["hr-data", "hr-state"]) await azurite.putAsAdmin(`${container}?restype=container`, "");
    await azurite.putAsAdmin("hr-data/employees.csv", readFileSync(SAMPLE), { "x-ms-blob-type": "BlockBlob" });
    console.log("The HR system dropped the sample as hr-data/employees.csv.");

    standIn.received.length = 0;
    const jobEnvironment = localJobEnvironment({ standInUrl: standIn.url, caFile: certificate.certFile, identity, blobEndpoint: azurite.blobEndpoint, recordsPerCall: 2 });
    console.log(Object.keys(jobEnvironment).filter((name) => name.startsWith("HR_") || name.startsWith("IDENTITY_") || name === "AZURE_CLIENT_ID").join(" "));
    if ((await hrUpload(["upload"], jobEnvironment)) !== 0) throw new Error("the Blob upload failed");
    describeReceived(standIn);
    await hrUpload(["status"], jobEnvironment);
    console.log(`\nThe identity endpoint issued ${identity.requests.length} Storage token(s) for identity ${identity.clientId}.`);
  } finally {
    await identity.close();
    await azurite.stop();
  }
}

demo().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
