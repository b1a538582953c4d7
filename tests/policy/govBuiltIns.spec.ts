/** The data table of Azure Government built-ins (policy/govBuiltIns.ts) and the pack's coverage of it. */
import { coverageLine, coverageOf } from "../../policy/coverage";
import { CONTROL_TITLES } from "../../policy/define";
import type { Evaluation } from "../../policy/evaluate";
import { EXCEPTIONS, GOV_BUILT_INS, GOV_INITIATIVES, OUR_RELATED_BUILT_INS, SNAPSHOT, isGovMember, type AzureBuiltIn } from "../../policy/govBuiltIns";
import { POLICIES } from "./harness";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GOV = Object.values(GOV_BUILT_INS);
const RELATED = Object.values(OUR_RELATED_BUILT_INS);

it("records the snapshot it was read from", () => {
  expect(SNAPSHOT.commit).toMatch(/^[0-9a-f]{40}$/);
  expect(SNAPSHOT.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  for (const initiative of Object.values(GOV_INITIATIVES)) expect(initiative.id).toMatch(GUID);
});

it("has each built-in once, with a GUID, an effect, a one-line condition and known controls", () => {
  const ids = [...GOV, ...RELATED].map((builtIn) => builtIn.definitionId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const builtIn of [...GOV, ...RELATED]) {
    expect(builtIn.definitionId).toMatch(GUID);
    expect(["Audit", "AuditIfNotExists"]).toContain(builtIn.effect);
    expect(builtIn.condition).toMatch(/^[^\n]+$/);
    for (const control of builtIn.controls) expect(CONTROL_TITLES).toHaveProperty([control]);
  }
});

it("keeps Gov members (in all three initiatives, with controls) apart from our related rules (in none, no controls)", () => {
  for (const builtIn of GOV) expect([builtIn.definitionId, builtIn.initiatives, builtIn.controls.length > 0]).toEqual([builtIn.definitionId, ["nist", "fedrampHigh", "il5"], true]);
  for (const builtIn of RELATED) expect([builtIn.definitionId, isGovMember(builtIn), builtIn.controls]).toEqual([builtIn.definitionId, false, []]);
});

it("excepts, on every plan, only Gov built-ins the pack does not check; on network: public plans only, mirrored ones; each with a reason and an owner", () => {
  const mirrored = new Set(POLICIES.flatMap((policy) => policy.azurePolicies.map((builtIn) => builtIn.definitionId)));
  for (const exception of EXCEPTIONS) {
    expect(GOV).toContain(exception.builtIn);
    expect([exception.builtIn.definitionId, mirrored.has(exception.builtIn.definitionId)]).toEqual([exception.builtIn.definitionId, exception.onlyWhenNetwork === "public"]);
    expect(exception.reason.length).toBeGreaterThan(20);
    expect(exception.owner.length).toBeGreaterThan(5);
  }
  const ofPublicPlans = EXCEPTIONS.filter((exception) => exception.onlyWhenNetwork === "public").map((exception) => exception.builtIn);
  // The network built-ins of Key Vault, storage and the registry: firewall, network rules, private link.
  expect(ofPublicPlans.map((builtIn) => builtIn.definitionId.slice(0, 8))).toEqual(["55615ac9", "34c877ad", "2a1a9cdf", "6edd7eda", "d0793b48", "e8eef0a8"]);
});

const everyPolicyPassed = (): Evaluation => ({ violations: [], applied: new Set(POLICIES.map((policy) => policy.policy.name)), notApplicable: new Map() });

it("counts every applicable built-in once: implemented, excepted or a gap, on a private and on a public plan", () => {
  for (const network of ["private", "public"] as const) {
    const coverage = coverageOf(POLICIES, everyPolicyPassed(), { network });
    expect(coverage.applicable).toHaveLength(GOV.length);
    expect(coverage.implemented.length + coverage.excepted.length + coverage.gaps.length).toBe(GOV.length);
    expect(coverage.implemented.every((entry) => entry.result === "passed")).toBe(true);
  }
});

it("excepts the private-network built-ins on a network: public plan only, and says so in the coverage line", () => {
  const onPrivate = coverageOf(POLICIES, everyPolicyPassed(), { network: "private" });
  const onPublic = coverageOf(POLICIES, everyPolicyPassed(), { network: "public" });
  expect(onPublic.excepted.length - onPrivate.excepted.length).toBe(6);
  expect(onPublic.exceptedButChecked.map((entry) => entry.builtIn)).toEqual(EXCEPTIONS.filter((exception) => exception.onlyWhenNetwork === "public").map((exception) => exception.builtIn));
  expect(onPrivate.exceptedButChecked).toEqual([]);
  expect(coverageLine(onPrivate)).toBe(`${GOV.length} applicable built-ins: 16 implemented (16 passed, 0 with findings, 0 not applicable on this plan), 5 excepted, 0 without a policy.`);
  expect(coverageLine(onPublic)).toBe(`${GOV.length} applicable built-ins: 10 implemented (10 passed, 0 with findings, 0 not applicable on this plan), 11 excepted (6 because this plan is network: public), 0 without a policy.`);
});

it("grades a built-in by what its policies found on the plan, and says why one with nothing to check is not applicable", () => {
  const grade = (builtIn: AzureBuiltIn, applied: string[], violations: string[], notApplicable = new Map<string, string>()) =>
    coverageOf(POLICIES, { applied: new Set(applied), violations: violations.map((policy) => ({ policy, enforcementLevel: "advisory" as const, message: "m" })), notApplicable }, { network: "private" }).implemented.find(
      (implemented) => implemented.builtIn === builtIn,
    );
  const name = "storage-public-network-access";
  expect(grade(GOV_BUILT_INS.storageRestrictNetworkAccess, [name], [])?.result).toBe("passed");
  expect(grade(GOV_BUILT_INS.storageRestrictNetworkAccess, [name], [name])?.result).toBe("findings");
  expect(grade(GOV_BUILT_INS.storageRestrictNetworkAccess, [], [])).toMatchObject({ result: "not applicable", notApplicableBecause: "the plan creates no storage:StorageAccount" });
  expect(grade(GOV_BUILT_INS.subnetNetworkSecurityGroup, [], [])).toMatchObject({ result: "not applicable", notApplicableBecause: "the plan creates no network:Subnet or network:VirtualNetwork" });
  const stackPolicy = grade(GOV_BUILT_INS.storagePrivateLink, [], [], new Map([["private-network-complete", "the stack has no private network (network: public)"]]));
  expect(stackPolicy).toMatchObject({ result: "not applicable", notApplicableBecause: "the stack has no private network (network: public)" });
});
