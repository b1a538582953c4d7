import { forType, resourcePolicy, resourcesOfType, inputComesFrom, stackPolicy, valueAt, type NistPolicy } from "./define";
import { GOV_BUILT_INS, OUR_RELATED_BUILT_INS } from "./govBuiltIns";
import { TYPE } from "./types";

/** OMB M-21-31: event logs kept 12 months in active storage, then 18 months in cold storage. */
const RETENTION_DEFAULTS = { minRetentionDays: 365, minTotalRetentionDays: 913 };
type RetentionConfig = typeof RETENTION_DEFAULTS;

const TABLE_TYPE = "Microsoft.OperationalInsights/workspaces/tables";

/** The table settings an ARM deployment applies (archive is a property of each table). */
function tablesOf(deployment: Record<string, unknown>): Record<string, unknown>[] {
  const resources = valueAt(deployment, "properties.template.resources");
  return Array.isArray(resources) ? resources.filter((resource) => valueAt(resource, "type") === TABLE_TYPE) : [];
}

export const logAnalyticsPolicies: NistPolicy[] = [
  resourcePolicy(
    {
      name: "log-analytics-entra-only-ingestion",
      asks: "Log Analytics accepts Entra-authenticated ingestion only, and no Container Apps environment ships logs with the workspace's shared key.",
      controls: ["AC-6", "IA-2"],
      azurePolicies: [OUR_RELATED_BUILT_INS.logAnalyticsEntraIngestion],
      evidence: [
        { type: TYPE.workspace, settings: ["features.disableLocalAuth"] },
        { type: TYPE.environment, settings: ["appLogsConfiguration.destination"] },
      ],
    },
    [
      forType(TYPE.workspace, (props, report) => {
        if (valueAt(props, "features.disableLocalAuth") !== true) report("Log Analytics workspace must refuse shared-key ingestion: set features.disableLocalAuth to true.");
      }),
      forType(TYPE.environment, (props, report) => {
        if (valueAt(props, "appLogsConfiguration.destination") === "log-analytics" || valueAt(props, "appLogsConfiguration.logAnalyticsConfiguration.sharedKey") !== undefined) {
          report("Container Apps environment must not ship logs with the workspace's shared key: use destination azure-monitor and a diagnostic setting.");
        }
      }),
    ],
  ),
  resourcePolicy(
    {
      name: "log-analytics-public-network-access",
      asks: "Log Analytics refuses ingestion and queries from public networks: they come through an Azure Monitor private link scope (network: private).",
      controls: ["AC-4", "SC-7"],
      azurePolicies: [OUR_RELATED_BUILT_INS.logAnalyticsPublicAccess],
      evidence: [{ type: TYPE.workspace, settings: ["publicNetworkAccessForIngestion", "publicNetworkAccessForQuery"] }],
      // Like the other public-network rules: whether the stack may stay public is the agency's call.
      enforcementLevel: "advisory",
    },
    forType(TYPE.workspace, (props, report) => {
      if (props.publicNetworkAccessForIngestion !== "Disabled" || props.publicNetworkAccessForQuery !== "Disabled") {
        report("Log Analytics workspace accepts ingestion or queries from public networks: set publicNetworkAccessForIngestion and publicNetworkAccessForQuery to Disabled (network: private).");
      }
    }),
  ),
  resourcePolicy(
    {
      name: "log-analytics-saved-queries-cmk",
      asks: "Log Analytics keeps saved queries and log alert queries in the customer's storage account, under its key, rather than Microsoft's.",
      azurePolicies: [GOV_BUILT_INS.logAnalyticsSavedQueriesCmk],
      evidence: [
        { type: TYPE.workspace, settings: ["forceCmkForQuery"] },
        { type: TYPE.linkedStorageAccount, settings: ["dataSourceType", "storageAccountIds"] },
      ],
    },
    forType(TYPE.workspace, (props, report) => {
      if (props.forceCmkForQuery !== true) report("Log Analytics workspace must keep queries in the customer's storage: set forceCmkForQuery to true and link a storage account for Query and Alerts.");
    }),
  ),
  stackPolicy(
    {
      name: "log-analytics-retention",
      asks: "Logs stay queryable for minRetentionDays (default 365) and are kept minTotalRetentionDays in all (default 913: OMB M-21-31's 12 months active plus 18 months cold), in every table the stack sets.",
      controls: ["AU-11"],
      evidence: [
        { type: TYPE.workspace, settings: ["retentionInDays"] },
        { type: TYPE.deployment, settings: ["properties.template.resources"] },
      ],
      configSchema: {
        properties: {
          minRetentionDays: { type: "integer", default: RETENTION_DEFAULTS.minRetentionDays, minimum: 30, maximum: 730 },
          minTotalRetentionDays: { type: "integer", default: RETENTION_DEFAULTS.minTotalRetentionDays, minimum: 30, maximum: 4383 },
        },
      },
    },
    ({ resources, getConfig }, report) => {
      const { minRetentionDays, minTotalRetentionDays } = { ...RETENTION_DEFAULTS, ...getConfig<Partial<RetentionConfig>>() };
      const deployments = resourcesOfType(resources, TYPE.deployment);
      for (const workspace of resourcesOfType(resources, TYPE.workspace)) {
        const retention = Number(workspace.props.retentionInDays);
        if (!(retention >= minRetentionDays)) report(`Log Analytics workspace "${workspace.name}" keeps logs queryable ${retention || 30} days: set retentionInDays to at least ${minRetentionDays}.`, workspace.urn);
        const tables = deployments.filter((deployment) => inputComesFrom(deployment, "properties", workspace)).flatMap((deployment) => tablesOf(deployment.props));
        if (tables.length === 0) report(`Log Analytics workspace "${workspace.name}" archives nothing: set totalRetentionInDays of its tables to at least ${minTotalRetentionDays}.`, workspace.urn);
        for (const table of tables) {
          const total = Number(valueAt(table, "properties.totalRetentionInDays"));
          const active = Number(valueAt(table, "properties.retentionInDays"));
          if (!(total >= minTotalRetentionDays) || !(active >= minRetentionDays)) {
            report(`Log Analytics table ${String(valueAt(table, "name"))} keeps logs ${active} days queryable and ${total} in all: at least ${minRetentionDays} and ${minTotalRetentionDays} are required.`, workspace.urn);
          }
        }
      }
    },
  ),
];
