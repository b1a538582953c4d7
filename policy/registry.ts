import { forType, resourcePolicy, type NistPolicy } from "./define";
import { resourceLogsPolicy } from "./resourceLogs";
import { TYPE } from "./types";

export const registryPolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "registry-admin-user-disabled",
      asks: "Container registries have no admin user (a shared password); pulls and pushes use Entra identities.",
      controls: ["AC-2", "IA-2"],
      azurePolicies: [{ displayName: "Container registries should have local admin account disabled.", definitionId: "dc921057-6b28-4fbe-9b83-f7bec05db6c2" }],
      evidence: [{ type: TYPE.registry, settings: ["adminUserEnabled"] }],
    },
    forType(TYPE.registry, (props, report) => {
      if (props.adminUserEnabled === true) report("Container registry must not have an admin user: set adminUserEnabled to false.");
    }),
  ),
  resourcePolicy(
    {
      name: "registry-anonymous-pull-disabled",
      asks: "Container registries refuse anonymous pulls.",
      controls: ["AC-3", "AC-14"],
      azurePolicies: [{ displayName: "Container registries should have anonymous authentication disabled.", definitionId: "9f2dea28-e834-476c-99c5-3507b4728395" }],
      evidence: [{ type: TYPE.registry, settings: ["anonymousPullEnabled"] }],
    },
    forType(TYPE.registry, (props, report) => {
      if (props.anonymousPullEnabled === true) report("Container registry must refuse anonymous pulls: set anonymousPullEnabled to false.");
    }),
  ),
  resourcePolicy(
    {
      name: "registry-public-network-access",
      asks: "Container registries accept no traffic from public networks (advisory: it depends on the agency's network; `network: private` does it, with the Premium SKU).",
      controls: ["AC-4", "SC-7", "SC-7(3)"],
      azurePolicies: [{ displayName: "Public network access should be disabled for Container registries", definitionId: "0fdf0491-d080-4575-b627-ad0e843cba0f" }],
      evidence: [{ type: TYPE.registry, settings: ["publicNetworkAccess", "sku.name"] }],
      enforcementLevel: "advisory",
    },
    forType(TYPE.registry, (props, report) => {
      if (props.publicNetworkAccess !== "Disabled") report("Container registry is reachable from public networks: disable public network access (network: private).");
    }),
  ),
  resourceLogsPolicy({ name: "registry-resource-logs", noun: "container registry", type: TYPE.registry }),
];
