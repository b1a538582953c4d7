/**
 * How the pack covers the applicable built-ins of the Azure Government
 * initiatives (govBuiltIns.ts) on one plan: each one is mirrored by policies,
 * excepted with a reason and an owner (always, or because of how this plan is
 * configured), or a gap; and what the mirroring policies found on the plan.
 */
import type { NistPolicy } from "./define";
import type { Evaluation } from "./evaluate";
import { EXCEPTIONS, GOV_BUILT_INS, type AzureBuiltIn, type BuiltInException, type PlanNetwork } from "./govBuiltIns";
import { shortType } from "./types";

/** What the plan was made with, as far as the exceptions depend on it. */
export interface PlanSettings {
  readonly network: PlanNetwork;
}

/** On this plan: every mirroring policy checked something and found nothing; one found something; none had anything to check. */
export type PlanResult = "passed" | "findings" | "not applicable";

export interface GradedBuiltIn {
  readonly builtIn: AzureBuiltIn;
  readonly policies: readonly string[];
  readonly result: PlanResult;
  /** Why, when the result is "not applicable". */
  readonly notApplicableBecause?: string;
}

export interface Coverage {
  readonly plan: PlanSettings;
  readonly applicable: readonly AzureBuiltIn[];
  /** Mirrored by policies and not excepted on this plan: they must pass. */
  readonly implemented: readonly GradedBuiltIn[];
  /** The exceptions in force on this plan. */
  readonly excepted: readonly BuiltInException[];
  /** Excepted on this plan though mirrored: what the pack still reports about them. */
  readonly exceptedButChecked: readonly GradedBuiltIn[];
  /** Neither mirrored nor excepted: to fix. */
  readonly gaps: readonly AzureBuiltIn[];
}

/** Why policies had nothing to check: the resource types they check and the plan lacks, or what a stack policy said. */
function whyNotApplicable(policies: readonly NistPolicy[], evaluation: Evaluation): string {
  const types = [...new Set(policies.flatMap((policy) => policy.appliesTo ?? []))].map(shortType);
  const stackWide = policies.filter((policy) => policy.appliesTo === undefined).map((policy) => evaluation.notApplicable.get(policy.policy.name) ?? `\`${policy.policy.name}\` found nothing to check`);
  return [...(types.length > 0 ? [`the plan creates no ${types.join(" or ")}`] : []), ...stackWide].join("; ");
}

export function coverageOf(policies: readonly NistPolicy[], evaluation: Evaluation, plan: PlanSettings, exceptions: readonly BuiltInException[] = EXCEPTIONS): Coverage {
  const applicable = Object.values(GOV_BUILT_INS) as AzureBuiltIn[];
  const mirroring = (builtIn: AzureBuiltIn) => policies.filter((policy) => policy.azurePolicies.some((mirrored) => mirrored.definitionId === builtIn.definitionId));
  const grade = (builtIn: AzureBuiltIn, checking: readonly NistPolicy[]): GradedBuiltIn => {
    const names = checking.map((policy) => policy.policy.name);
    if (evaluation.violations.some((violation) => names.includes(violation.policy))) return { builtIn, policies: names, result: "findings" };
    if (names.every((name) => evaluation.applied.has(name))) return { builtIn, policies: names, result: "passed" };
    return { builtIn, policies: names, result: "not applicable", notApplicableBecause: whyNotApplicable(checking.filter((policy) => !evaluation.applied.has(policy.policy.name)), evaluation) };
  };
  const graded = applicable.flatMap((builtIn) => (mirroring(builtIn).length === 0 ? [] : [grade(builtIn, mirroring(builtIn))]));
  const excepted = exceptions.filter((exception) => exception.onlyWhenNetwork === undefined || exception.onlyWhenNetwork === plan.network);
  const isExcepted = (builtIn: AzureBuiltIn) => excepted.some((exception) => exception.builtIn.definitionId === builtIn.definitionId);
  return {
    plan,
    applicable,
    implemented: graded.filter((entry) => !isExcepted(entry.builtIn)),
    excepted,
    exceptedButChecked: graded.filter((entry) => isExcepted(entry.builtIn)),
    gaps: applicable.filter((builtIn) => !isExcepted(builtIn) && mirroring(builtIn).length === 0),
  };
}

/** One line: the numbers an assessor compares with the initiatives. */
export function coverageLine(coverage: Coverage): string {
  const count = (result: PlanResult) => coverage.implemented.filter((entry) => entry.result === result).length;
  const ofThisPlan = coverage.excepted.filter((exception) => exception.onlyWhenNetwork !== undefined).length;
  return (
    `${coverage.applicable.length} applicable built-ins: ${coverage.implemented.length} implemented ` +
    `(${count("passed")} passed, ${count("findings")} with findings, ${count("not applicable")} not applicable on this plan), ` +
    `${coverage.excepted.length} excepted${ofThisPlan > 0 ? ` (${ofThisPlan} because this plan is network: ${coverage.plan.network})` : ""}, ${coverage.gaps.length} without a policy.`
  );
}
