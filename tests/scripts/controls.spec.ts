/**
 * `npm run plan -- --controls <file>` (in-process; one run of the script itself): the control-implementation table of the
 * System Security Plan, written offline from the Gov stack, with one row per
 * resource and setting implementing a control and what the policy pack found.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FAKE_CLIENT_SECRET_PREFIX, type RecordedResource } from "../../infra/offline/mocks";
import { evaluatePolicies } from "../../policy/evaluate";
import { EXCEPTIONS, GOV_BUILT_INS, GOV_INITIATIVES, SNAPSHOT } from "../../policy/govBuiltIns";
import { PACK } from "../../policy/policies";
import { renderControls } from "../../scripts/lib/controls";
import { planCli } from "../../scripts/lib/plan";
import { runScript, runScriptHere, type CliResult } from "../support/cli";
import { CONNECTOR_JOB_ID, runGov } from "../infra/harness";
import { POLICIES } from "../policy/harness";
import { literal } from "../support/literal";

const ROOT = path.join(__dirname, "..", "..");

/** Gov built-ins with neither a policy nor an exception: none left. */
const GAPS: readonly string[] = [];
/** Exceptions on every plan (the pack does not check them); the others hold on network: public plans only. */
const ALWAYS_EXCEPTED = EXCEPTIONS.filter((exception) => exception.onlyWhenNetwork === undefined);

/** The coverage section of a control file. */
const coverageOf = (markdown: string): string => markdown.split("\n## ").find((part) => part.startsWith("Coverage of the Azure Government initiatives")) ?? "";
/** A built-in's row in the coverage section. */
const coverageRow = (markdown: string, definitionId: string): string | undefined => coverageOf(markdown).split("\n").find((line) => line.startsWith(`| ${definitionId} |`));

/** Summary rows: control → result. */
function summaryOf(markdown: string): Map<string, string> {
  const rows = markdown.split("\n## ")[0]?.split("\n").filter((line) => /^\| [A-Z]{2}-\d/.test(line)) ?? [];
  return new Map(rows.map((row) => [row.split(" | ")[0]?.slice(2) ?? "", row.split(" | ").pop()?.replace(/ \|$/, "") ?? ""]));
}

/** The table rows of one control's section. */
function sectionRows(markdown: string, control: string): string[] {
  const section = markdown.split("\n## ").find((part) => part.startsWith(`${control} `)) ?? "";
  return section.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| Resource"));
}

/** `npm run plan` in this process, which has the program and Pulumi's SDK loaded already. */
const plan = (args: string[]): Promise<CliResult> => runScriptHere(planCli, args, { cwd: ROOT });

const render = async (resources: RecordedResource[]) =>
  renderControls({
    stack: "gov",
    stackFile: "Pulumi.gov.yaml",
    overrides: [],
    packName: PACK.name,
    resources,
    policies: POLICIES,
    evaluation: await evaluatePolicies(POLICIES, resources, { packEnforcementLevel: PACK.enforcementLevel }),
    plan: { network: "public" },
  });

/** `npm run plan -- <args> --controls <file>` into a temporary folder: what it printed and the file. */
async function planControls(args: string[]): Promise<{ stdout: string; markdown: string }> {
  const directory = mkdtempSync(path.join(tmpdir(), "hr-controls-"));
  try {
    const file = path.join(directory, "controls.md");
    const result = await plan([...args, "--controls", file]);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    return { stdout: result.stdout, markdown: readFileSync(file, "utf8") };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe("npm run plan -- --controls", () => {
  let markdown: string;
  let stdout: string;
  beforeAll(async () => {
    ({ stdout, markdown } = await planControls(["--set", `connectorJobId=${CONNECTOR_JOB_ID}`, "--set", "network=private"]));
  });

  it("reports the pack's findings on the plan", () => {
    expect(stdout).toContain("Control implementation table written to");
    expect(stdout).toContain(": 0 mandatory violations, 0 advisory findings.");
    expect(markdown).toMatch(/^# Control implementation: hr-connector stack "gov"\n/);
    expect(markdown).toContain("from Pulumi.gov.yaml with `--set connectorJobId=");
  });

  it("has a summary row for every control the pack or a Gov built-in names, in control order: passing where a policy checks it", () => {
    const summary = summaryOf(markdown);
    const checked = new Set(POLICIES.flatMap((policy) => policy.controls));
    const govOnly = [...new Set(Object.values(GOV_BUILT_INS).flatMap((builtIn) => builtIn.controls))].filter((control) => !checked.has(control));
    expect([...summary.keys()].sort()).toEqual([...checked, ...govOnly].sort());
    expect([...summary.keys()].slice(0, 4)).toEqual(["AC-2", "AC-2(1)", "AC-2(12)", "AC-3"]);
    for (const control of checked) expect([control, summary.get(control)]).toEqual([control, expect.stringMatching(/^pass(, \d built-ins? NOT IMPLEMENTED)?$/)]);
    for (const control of govOnly) expect([control, summary.get(control)]).toEqual([control, expect.stringMatching(/^(excepted|NOT IMPLEMENTED)$/)]);
  });

  it("names the three Gov initiatives and the snapshot, and prints the coverage numbers of the data table", () => {
    for (const initiative of Object.values(GOV_INITIATIVES)) expect(markdown).toContain(`${initiative.displayName} (${initiative.id}, v${initiative.version})`);
    expect(markdown).toContain(`Azure/azure-policy ${SNAPSHOT.commit.slice(0, 12)} (2026-04-29)`);
    const applicable = Object.keys(GOV_BUILT_INS).length;
    const implemented = applicable - ALWAYS_EXCEPTED.length - GAPS.length;
    const line = `${applicable} applicable built-ins: ${implemented} implemented (${implemented} passed, 0 with findings, 0 not applicable on this plan), ${ALWAYS_EXCEPTED.length} excepted, ${GAPS.length} without a policy.`;
    expect(markdown).toContain(`Coverage: ${line}`);
    expect(stdout).toContain(`Azure Government initiatives (NIST SP 800-53 Rev. 5 179d1daa-458f-4e47-8086-2a68d0d6c38f, FedRAMP High d5264498-16f4-418a-b659-fa7ef418175f, DoD Impact Level 5 f9a961fa-3241-4b20-adc4-bbf8ad9d7197; Azure/azure-policy 2026-04-29): ${line}`);
  });

  it("names every applicable Gov built-in by GUID: implemented by its policy, or excepted with reason and owner", () => {
    for (const builtIn of Object.values(GOV_BUILT_INS)) {
      const row = coverageRow(markdown, builtIn.definitionId);
      const exception = ALWAYS_EXCEPTED.find((candidate) => candidate.builtIn === builtIn);
      if (exception !== undefined) expect(row).toContain(`excepted: ${exception.reason}; owner: ${exception.owner}`);
      else if (GAPS.includes(builtIn.definitionId)) expect(row).toContain("NOT IMPLEMENTED: no policy and no exception");
      else expect(row).toMatch(/\| implemented by `[a-z-]+`(, `[a-z-]+`)* \(passed on this plan\) \|$/);
    }
  });

  it("names each built-in issue 20 lists as implemented and passing, or excepted, at the numbers the README states", () => {
    const row = (definitionId: string) => coverageRow(markdown, definitionId);
    const implemented = [
      "bf045164-79ba-4215-8f95-f8048dc1780b", // geo-redundant storage
      "4733ea7b-a883-42fe-8cac-97454c2a9e4a", // storage infrastructure encryption
      "6fac406b-40ca-413b-bf8e-0bf964659c25", // storage customer-managed key
      "5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580", // registry customer-managed key
      "d0793b48-0edc-4296-a390-4c75d1bdfd71", // registry network access
      "2a1a9cdf-e04d-429a-8416-3bfb72a1b26f", // storage virtual-network rules
      "e71308d3-144b-4262-b144-efdc3cc90517", // NSGs on subnets
      "fa298e57-9444-42ba-bf04-86e8470e32c7", // saved queries in customer storage
    ];
    for (const definitionId of implemented) expect([definitionId, row(definitionId)]).toEqual([definitionId, expect.stringMatching(/\| implemented by `[a-z-]+`(, `[a-z-]+`)* \(passed on this plan\) \|$/)]);
    // The Defender plans for Resource Manager, Containers and Storage: subscription-wide, excepted.
    for (const definitionId of ["c3d20c29-b36d-48fe-808b-99a87530ad99", "1c988dd6-ade4-430f-a608-2a3e5b0a6d38", "308fbb08-4ab8-4e67-9b29-592e93fb94fa"]) {
      expect([definitionId, row(definitionId)]).toEqual([definitionId, expect.stringContaining("| excepted: ")]);
    }
    expect(markdown).toContain("Coverage: 21 applicable built-ins: 16 implemented (16 passed, 0 with findings, 0 not applicable on this plan), 5 excepted, 0 without a policy.");
  });

  it("has the subnets' security groups implement e71308d3 (passing) under SC-7, with their rules as evidence", () => {
    expect(coverageRow(markdown, GOV_BUILT_INS.subnetNetworkSecurityGroup.definitionId)).toMatch(/implemented by `network-subnet-nsg` \(passed on this plan\) \|$/);
    const rows = sectionRows(markdown, "SC-7");
    expect(rows.filter((row) => row.startsWith("| network:Subnet ")).map((row) => row.split(" | ")[2])).toEqual(["network-subnet-nsg (mandatory)", "network-subnet-nsg (mandatory)"]);
    expect(rows.some((row) => row.startsWith("| network:NetworkSecurityGroup hr-connector-endpoints | securityRules = "))).toBe(true);
  });

  it("says the Defender plans' exceptions are checked by preflight's defender-plans check", () => {
    for (const builtIn of [GOV_BUILT_INS.defenderResourceManager, GOV_BUILT_INS.defenderContainers, GOV_BUILT_INS.defenderStorage]) {
      expect(coverageRow(markdown, builtIn.definitionId)).toMatch(/; checked by npm run preflight \(check defender-plans: the subscription's (Arm|Containers|StorageAccounts) plan is at tier Standard\) \|$/);
    }
  });

  it("has an SC-28 row naming the infrastructure-encryption built-in", () => {
    expect(markdown).toMatch(/\n\| SC-28 \| Protection of Information at Rest \| [^|]* \| 4733ea7b-a883-42fe-8cac-97454c2a9e4a \((implemented|NOT IMPLEMENTED)\) \| /);
    expect(markdown).toContain('\n## SC-28 Protection of Information at Rest\n\n');
  });

  it("groups Key Vault's resource logs under AU-12, AU-12(1), AU-6(4) and AU-6(5), not AU-2", () => {
    for (const control of ["AU-6(4)", "AU-6(5)", "AU-12", "AU-12(1)"]) expect(sectionRows(markdown, control).some((row) => row.startsWith("| monitor:DiagnosticSetting hr-connector-vault-logs"))).toBe(true);
    expect(sectionRows(markdown, "AU-2").some((row) => row.startsWith("| monitor:DiagnosticSetting hr-connector-vault-logs"))).toBe(false);
  });

  it("names the workspace's retention and the tables' archive under AU-11", () => {
    const rows = sectionRows(markdown, "AU-11");
    expect(rows).toContain("| operationalinsights:Workspace hr-connector | retentionInDays = 365 | log-analytics-retention (mandatory) | pass |");
    expect(rows.find((row) => row.startsWith("| resources:Deployment hr-connector-log-archive"))).toMatch(/"totalRetentionInDays":913/);
  });

  it("names the secret's expiry under IA-5, and no secret value anywhere", () => {
    const expiry = sectionRows(markdown, "IA-5").find((row) => row.startsWith("| keyvault:Secret hr-app-secret"));
    expect(expiry).toContain(`properties.attributes.expires = ${Date.parse("2027-04-30T00:00:00Z") / 1000}`);
    expect(markdown).not.toContain(FAKE_CLIENT_SECRET_PREFIX);
  });

  it("names each resource's diagnostic setting under AU-12, with the workspace by name", () => {
    const rows = sectionRows(markdown, "AU-12");
    expect(rows.map((row) => row.split(" | ")[0])).toEqual(
      [
        "| monitor:DiagnosticSetting hr-connector-vault-logs",
        "| monitor:DiagnosticSetting hr-connector-blob-logs",
        "| monitor:DiagnosticSetting hr-connector-kept-blob-logs",
        "| monitor:DiagnosticSetting hr-connector-registry-logs",
        "| monitor:DiagnosticSetting hr-connector-environment-logs",
      ],
    );
    for (const row of rows) expect(row).toContain('workspaceId = "operationalinsights:Workspace hr-connector"');
  });

  it("names the private endpoints, the Gov DNS zones and the closed public access under SC-7", () => {
    const rows = sectionRows(markdown, "SC-7").join("\n");
    expect(rows).toContain('| privatedns:PrivateZone hr-connector-vault | privateZoneName = "privatelink.vaultcore.usgovcloudapi.net" | private-network-complete (mandatory) | pass |');
    expect(rows).toContain('| storage:StorageAccount hrconnector | publicNetworkAccess = "Disabled"');
    expect(rows).toContain('| containerregistry:Registry hrconnector | publicNetworkAccess = "Disabled"<br>networkRuleSet = (unset)<br>sku.name = "Premium" | registry-public-network-access (advisory) | pass |');
  });
});

describe("npm run plan -- --controls for Pulumi.gov.yaml as shipped (network: public)", () => {
  let markdown: string;
  let stdout: string;
  beforeAll(async () => {
    ({ stdout, markdown } = await planControls(["--set", `connectorJobId=${CONNECTOR_JOB_ID}`]));
  });

  const PUBLIC_NETWORK_EXCEPTIONS = EXCEPTIONS.filter((exception) => exception.onlyWhenNetwork === "public");

  it("counts the private-network built-ins as excepted because of network: public, at the numbers the README states, in the file and on stdout", () => {
    const line = "21 applicable built-ins: 10 implemented (9 passed, 0 with findings, 1 not applicable on this plan), 11 excepted (6 because this plan is network: public), 0 without a policy.";
    expect(markdown).toContain(`Coverage: ${line}`);
    expect(stdout).toContain(`Azure/azure-policy 2026-04-29): ${line}`);
    for (const initiative of [GOV_INITIATIVES.nist, GOV_INITIATIVES.fedrampHigh]) expect(markdown).toContain(initiative.id);
  });

  it("names every built-in issue 20 lists as implemented and passing, or excepted with its reason and owner", () => {
    const passing = [
      "bf045164-79ba-4215-8f95-f8048dc1780b", // geo-redundant storage
      "4733ea7b-a883-42fe-8cac-97454c2a9e4a", // storage infrastructure encryption
      "6fac406b-40ca-413b-bf8e-0bf964659c25", // storage customer-managed key
      "5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580", // registry customer-managed key
      "fa298e57-9444-42ba-bf04-86e8470e32c7", // saved queries in customer storage
    ];
    for (const definitionId of passing) expect([definitionId, coverageRow(markdown, definitionId)]).toEqual([definitionId, expect.stringMatching(/\| implemented by `[a-z-]+` \(passed on this plan\) \|$/)]);
    // Only network: private meets these: excepted on this plan, with the pack's advisory finding still named.
    for (const definitionId of ["d0793b48-0edc-4296-a390-4c75d1bdfd71", "2a1a9cdf-e04d-429a-8416-3bfb72a1b26f"]) {
      const exception = PUBLIC_NETWORK_EXCEPTIONS.find((candidate) => candidate.builtIn.definitionId === definitionId);
      expect([definitionId, coverageRow(markdown, definitionId)]).toEqual([
        definitionId,
        expect.stringMatching(new RegExp(`\\| excepted on this plan: with network: public, .*; owner: ${literal(exception?.owner ?? "")}; the pack still checks it: \`[a-z-]+\` \\(findings on this plan\\) \\|$`)),
      ]);
    }
    // No subnets on a public plan: nothing for the NSG built-in to audit.
    expect(coverageRow(markdown, "e71308d3-144b-4262-b144-efdc3cc90517")).toMatch(/\| implemented by `network-subnet-nsg` \(not applicable on this plan: the plan creates no network:Subnet or network:VirtualNetwork\) \|$/);
    for (const definitionId of ["c3d20c29-b36d-48fe-808b-99a87530ad99", "1c988dd6-ade4-430f-a608-2a3e5b0a6d38", "308fbb08-4ab8-4e67-9b29-592e93fb94fa"]) {
      expect([definitionId, coverageRow(markdown, definitionId)]).toEqual([definitionId, expect.stringContaining("| excepted: a subscription-wide Microsoft Defender plan")]);
    }
  });

  it("leaves no built-in with findings or unexplained: each is passing, not applicable with a reason, or excepted", () => {
    const statuses = Object.values(GOV_BUILT_INS).map((builtIn) => coverageRow(markdown, builtIn.definitionId)?.split(" | ").pop() ?? "");
    expect(statuses.filter((status) => status.startsWith("implemented by ") && !/\((passed on this plan|not applicable on this plan: .+)\) \|$/.test(status))).toEqual([]);
    const exceptedOnThisPlan = Object.values(GOV_BUILT_INS).filter((builtIn) => coverageRow(markdown, builtIn.definitionId)?.includes("| excepted on this plan: "));
    expect(exceptedOnThisPlan).toEqual(PUBLIC_NETWORK_EXCEPTIONS.map((exception) => exception.builtIn));
    // The private-link built-ins' policy says why it had nothing to check.
    expect(coverageRow(markdown, GOV_BUILT_INS.storagePrivateLink.definitionId)).toContain("the pack still checks it: `private-network-complete` (not applicable on this plan: the stack has no private network (network: public)) |");
  });

  it("keeps the pack's advisory findings: the exceptions are in the evidence, not a silenced policy", () => {
    // One per resource: Key Vault, the registry, and two for each storage account (the CSV's and the kept copies').
    expect(stdout).toContain(": 0 mandatory violations, 8 advisory findings.");
    expect(summaryOf(markdown).get("SC-7")).toBe("pass, 8 advisory findings");
    expect(markdown).toMatch(/\n\| SC-7 \| Boundary Protection \| [^|]* \| 55615ac9-af46-4a59-874e-391cc3dfb490 \(excepted on this plan\)<br>/);
  });
});

describe("npm run plan", () => {
  it("refuses an unknown option, a missing stack file and a --set without a value, with exit 2 and one line", async () => {
    expect(await plan(["--bogus"])).toEqual({ code: 2, stdout: "", stderr: "npm run plan: Unknown option '--bogus' (see --help)\n" });
    expect(await plan(["--stack", "nowhere"])).toEqual({ code: 2, stdout: "", stderr: "npm run plan: Pulumi.nowhere.yaml does not exist (copy Pulumi.gov.yaml to start one) (see --help)\n" });
    expect(await plan(["--set", "network"])).toEqual({ code: 2, stdout: "", stderr: "npm run plan: --set network: expected <key>=<value> (see --help)\n" });
  });

  it("refuses a config the program rejects, with exit 2 and the problem, no stack trace", async () => {
    const invalid = await plan(["--set", "connectorJobId=not-a-guid"]);
    expect(invalid).toEqual({ code: 2, stdout: "", stderr: 'npm run plan: Invalid hr-connector stack configuration:\n  - connectorJobId "not-a-guid" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)\n' });
  });

  it("--help says what it takes (the script itself, in a child process)", async () => {
    const help = await runScript("plan.ts", ["--help"], { PATH: process.env.PATH }, { cwd: ROOT });
    expect([help.code, help.stderr]).toEqual([0, ""]);
    for (const option of ["--stack <name>", "--set <key>=<value>", "--controls <file>"]) expect(help.stdout).toContain(`  ${option} `);
  });
});

describe("the table of a stack that breaks a control", () => {
  let resources: RecordedResource[];
  beforeAll(async () => {
    resources = structuredClone((await runGov({ connectorJobId: CONNECTOR_JOB_ID })).resources);
  });

  it("marks the control violated and says why on the resource's row", async () => {
    const account = resources.find((resource) => resource.type === "azure-native:storage:StorageAccount") as RecordedResource;
    account.inputs.allowSharedKeyAccess = true;
    const markdown = await render(resources);
    expect(summaryOf(markdown).get("AC-2")).toBe("VIOLATED (1)");
    expect(sectionRows(markdown, "AC-2")).toContain(
      "| storage:StorageAccount hrconnector | allowSharedKeyAccess = true<br>defaultToOAuthAuthentication = true | storage-no-shared-key (mandatory) | VIOLATION: Storage account must refuse shared key access: set allowSharedKeyAccess to false. |",
    );
    expect(markdown).toContain("the pack reports 1 mandatory violation and 8 advisory findings");
  });

  it("lists a finding whose evidence is missing altogether below the control's table", async () => {
    const withoutVaultLogs = resources.filter((resource) => resource.name !== "hr-connector-vault-logs");
    const markdown = await render(withoutVaultLogs);
    expect(summaryOf(markdown).get("AU-12")).toBe("VIOLATED (1)");
    expect(markdown).toMatch(/Findings without a resource row above:\n- keyvault-resource-logs \(mandatory\): Key Vault "hr-connector" sends no resource logs to a workspace/);
  });
});
