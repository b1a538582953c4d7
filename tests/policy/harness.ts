/** Runs the policy pack offline against the stack as the mocks record it. */
import type { RecordedResource } from "../../infra/offline/mocks";
import { evaluatePolicies, type Evaluation } from "../../policy/evaluate";
import { PACK, nistPolicies } from "../../policy/policies";
import { GOV_STACK } from "../infra/govStackFile";

/** The day the Gov stack's secret was rotated: a password without a start date is valid from then. */
export const DEPLOYED_ON = new Date(`${GOV_STACK["hr-connector:secretRotation"]}T00:00:00Z`);

export const POLICIES = nistPolicies({ now: () => DEPLOYED_ON });

/** Evaluates every policy of the pack, or only the named ones, with the pack's enforcement defaults. */
export function evaluate(resources: readonly RecordedResource[], options: { only?: string[]; config?: Record<string, Record<string, unknown>> } = {}): Promise<Evaluation> {
  const policies = options.only === undefined ? POLICIES : POLICIES.filter(({ policy }) => options.only?.includes(policy.name));
  return evaluatePolicies(policies, resources, { packEnforcementLevel: PACK.enforcementLevel, config: options.config });
}
