/**
 * How the pack covers the applicable built-ins of the Azure Government
 * initiatives (govBuiltIns.ts): each one is mirrored by policies, excepted with a
 * reason and an owner, or a gap; and, on an evaluated plan, what its policies found.
 */
import type { NistPolicy } from "./define";
import type { Evaluation } from "./evaluate";
import { EXCEPTIONS, GOV_BUILT_INS, type AzureBuiltIn, type BuiltInException } from "./govBuiltIns";

/** On this plan: every mirroring policy checked something and found nothing; one found something; none had anything to check. */
export type PlanResult = "passed" | "findings" | "not checked";

export interface ImplementedBuiltIn {
  readonly builtIn: AzureBuiltIn;
  readonly policies: readonly string[];
  readonly result: PlanResult;
}

export interface Coverage {
  readonly applicable: readonly AzureBuiltIn[];
  readonly implemented: readonly ImplementedBuiltIn[];
  readonly excepted: readonly BuiltInException[];
  /** Neither mirrored nor excepted: to fix. */
  readonly gaps: readonly AzureBuiltIn[];
}

export function coverageOf(policies: readonly NistPolicy[], evaluation: Evaluation, exceptions: readonly BuiltInException[] = EXCEPTIONS): Coverage {
  const applicable = Object.values(GOV_BUILT_INS) as AzureBuiltIn[];
  const mirroring = (builtIn: AzureBuiltIn) => policies.filter((policy) => policy.azurePolicies.some((mirrored) => mirrored.definitionId === builtIn.definitionId));
  const resultOf = (names: readonly string[]): PlanResult => {
    if (evaluation.violations.some((violation) => names.includes(violation.policy))) return "findings";
    return names.every((name) => evaluation.applied.has(name)) ? "passed" : "not checked";
  };
  const implemented = applicable.flatMap((builtIn) => {
    const names = mirroring(builtIn).map((policy) => policy.policy.name);
    return names.length === 0 ? [] : [{ builtIn, policies: names, result: resultOf(names) }];
  });
  const isExcepted = (builtIn: AzureBuiltIn) => exceptions.some((exception) => exception.builtIn.definitionId === builtIn.definitionId);
  return {
    applicable,
    implemented,
    excepted: exceptions,
    gaps: applicable.filter((builtIn) => !isExcepted(builtIn) && mirroring(builtIn).length === 0),
  };
}

/** One line: the numbers an assessor compares with the initiatives. */
export function coverageLine(coverage: Coverage): string {
  const count = (result: PlanResult) => coverage.implemented.filter((entry) => entry.result === result).length;
  return (
    `${coverage.applicable.length} applicable built-ins: ${coverage.implemented.length} implemented ` +
    `(${count("passed")} passed, ${count("findings")} with findings, ${count("not checked")} not checked on this plan), ` +
    `${coverage.excepted.length} excepted, ${coverage.gaps.length} without a policy.`
  );
}
