/** The policy pack as the Pulumi CLI runs it: `pulumi preview --policy-pack policy` (after `npm ci` in this folder). */
import { PolicyPack } from "@pulumi/policy";
import { PACK, nistPolicies } from "./policies";

new PolicyPack(PACK.name, {
  description: PACK.description,
  enforcementLevel: PACK.enforcementLevel,
  policies: nistPolicies().map(({ policy }) => policy),
});
