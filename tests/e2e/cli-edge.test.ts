/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 10: runs of the bundle. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { expectOneLineError, fixture, jsonLines, PACKAGE_VERSION, runBundle, runCli, type CliResult } from "../support/cli";
import { STANDIN_DEFAULTS, tempDir, UploadHarness } from "../support/standin";
import { literal } from "../support/literal";

/** `args` with one flag's value replaced. */
function withFlag(args: string[], flag: string, value: string): string[] {
  const at = args.indexOf(flag);
  if (at < 0) throw new Error(`${flag} is not in the arguments`);
  return [...args.slice(0, at + 1), value, ...args.slice(at + 2)];
}

/**
 * Each rule of the command-line edge is met once by the real bundle (issue 18's item 8: a --csv that is not a regular
 * file; item 11: rough edges a new user meets); the further cases of a rule run the same main() in this process.
 */
describe("the bundle's command-line edge", () => {
  it("answers -h on a command, hr-upload help <command> and --version", async () => {
    const help = await runBundle(["upload", "-h"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^hr-upload upload: /);
    expect((await runBundle(["help", "status"])).stdout).toMatch(/^hr-upload status: /);
    const version = await runBundle(["--version"]);
    expect(version.stdout).toBe(`hr-upload ${PACKAGE_VERSION}\n`);
  });

  it("stamps the version on the summary event", async () => {
    const result = await runBundle(["validate", "--csv", fixture("seed-example.csv")], { HR_LOG_FORMAT: "JSON" });
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ event: "summary", outcome: "valid", version: PACKAGE_VERSION });
  });

  it("reads Microsoft's script parameters with one dash and in any case, as PowerShell users type them; refuses hex and binary numbers; hints at the punycode of a non-ASCII domain", async () => {
    const scriptStyle = ["upload", "--dry-run", "--cloud", "gcch", "-tenantId", STANDIN_DEFAULTS.tenantId, "-AppId", STANDIN_DEFAULTS.clientId, "-jobid", STANDIN_DEFAULTS.jobId, "-csvFilePath", fixture("seed-example.csv"), "-RecordsPerCall=2"];
    const planned = await runBundle([...scriptStyle, "--log-format", "json"], { HR_APP_SECRET: STANDIN_DEFAULTS.clientSecret, HR_CHECKPOINT_DIR: tempDir("hr-edge-") });
    expect(planned.code).toBe(0);
    expect(jsonLines(planned.stdout).at(-1)).toMatchObject({ outcome: "dry-run", jobId: STANDIN_DEFAULTS.jobId });
    expect(jsonLines(planned.stdout).filter((event) => event.event === "plan-chunk").map((event) => event.records)).toEqual(expect.arrayContaining([2]));
    expectOneLineError(await runBundle([...scriptStyle.slice(0, -1), "--records-per-call", "0x10"], { HR_APP_SECRET: "s" }), 2, /^error: --records-per-call must be a whole number from 1 to 1000000$/);
    expectOneLineError(await runCli([...scriptStyle.slice(0, -1), "--records-per-call", "0b101"], { HR_APP_SECRET: "s" }), 2, /^error: --records-per-call must be a whole number from 1 to 1000000$/);
    expectOneLineError(await runBundle(withFlag(scriptStyle, "-tenantId", "agéncy.gov"), { HR_APP_SECRET: "s" }), 2, /^error: --tenant-id must be a GUID .*; a domain with non-ASCII letters works in its punycode form: xn--agncy-csa\.gov$/);
  });

  it("refuses a Blob URL without container or blob, and status on a state folder that does not exist, with exit 2 (issue 18's item 8)", async () => {
    expectOneLineError(await runBundle(["validate", "--csv", "https://acct.blob.core.usgovcloudapi.net/hr-data"]), 2, /^error: --csv must name a container and a blob: https:\/\/<account>\.blob\.core\.usgovcloudapi\.net\/<container>\/<file>\.csv/);
    const missing = join(tempDir("hr-edge-"), "typo");
    expectOneLineError(await runBundle(["status", "--checkpoint-dir", missing]), 2, new RegExp(`^error: no hr-upload state in ${literal(missing)}: it does not exist`));
  });

  it("refuses a --csv that is not a regular file (a FIFO without a writer, a socket, a device) with exit 2, at once", async () => {
    const dir = tempDir("hr-edge-");
    const socket = createServer();
    try {
      const fifo = join(dir, "employees.csv");
      expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
      const socketPath = join(dir, "employees.sock");
      await new Promise<void>((listening) => socket.listen(socketPath, () => listening()));
      const started = Date.now();
      expectOneLineError(await runBundle(["validate", "--csv", fifo]), 2, new RegExp(`^error: not a regular file: ${fifo} is a FIFO \\(named pipe\\); hr-upload reads a file`));
      const harness = await UploadHarness.start();
      try {
        expectOneLineError(await harness.upload(fifo), 2, /^error: not a regular file: .* is a FIFO \(named pipe\)/);
        expectOneLineError(await harness.upload(socketPath), 2, /^error: not a regular file: .* is a socket/);
        expectOneLineError(await harness.uploadHere("/dev/null"), 2, /^error: not a regular file: \/dev\/null is a device/);
        expect(harness.standIn.tokenRequests + harness.standIn.ingestionRequests).toBe(0);
        // A failed start leaves no lock behind: the machine's lock folder holds no lock file.
        expect(existsSync(harness.lockDir) ? readdirSync(harness.lockDir).filter((name) => name.endsWith(".lock")) : []).toEqual([]);
      } finally {
        await harness.close();
      }
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      socket.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a CRLF header over LF records in one line, without a cell value", async () => {
    const dir = tempDir("hr-edge-");
    try {
      const file = join(dir, "appended.csv");
      writeFileSync(file, "EmailAddress,TerminationDate,LastWorkingDate\r\nmia.mixed@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\nmax.mixed@agency.gov,2026-03-03T09:00:00Z,2026-03-21T17:00:00Z\n");
      const result = await runCli(["validate", "--csv", file]);
      expectOneLineError(result, 3, /^error: line 2: the file mixes line endings: the header line ends with CRLF \(Windows\) but this record with LF \(Unix\)/);
      expect(result.stdout + result.stderr).not.toMatch(/mia\.mixed|max\.mixed|2026-03/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The short file by the same main() here; the others with the real bundle (its own Node reads 1 MB of NUL bytes
  // several times faster than Jest's sandbox does).
  it.each<[string, Buffer, RegExp, (args: string[], env: NodeJS.ProcessEnv) => Promise<CliResult>]>([
    ["old Mac line endings (CR alone)", Buffer.from("EmailAddress,TerminationDate,LastWorkingDate\rmia.mac@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\r"), /^error: line 1: the lines end with CR alone \(old Mac line endings\), which the connector does not read; save it again with CRLF \(Windows\) or LF \(Unix\) line endings$/, runBundle],
    ["a file of NUL bytes (binary), longer than a record may be", Buffer.alloc(1024 * 1024 + 10), /^error: line 1: the file is binary \(NUL bytes where the header line should be\), not CSV text: check that --csv names the HR export/, runBundle],
    ["a short file of NUL bytes", Buffer.alloc(64), /^error: line 1: the file is binary/, runCli],
  ])("refuses %s in one line with the fix, for validate and upload", async (_case, bytes, message, run) => {
    const dir = tempDir("hr-edge-");
    try {
      const file = join(dir, "export.csv");
      writeFileSync(file, bytes);
      const upload = ["upload", "--dry-run", "--cloud", "gcch", "--tenant-id", STANDIN_DEFAULTS.tenantId, "--app-id", STANDIN_DEFAULTS.clientId, "--job-id", STANDIN_DEFAULTS.jobId];
      for (const command of [["validate"], upload]) {
        const result = await run([...command, "--csv", file], { HR_APP_SECRET: STANDIN_DEFAULTS.clientSecret, HR_CHECKPOINT_DIR: join(dir, "state") });
        expectOneLineError(result, 3, message);
        expect(result.stdout + result.stderr).not.toMatch(/mia\.mac|2026-03|quote/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses --show-values in a Container Apps job", async () => {
    const result = await runCli(["validate", "--csv", fixture("every-error.csv"), "--show-values"], { CONTAINER_APP_JOB_NAME: "hr-upload-gov" });
    expectOneLineError(result, 2, /^error: --show-values is refused in Container Apps \(CONTAINER_APP_JOB_NAME is set\)/);
    expect(result.stdout).toBe("");
  });
});

/** The machine's own node: the first on PATH outside node_modules (npm puts the project's Node 24 first). */
function machineNode(): { path: string; major: number } | undefined {
  const dir = (process.env.PATH ?? "").split(delimiter).find((entry) => !entry.includes("node_modules") && existsSync(join(entry, "node")));
  if (dir === undefined) return undefined;
  const path = join(dir, "node");
  return { path, major: Number(/^v(\d+)\./.exec(spawnSync(path, ["--version"], { encoding: "utf8" }).stdout)?.[1]) };
}

describe("status and the stack's dashboard", () => {
  const DASHBOARD = "https://portal.azure.us/#@22222222-2222-4222-8222-222222222222/resource/subscriptions/1/resourceGroups/rg/providers/Microsoft.Insights/workbooks/7c5e/workbook";

  it("prints the dashboard link first when HR_DASHBOARD_URL is set, as on the job, and carries it in the summary", async () => {
    const dir = tempDir("hr-status-");
    try {
      const text = await runBundle(["status", "--checkpoint-dir", dir], { HR_DASHBOARD_URL: DASHBOARD });
      expect({ exit: text.code, first: text.stdout.split("\n")[0] }).toEqual({ exit: 0, first: `Dashboard: ${DASHBOARD}` });
      const json = await runCli(["status", "--checkpoint-dir", dir, "--log-format", "json"], { HR_DASHBOARD_URL: DASHBOARD });
      expect(jsonLines(json.stdout).at(-1)).toMatchObject({ event: "summary", dashboardUrl: DASHBOARD });
      expect((await runCli(["status", "--checkpoint-dir", dir])).stdout).not.toMatch(/Dashboard/);
      expectOneLineError(await runCli(["status", "--checkpoint-dir", dir, "--dashboard-url", "http://portal.azure.us/x"]), 2, /^error: --dashboard-url must be an https URL$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the runtime", () => {
  it("is Node.js 24 for the tests and the bundles they start, whatever Node the machine has (npm ci brings it)", () => {
    expect(process.versions.node).toMatch(/^24\./);
  });

  it("refuses a Node.js older than 22 at start: one line, exit 2, and in json the summary event last", async () => {
    const dir = tempDir("hr-runtime-");
    try {
      const node18 = join(dir, "node18.cjs");
      writeFileSync(node18, 'Object.defineProperty(process.versions, "node", { value: "18.20.4" });\n');
      const args = ["validate", "--csv", fixture("seed-example.csv")];
      const text = await runBundle(args, {}, { nodeArgs: ["--require", node18] });
      expectOneLineError(text, 2, /^error: this is Node\.js 18\.20\.4; hr-upload runs on Node\.js 24 LTS or 22 LTS: install Node\.js 24 LTS/);
      const json = await runBundle(args, { HR_LOG_FORMAT: "json" }, { nodeArgs: ["--require", node18] });
      expect(json.code).toBe(2);
      expect(jsonLines(json.stdout).at(-1)).toMatchObject({ event: "summary", outcome: "failed", errorClass: "usage", exitCode: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on the machine's own Node: refused in one line when it is older than 22, else it runs", async () => {
    const machine = machineNode();
    expect(machine).toBeDefined();
    const result = await runBundle(["validate", "--csv", fixture("seed-example.csv")], {}, { node: machine?.path });
    if ((machine?.major ?? 0) < 22) expectOneLineError(result, 2, /^error: this is Node\.js \d+\.\d+\.\d+; hr-upload runs on Node\.js 24 LTS or 22 LTS/);
    else expect(result.code).toBe(0);
  });
});

/** Rules of reading flags and variables: the same main() as the bundle, in this process, with a real upload. */
describe("precedence in a real upload against the stand-in", () => {
  let harness: UploadHarness;
  let csv: string;
  beforeEach(async () => {
    harness = await UploadHarness.start();
    csv = fixture("seed-example.csv");
  });
  afterEach(async () => {
    await harness.close();
  });

  it("--app-secret beats HR_APP_SECRET, both ways", async () => {
    const right = await harness.uploadHere(csv, ["--app-secret", STANDIN_DEFAULTS.clientSecret], { HR_APP_SECRET: "a-stale-secret" });
    expect(right.code).toBe(0);
    expect(right.stderr).toMatch(/^warning: --app-secret is visible in process lists/m);
    const wrong = await harness.uploadHere(csv, ["--app-secret", "a-stale-secret", "--force"], { HR_APP_SECRET: STANDIN_DEFAULTS.clientSecret });
    expect(wrong.code).toBe(4);
    for (const { stdout, stderr } of [right, wrong]) expect(stdout + stderr).not.toMatch(new RegExp(`${STANDIN_DEFAULTS.clientSecret}|a-stale-secret`));
  });

  it("empty HR_* variables count as unset (HR_TOKEN_RESOURCE= used to exit 4, HR_SCENARIO_COLUMN= exit 3)", async () => {
    const empty = { HR_TOKEN_RESOURCE: "", HR_SCENARIO_COLUMN: "", HR_SCENARIO_VALUES: "", HR_COLUMNS: " ", HR_SCENARIO: "", HR_CONCURRENCY: "" };
    const result = await harness.uploadHere(csv, ["--log-format", "json"], empty);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ event: "summary", outcome: "delivered", recordsDelivered: 2, version: PACKAGE_VERSION });
    expect(harness.standIn.recordsSaved()).toBe(2);
  });

  it("signs in with the tenant's domain name and a cloud name in capitals", async () => {
    await harness.close();
    harness = await UploadHarness.start({ tenantId: "contoso.onmicrosoft.us" });
    const args = withFlag(withFlag(harness.args(csv), "--tenant-id", "contoso.onmicrosoft.us"), "--cloud", "GCCH");
    const result = await runCli(args, harness.env());
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(harness.standIn.tokenRequests).toBe(1);
    expect(harness.standIn.recordsSaved()).toBe(2);
  });
});
