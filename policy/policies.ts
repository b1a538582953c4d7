/**
 * The hr-connector NIST SP 800-53 Rev. 5 policy pack: one policy per rule that
 * applies to what the stack creates. index.ts serves it to `pulumi preview
 * --policy-pack policy`; evaluate.ts runs it offline (tests, `npm run plan`).
 */
import type { EnforcementLevel } from "@pulumi/policy";
import { containerAppsPolicies } from "./containerApps";
import type { NistPolicy } from "./define";
import { entraPolicies, type EntraPolicyOptions } from "./entra";
import { keyVaultPolicies } from "./keyVault";
import { logAnalyticsPolicies } from "./logAnalytics";
import { privateNetworkPolicies } from "./privateNetwork";
import { registryPolicies } from "./registry";
import { roleAssignmentPolicies } from "./roleAssignments";
import { storagePolicies } from "./storage";

export const PACK = {
  name: "hr-connector-nist-800-53",
  description: "NIST SP 800-53 Rev. 5 (FedRAMP High, DoD IL4/IL5) rules for the hr-connector stack, mirroring the Azure Policy built-ins an assessor runs.",
  /** Policies that do not say otherwise must never be violated. */
  enforcementLevel: "mandatory" as EnforcementLevel,
};

export function nistPolicies(options: EntraPolicyOptions = { now: () => new Date() }): NistPolicy[] {
  return [
    ...keyVaultPolicies,
    ...storagePolicies,
    ...registryPolicies,
    ...containerAppsPolicies,
    ...logAnalyticsPolicies,
    ...entraPolicies(options),
    ...roleAssignmentPolicies,
    ...privateNetworkPolicies,
  ];
}
