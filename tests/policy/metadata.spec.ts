/** What each policy tells an assessor, and the pack's own package. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONTROL_TITLES } from "../../policy/define";
import { GOV_BUILT_INS, OUR_RELATED_BUILT_INS, isGovMember } from "../../policy/govBuiltIns";
import { POLICIES } from "./harness";

const ROOT = path.join(__dirname, "..", "..");
const readJson = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TABLE = [...Object.values(GOV_BUILT_INS), ...Object.values(OUR_RELATED_BUILT_INS)];

describe.each(POLICIES.map((entry) => [entry.policy.name, entry] as const))("policy %s", (name, { policy, controls, azurePolicies, evidence }) => {
  it("has a unique kebab-case name", () => {
    expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(POLICIES.filter((other) => other.policy.name === name)).toHaveLength(1);
  });

  it("names NIST SP 800-53 Rev. 5 controls the pack knows, in its description and its framework", () => {
    expect(controls.length).toBeGreaterThan(0);
    for (const control of controls) expect(CONTROL_TITLES).toHaveProperty([control]);
    expect(policy.description).toContain(`NIST SP 800-53 Rev. 5: ${controls.join(", ")}.`);
    expect(policy.framework).toMatchObject({ name: "NIST SP 800-53", version: "Rev. 5", reference: controls.join(", ") });
  });

  it("names the Azure Policy built-ins it mirrors by display name and definition ID, each from the data table", () => {
    for (const builtIn of azurePolicies) {
      expect(builtIn.definitionId).toMatch(GUID);
      expect(TABLE).toContainEqual(builtIn);
      expect(policy.description).toContain(`"${builtIn.displayName}" (${builtIn.definitionId})`);
    }
    if (azurePolicies.length === 0) expect(policy.description).toContain("No Azure Policy built-in checks this.");
  });

  it("presents as Gov initiative members only the built-ins the table says are, with their controls", () => {
    const gov = azurePolicies.filter(isGovMember);
    const related = azurePolicies.filter((builtIn) => !isGovMember(builtIn));
    if (gov.length > 0) expect(policy.description).toMatch(/in the Azure Government NIST SP 800-53 Rev\. 5, FedRAMP High, DoD Impact Level 5 initiatives \(Azure\/azure-policy 2026-04-29\)\./);
    else expect(policy.description).not.toContain("Azure Government NIST");
    if (related.length > 0) expect(policy.description).toContain("is in none of the Azure Government initiatives.");
    for (const builtIn of gov) expect(controls).toEqual(expect.arrayContaining([...builtIn.controls]));
  });

  it("says which settings it reads", () => {
    expect(evidence.length).toBeGreaterThan(0);
    for (const { type, settings } of evidence) expect([type, settings.length > 0]).toEqual([expect.stringMatching(/^(azure-native|azuread):/), true]);
  });
});

it("leaves only what depends on the agency's network advisory", () => {
  expect(POLICIES.filter(({ policy }) => policy.enforcementLevel === "advisory").map(({ policy }) => policy.name).sort()).toEqual(
    ["container-apps-environment-internal", "keyvault-public-network-access", "log-analytics-public-network-access", "registry-public-network-access", "storage-public-network-access", "storage-virtual-network-rules"],
  );
  expect(POLICIES.filter(({ policy }) => policy.enforcementLevel === undefined)).toHaveLength(POLICIES.length - 6);
});

describe("the pack's package", () => {
  it("is a Node.js policy pack", () => {
    expect(parse(readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8"))).toMatchObject({ runtime: "nodejs" });
  });

  it("pins the versions the repository tests it with", () => {
    const root = readJson("package.json");
    const pack = readJson("policy/package.json");
    expect(pack.dependencies).toEqual({ "@pulumi/policy": root.devDependencies["@pulumi/policy"], "@pulumi/pulumi": root.dependencies["@pulumi/pulumi"] });
    expect(pack.devDependencies).toEqual({ "@types/node": root.devDependencies["@types/node"], typescript: root.devDependencies.typescript });
    const lock = JSON.parse(readFileSync(path.join(ROOT, "policy", "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
    expect(lock.packages["node_modules/@pulumi/policy"]?.version).toBe(pack.dependencies["@pulumi/policy"]);
    expect(lock.packages["node_modules/@pulumi/pulumi"]?.version).toBe(pack.dependencies["@pulumi/pulumi"]);
  });
});
