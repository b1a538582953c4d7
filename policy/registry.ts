import { forType, resourcePolicy, valueAt, type NistPolicy } from "./define";
import { resourceLogsPolicy } from "./resourceLogs";
import { GOV_BUILT_INS, OUR_RELATED_BUILT_INS } from "./govBuiltIns";
import { TYPE } from "./types";

export const registryPolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "registry-admin-user-disabled",
      asks: "Container registries have no admin user (a shared password); pulls and pushes use Entra identities.",
      controls: ["AC-2", "IA-2"],
      azurePolicies: [OUR_RELATED_BUILT_INS.registryAdminUser],
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
      azurePolicies: [OUR_RELATED_BUILT_INS.registryAnonymousPull],
      evidence: [{ type: TYPE.registry, settings: ["anonymousPullEnabled"] }],
    },
    forType(TYPE.registry, (props, report) => {
      if (props.anonymousPullEnabled === true) report("Container registry must refuse anonymous pulls: set anonymousPullEnabled to false.");
    }),
  ),
  resourcePolicy(
    {
      name: "registry-public-network-access",
      asks: "Container registries do not allow unrestricted network access: public network access disabled or the firewall denying by default (advisory: it depends on the agency's network; `network: private` does it).",
      azurePolicies: [GOV_BUILT_INS.registryNetworkAccess],
      evidence: [{ type: TYPE.registry, settings: ["publicNetworkAccess", "networkRuleSet", "sku.name"] }],
      enforcementLevel: "advisory",
    },
    forType(TYPE.registry, (props, report) => {
      const defaultAction = valueAt(props, "networkRuleSet.defaultAction");
      if ((defaultAction === undefined || defaultAction === "Allow") && (props.publicNetworkAccess === undefined || props.publicNetworkAccess === "Enabled")) {
        report("Container registry is reachable from any network: disable public network access (network: private) or deny by default in networkRuleSet.");
      }
    }),
  ),
  resourcePolicy(
    {
      name: "registry-customer-managed-key",
      asks: "Container registries encrypt images at rest with a customer-managed key in Key Vault (Premium SKU).",
      azurePolicies: [GOV_BUILT_INS.registryCustomerManagedKey],
      evidence: [{ type: TYPE.registry, settings: ["encryption", "identity.type", "sku.name"] }],
    },
    forType(TYPE.registry, (props, report) => {
      if (valueAt(props, "encryption.status") !== "enabled") report("Container registry must be encrypted with a customer-managed key: set encryption.status to enabled with keyVaultProperties (Premium, at creation).");
    }),
  ),
  resourceLogsPolicy({ name: "registry-resource-logs", noun: "container registry", type: TYPE.registry }),
];
