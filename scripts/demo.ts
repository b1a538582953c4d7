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
 *
 * `npm run demo -- --blob --federated` runs that path with no secret at all:
 * the identity's token for the exchange audience is the app's credential, and
 * the Entra stand-in trusts it as a federated identity credential would.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { IdentityStandIn } from "./identityStandin";
import { Azurite } from "./lib/azurite";
import { localJobEnvironment } from "./lib/jobEnvironment";
import { makeLoopbackCertificate, removeLoopbackCertificate, type LoopbackCertificate } from "./lib/loopbackCert";
import { BUNDLE } from "./lib/measure";
import { CLOUD_PROFILES } from "../uploader/src/core/clouds";
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
  const stateDir = mkdtempSync(join(tmpdir(), "hr-demo-state-"));
  try {
    await demoWith(certificate, stateDir);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    removeLoopbackCertificate(certificate);
  }
}

async function demoWith(certificate: LoopbackCertificate, stateDir: string): Promise<void> {
  const blob = process.argv.includes("--blob");
  const federated = blob && process.argv.includes("--federated");
  const identity = blob ? await IdentityStandIn.start() : undefined;
  const federation = federated && identity ? { subject: identity.principalId, audience: CLOUD_PROFILES.gcch.federationAudience, publicKey: identity.publicKey } : undefined;
  const standIn = await StandInCloud.start({ certificate, federation });
  if (identity) identity.issuer = standIn.issuer; // the identity is of the app's tenant, as federation requires
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
      "--checkpoint-dir", stateDir,
    ], env);
    if (uploaded !== 0) throw new Error(`upload exited ${uploaded}`);
    describeReceived(standIn);

    if (identity) await blobDemo(standIn, certificate, identity, federated);
    else console.log("\nRun `npm run demo -- --blob` to see the scheduled job's path: the CSV and the state in Blob Storage (Azurite), with a managed identity (add --federated: with no secret at all).");
  } finally {
    await identity?.close();
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

async function blobDemo(standIn: StandInCloud, certificate: LoopbackCertificate, identity: IdentityStandIn, federated: boolean): Promise<void> {
  const azurite = await Azurite.start({ certificate, oauth: true });
  try {
    console.log(`\n--- The scheduled job's path ---\nAzurite (HTTPS, OAuth) at ${azurite.blobEndpoint}; identity endpoint at ${identity.endpoint}`);
    for (const container of ["hr-data", "hr-state", "hr-kept"]) await azurite.putAsAdmin(`${container}?restype=container`, "");
    await azurite.putAsAdmin("hr-data/employees.csv", readFileSync(SAMPLE), { "x-ms-blob-type": "BlockBlob" });
    console.log("The HR system dropped the sample as hr-data/employees.csv.");

    standIn.received.length = 0;
    Object.assign(standIn.credentialsSeen, { secrets: 0, assertions: 0 });
    const jobEnvironment = localJobEnvironment({ standInUrl: standIn.url, caFile: certificate.certFile, identity, blobEndpoint: azurite.blobEndpoint, recordsPerCall: 2, federated });
    console.log(Object.keys(jobEnvironment).filter((name) => name.startsWith("HR_") || name.startsWith("IDENTITY_") || name === "AZURE_CLIENT_ID").join(" "));
    if ((await hrUpload(["upload"], jobEnvironment)) !== 0) throw new Error("the Blob upload failed");
    describeReceived(standIn);
    await hrUpload(["status"], jobEnvironment);
    const audiences = [...new Set(identity.requests.map((request) => request.resource))].join(" and ");
    console.log(`\nThe identity endpoint issued ${identity.requests.length} token(s) for identity ${identity.clientId}: ${audiences}.`);
    if (federated) console.log(`Entra's stand-in received ${standIn.credentialsSeen.assertions} client assertion(s) and ${standIn.credentialsSeen.secrets} client secret(s): no secret anywhere.`);
  } finally {
    await azurite.stop();
  }
}

demo().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
