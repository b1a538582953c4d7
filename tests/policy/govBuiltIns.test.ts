/** The data table of Azure Government built-ins (policy/govBuiltIns.ts) and the pack's coverage of it. */
import { coverageOf } from "../../policy/coverage";
import { CONTROL_TITLES } from "../../policy/define";
import { EXCEPTIONS, GOV_BUILT_INS, GOV_INITIATIVES, OUR_RELATED_BUILT_INS, SNAPSHOT, isGovMember } from "../../policy/govBuiltIns";
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

it("excepts only Gov built-ins the pack does not check, each with a reason and an owner", () => {
  const mirrored = new Set(POLICIES.flatMap((policy) => policy.azurePolicies.map((builtIn) => builtIn.definitionId)));
  for (const exception of EXCEPTIONS) {
    expect(GOV).toContain(exception.builtIn);
    expect(mirrored.has(exception.builtIn.definitionId)).toBe(false);
    expect(exception.reason.length).toBeGreaterThan(20);
    expect(exception.owner.length).toBeGreaterThan(5);
  }
});

it("counts every applicable built-in once: implemented, excepted or a gap", () => {
  const coverage = coverageOf(POLICIES, { violations: [], applied: new Set(POLICIES.map((policy) => policy.policy.name)) });
  expect(coverage.applicable).toHaveLength(GOV.length);
  expect(coverage.implemented.length + coverage.excepted.length + coverage.gaps.length).toBe(GOV.length);
  expect(coverage.implemented.every((entry) => entry.result === "passed")).toBe(true);
});

it("grades a built-in by what its policies found on the plan", () => {
  const name = "storage-public-network-access";
  const entry = (applied: string[], violations: string[]) =>
    coverageOf(POLICIES, { applied: new Set(applied), violations: violations.map((policy) => ({ policy, enforcementLevel: "advisory" as const, message: "m" })) }).implemented.find(
      (implemented) => implemented.builtIn === GOV_BUILT_INS.storageRestrictNetworkAccess,
    )?.result;
  expect(entry([name], [])).toBe("passed");
  expect(entry([name], [name])).toBe("findings");
  expect(entry([], [])).toBe("not checked");
});
