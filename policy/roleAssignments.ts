import { forType, resourcePolicy, type NistPolicy } from "./define";
import { TYPE } from "./types";

/** Built-in roles that grant control over access or over everything; the same GUIDs in every cloud. */
const PRIVILEGED_ROLES: Readonly<Record<string, string>> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};

/** The root, a management group, a subscription or a resource group: scopes wider than one resource. */
const BROAD_SCOPE = /^\/(providers\/Microsoft\.Management\/managementGroups\/[^/]+|subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?)?\/?$/i;

export const roleAssignmentPolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "role-assignment-narrow-scope",
      asks: "Role assignments are scoped to a resource (a vault's secret, a container), never a subscription, resource group or management group.",
      controls: ["AC-6"],
      evidence: [{ type: TYPE.roleAssignment, settings: ["scope", "principalType"] }],
    },
    forType(TYPE.roleAssignment, (props, report) => {
      if (BROAD_SCOPE.test(String(props.scope))) report(`Role assignment scope ${String(props.scope)} is broader than one resource: grant on the resource the identity uses.`);
    }),
  ),
  resourcePolicy(
    {
      name: "role-assignment-no-privileged-roles",
      asks: "No role assignment grants Owner, Contributor, User Access Administrator or Role Based Access Control Administrator.",
      controls: ["AC-6"],
      evidence: [{ type: TYPE.roleAssignment, settings: ["roleDefinitionId"] }],
    },
    forType(TYPE.roleAssignment, (props, report) => {
      const role = PRIVILEGED_ROLES[String(props.roleDefinitionId).split("/").pop()?.toLowerCase() ?? ""];
      if (role !== undefined) report(`Role assignment grants ${role}: grant a data-plane role with only the actions needed.`);
    }),
  ),
];
