import { forType, resourcePolicy, valueAt, type NistPolicy } from "./define";
import { resourceLogsPolicy } from "./resourceLogs";
import { OUR_RELATED_BUILT_INS } from "./govBuiltIns";
import { TYPE } from "./types";

const identityType = (props: Record<string, unknown>) => valueAt(props, "identity.type");

export const containerAppsPolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "container-apps-managed-identity",
      asks: "Container Apps and jobs run with a managed identity, so they hold no credentials of their own.",
      controls: ["IA-2", "IA-5"],
      azurePolicies: [OUR_RELATED_BUILT_INS.containerAppsManagedIdentity],
      evidence: [
        { type: TYPE.job, settings: ["identity.type", "configuration.registries", "configuration.secrets"] },
        { type: TYPE.containerApp, settings: ["identity.type"] },
      ],
    },
    [TYPE.job, TYPE.containerApp].map((type) =>
      forType(type, (props, report) => {
        if (identityType(props) === undefined || identityType(props) === "None") report("Container App or job must run with a managed identity: set identity (UserAssigned or SystemAssigned).");
      }),
    ),
  ),
  resourcePolicy(
    {
      name: "container-apps-no-external-ingress",
      asks: "No Container App or job is reachable from outside its environment.",
      controls: ["AC-4", "SC-7"],
      azurePolicies: [OUR_RELATED_BUILT_INS.containerAppsExternalAccess],
      evidence: [{ type: TYPE.job, settings: ["configuration.triggerType"] }],
    },
    [
      forType(TYPE.job, (props, report) => {
        if (valueAt(props, "configuration.ingress") !== undefined) report("Job must have no ingress.");
      }),
      forType(TYPE.containerApp, (props, report) => {
        if (valueAt(props, "configuration.ingress.external") === true) report("Container App must not accept external traffic: set configuration.ingress.external to false.");
      }),
    ],
  ),
  resourcePolicy(
    {
      name: "container-apps-environment-internal",
      asks: "The Container Apps environment is integrated into a virtual network with no public ingress (advisory: it depends on the agency's network; `network: private` does it).",
      controls: ["AC-4", "SC-7", "SC-7(3)"],
      azurePolicies: [OUR_RELATED_BUILT_INS.containerAppsEnvironmentPublicAccess],
      evidence: [{ type: TYPE.environment, settings: ["vnetConfiguration", "workloadProfiles"] }],
      enforcementLevel: "advisory",
    },
    forType(TYPE.environment, (props, report) => {
      if (valueAt(props, "vnetConfiguration.internal") !== true) report("Container Apps environment has a public endpoint: integrate it into a virtual network as internal (network: private).");
    }),
  ),
  resourceLogsPolicy({ name: "container-apps-environment-resource-logs", noun: "Container Apps environment", type: TYPE.environment }),
];
