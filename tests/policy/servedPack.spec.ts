/**
 * The pack as the Pulumi CLI loads it: policy/index.ts started from policy/ (the
 * CLI's working directory for a pack) serves the analyzer gRPC protocol, and a
 * client speaking that protocol, as the engine does, gets the pack's policies and
 * their diagnostics. Only the CLI itself is missing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzeResponse, AnalyzerInfo, AnalyzerResourceOptions, EnforcementLevel, type AnalyzeDiagnostic } from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PACK } from "../../policy/policies";
import { POLICIES } from "./harness";

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");
const START_DEADLINE_MS = 30_000;

let pack: ChildProcess;
let client: AnalyzerClient;

/** The port the pack prints on its first stdout line, as the CLI reads it. */
function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`the pack printed no port within ${START_DEADLINE_MS} ms; stdout so far: ${output}`)), START_DEADLINE_MS);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^(\d+)\s*$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => reject(new Error(`the pack exited (${code}) before serving: ${output}`)));
  });
}

const call = <Request, Response>(method: (request: Request, callback: (error: grpc.ServiceError | null, response: Response) => void) => void, request: Request) =>
  new Promise<Response>((resolve, reject) => method.call(client, request, (error, response) => (error ? reject(error) : resolve(response))));

function analyze(type: string, name: string, properties: Record<string, unknown>): Promise<AnalyzeDiagnostic[]> {
  const request = new AnalyzeRequest()
    .setType(type)
    .setName(name)
    .setUrn(`urn:pulumi:gov::hr-connector::${type}::${name}`)
    .setProperties(Struct.fromJavaScript(properties as never))
    .setOptions(new AnalyzerResourceOptions());
  return call<AnalyzeRequest, AnalyzeResponse>(client.analyze, request).then((response) => response.getDiagnosticsList());
}

beforeAll(async () => {
  pack = spawn(process.execPath, ["--import", "tsx", "index.ts"], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "inherit"] });
  const port = await portOf(pack);
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  client?.close();
  pack?.kill();
});

it("serves every policy of the pack with its enforcement level and NIST controls", async () => {
  const info = await call<Empty, AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
  expect([info.getName(), info.getVersion()]).toEqual([PACK.name, "0.1.0"]);
  const served = info.getPoliciesList().map((policy) => ({
    name: policy.getName(),
    enforcement: policy.getEnforcementlevel(),
    controls: policy.getFramework()?.getReference(),
  }));
  expect(served).toEqual(
    POLICIES.map(({ policy, controls }) => ({
      name: policy.name,
      enforcement: policy.enforcementLevel === "advisory" ? EnforcementLevel.ADVISORY : EnforcementLevel.MANDATORY,
      controls: controls.join(", "),
    })),
  );
});

it("answers the engine's analysis of a Key Vault with access policies with a mandatory violation", async () => {
  const diagnostics = await analyze("azure-native:keyvault:Vault", "bad-vault", {
    properties: { enableRbacAuthorization: false, enablePurgeProtection: true, enableSoftDelete: true, publicNetworkAccess: "Disabled" },
  });
  expect(diagnostics.map((diagnostic) => [diagnostic.getPolicyname(), diagnostic.getEnforcementlevel()])).toEqual([["keyvault-rbac-authorization", EnforcementLevel.MANDATORY]]);
  expect(diagnostics[0]?.getMessage()).toMatch(/RBAC permission model/);
});

it("finds nothing wrong with a vault configured as the stack configures it", async () => {
  const diagnostics = await analyze("azure-native:keyvault:Vault", "good-vault", {
    properties: { enableRbacAuthorization: true, enablePurgeProtection: true, enableSoftDelete: true, softDeleteRetentionInDays: 90, publicNetworkAccess: "Disabled" },
  });
  expect(diagnostics).toEqual([]);
});
