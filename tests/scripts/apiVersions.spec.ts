/**
 * The Azure REST API versions the stack uses, from the installed SDK: `npm run plan`
 * prints them with GA or preview, and the README's compliance section names exactly
 * the preview ones.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { apiVersionLines, isGenerallyAvailable, resourceTypesOf, sdkVersion, type ResourceTypeVersion } from "../../scripts/lib/preflight/resourceTypes";
import { planCli } from "../../scripts/lib/plan";
import { runScriptHere } from "../support/cli";
import { CONNECTOR_JOB_ID, runGov } from "../infra/harness";

const ROOT = path.join(__dirname, "..", "..");
/** The shape with the most types: private network, a job, alerts by mail. */
const WIDEST = { connectorJobId: CONNECTOR_JOB_ID, network: "private", alertEmail: "ops@agency.gov" };

let types: ResourceTypeVersion[];
beforeAll(async () => {
  types = resourceTypesOf((await runGov(WIDEST)).resources).types;
});

it("tells GA from preview by the version's suffix", () => {
  expect([isGenerallyAvailable("2024-11-01"), isGenerallyAvailable("2025-02-02-preview")]).toEqual([true, false]);
});

it("is printed by npm run plan, one aligned line per type, with the SDK's version", async () => {
  const result = await runScriptHere(planCli, ["--set", `connectorJobId=${CONNECTOR_JOB_ID}`, "--set", "network=private", "--set", "alertEmail=ops@agency.gov"], { cwd: ROOT });
  expect([result.code, result.stderr]).toEqual([0, ""]);
  const section = result.stdout.split("\nAzure REST API versions ")[1]?.split("\n\n")[0]?.split("\n") ?? [];
  expect(section[0]).toBe(`(installed @pulumi/azure-native ${sdkVersion()}; preflight checks each is offered in the region):`);
  expect(section.slice(1)).toEqual(apiVersionLines(types).map((line) => `  ${line}`));
  expect(section).toContain("  Microsoft.App/jobs                                              2025-02-02-preview  preview");
  expect(section).toContain("  Microsoft.KeyVault/vaults                                       2024-11-01          GA");
});

it("has the README name every preview version the stack uses, and no other", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const paragraph = readme.split("\n").find((line) => line.startsWith("**API versions.**")) ?? "";
  const previews = types.filter((type) => !isGenerallyAvailable(type.apiVersion));
  expect(previews.length).toBeGreaterThan(0);
  for (const type of previews) {
    expect([type.resourceType, paragraph.includes(type.apiVersion) && paragraph.includes(type.resourceType.split("/").pop() ?? "")]).toEqual([type.resourceType, true]);
  }
  const namedVersions = [...paragraph.matchAll(/\d{4}-\d{2}-\d{2}-preview/g)].map((match) => match[0]);
  expect(new Set(namedVersions)).toEqual(new Set(previews.map((type) => type.apiVersion)));
  expect(paragraph).toContain(`\`@pulumi/azure-native\` (${sdkVersion()})`);
});
