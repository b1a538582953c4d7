/**
 * The HR feed's dashboard as an Azure Monitor workbook ("Notebook/1.0"), built from typed pieces: a header
 * with the stack's schedule and credential, a time range and a connector selector, then one query step per
 * question an admin asks in the morning. Every query reads the uploader's JSON lines (column `Log` of the
 * console-log table), as the alert rules do; the events carry counts and classes, never record values.
 * Pure: the stack deploys it, the tests check every query with the Kusto language service, and
 * `npm run dashboard-picture` draws its layout for the README.
 */
import { LOG_EVENT, RUN_OUTCOME } from "../uploader/src/observe/logEvents";
import { uploaderEvents, uploaderLogLines } from "./jobMonitoring";

/** The parameters every query step reads: `{Connector}` (the jobs chosen) and the time range (applied by the workbook). */
export const DASHBOARD_PARAMETER = { connector: "Connector", timeRange: "TimeRange" } as const;

/** One connector as the dashboard knows it: its Container Apps job writes the console lines. */
export interface DashboardConnector {
  /** `connectors[].name`; absent for a stack's single connector. */
  readonly name?: string;
  readonly jobName: string;
}

export interface DashboardInput {
  readonly title: string;
  readonly connectors: readonly DashboardConnector[];
  /** Each connector's schedule, as "<cron> UTC" lines. */
  readonly schedules: readonly string[];
  /** The client secret's expiry (yyyy-mm-dd), or undefined with a federated credential. */
  readonly secretExpiresOn?: string;
  /** The Log Analytics workspace the queries run in. */
  readonly workspaceId: string;
}

/** How a query step shows its rows. */
export type Visualization = "table" | "barchart" | "timechart" | "tiles";

interface TextItem {
  readonly type: 1;
  readonly name: string;
  readonly content: { readonly json: string };
}

interface ParametersItem {
  readonly type: 9;
  readonly name: string;
  readonly content: { readonly version: "KqlParameterItem/1.0"; readonly parameters: readonly Record<string, unknown>[] };
}

export interface QueryItem {
  readonly type: 3;
  readonly name: string;
  readonly customWidth?: string;
  readonly content: {
    readonly version: "KqlItem/1.0";
    readonly title: string;
    readonly query: string;
    readonly size: 0 | 1 | 2 | 3 | 4;
    readonly queryType: 0;
    readonly resourceType: "microsoft.operationalinsights/workspaces";
    readonly crossComponentResources: readonly string[];
    readonly timeContextFromParameter: typeof DASHBOARD_PARAMETER.timeRange;
    readonly visualization: Visualization;
    readonly noDataMessage: string;
    readonly tileSettings?: Record<string, unknown>;
  };
}

export type WorkbookItem = TextItem | ParametersItem | QueryItem;

export interface WorkbookDefinition {
  readonly version: "Notebook/1.0";
  readonly items: readonly WorkbookItem[];
  readonly fallbackResourceIds: readonly string[];
  readonly $schema: string;
}

/** The warnings the dashboard counts: each means records or the feed itself need someone's attention. */
export const DASHBOARD_WARNINGS = [LOG_EVENT.possiblyDuplicated, LOG_EVENT.abandoned, LOG_EVENT.recordsNotSaved, LOG_EVENT.profileStale, LOG_EVENT.secretExpiring] as const;

/** The summary events of the chosen connectors' runs, with the fields the steps show. */
const runs = [
  uploaderEvents(LOG_EVENT.summary, ` and JobName in~ ({${DASHBOARD_PARAMETER.connector}})`),
  "| extend outcome = tostring(entry.outcome), recordsDelivered = tolong(entry.recordsDelivered), recordsRead = tolong(entry.recordsRead),",
  "    retries = tolong(entry.retries), durationSeconds = todouble(entry.durationSeconds), errorClass = tostring(entry.errorClass), exitCode = toint(entry.exitCode)",
].join("\n");

const markdownTable = (rows: readonly [string, string][]) => ["| | |", "|---|---|", ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join("\n");

function query(name: string, title: string, visualization: Visualization, lines: readonly string[], input: DashboardInput, extra: Partial<QueryItem["content"]> = {}, customWidth?: string): QueryItem {
  return {
    type: 3,
    name,
    ...(customWidth === undefined ? {} : { customWidth }),
    content: {
      version: "KqlItem/1.0",
      title,
      query: lines.join("\n"),
      size: visualization === "tiles" ? 4 : 0,
      queryType: 0,
      resourceType: "microsoft.operationalinsights/workspaces",
      crossComponentResources: [input.workspaceId],
      timeContextFromParameter: DASHBOARD_PARAMETER.timeRange,
      visualization,
      noDataMessage: "No run in this time range: the job has not run yet, or its logs have not arrived (a few minutes after each run).",
      ...extra,
    },
  };
}

export function workbookDefinition(input: DashboardInput): WorkbookDefinition {
  const credential = input.secretExpiresOn === undefined ? "federated: no secret" : `client secret, expires ${input.secretExpiresOn}`;
  const header: TextItem = {
    type: 1,
    name: "about",
    content: {
      json: [
        `## ${input.title}`,
        "Did last night's upload work, and is anything drifting? Every figure comes from the uploader's own log lines (counts and classes, never HR data).",
        "",
        markdownTable([
          ["Schedule", input.schedules.join("; ")],
          ["Credential", credential],
          ["Alerts", "failed execution, no success in 26 hours, and the warnings below, mailed to the stack's alertEmail"],
        ]),
      ].join("\n"),
    },
  };
  const parameters: ParametersItem = {
    type: 9,
    name: "parameters",
    content: {
      version: "KqlParameterItem/1.0",
      parameters: [
        {
          id: "hr-time-range",
          version: "KqlParameterItem/1.0",
          name: DASHBOARD_PARAMETER.timeRange,
          label: "Time range",
          type: 4,
          isRequired: true,
          value: { durationMs: 30 * 86_400_000 },
          typeSettings: { selectableValues: [7, 14, 30, 90].map((days) => ({ durationMs: days * 86_400_000 })), allowCustom: true },
        },
        {
          id: "hr-connector",
          version: "KqlParameterItem/1.0",
          name: DASHBOARD_PARAMETER.connector,
          label: "Connector",
          type: 2,
          isRequired: true,
          multiSelect: true,
          quote: "'",
          delimiter: ",",
          jsonData: JSON.stringify(input.connectors.map((connector) => ({ value: connector.jobName, label: connector.name === undefined ? connector.jobName : `${connector.name} (${connector.jobName})`, selected: true }))),
          value: input.connectors.map((connector) => connector.jobName),
        },
      ],
    },
  };
  const successful = [RUN_OUTCOME.delivered, RUN_OUTCOME.nothingToDo].map((outcome) => `"${outcome}"`).join(", ");
  return {
    version: "Notebook/1.0",
    items: [
      header,
      parameters,
      query(
        "last-run",
        "Last run of each connector",
        "tiles",
        [runs, "| summarize arg_max(TimeGenerated, outcome, recordsDelivered, recordsRead) by JobName", `| extend ok = outcome in (${successful}), delivered = strcat(recordsDelivered, " of ", recordsRead, " records")`],
        input,
        {
          tileSettings: {
            titleContent: { columnMatch: "JobName", formatter: 1 },
            leftContent: { columnMatch: "outcome", formatter: 1 },
            rightContent: { columnMatch: "delivered", formatter: 1 },
            secondaryContent: { columnMatch: "TimeGenerated", formatter: 6 },
            showBorder: true,
          },
        },
      ),
      query("runs-per-day", "Runs per day, by outcome", "barchart", [runs, "| summarize runs = count() by bin(TimeGenerated, 1d), outcome"], input, {}, "50"),
      query("records-per-run", "Records delivered per run, with duration and retries", "table", [runs, `| where outcome in (${successful}, "${RUN_OUTCOME.interrupted}")`, "| project TimeGenerated, JobName, outcome, recordsDelivered, recordsRead, durationSeconds, retries", "| order by TimeGenerated desc"], input, {}, "50"),
      query("failures", "Failed runs, by error class", "table", [runs, `| where outcome == "${RUN_OUTCOME.failed}"`, "| project TimeGenerated, JobName, errorClass, exitCode", "| order by TimeGenerated desc"], input, {}, "50"),
      query(
        "warnings",
        "Warnings: how often, and the latest",
        "table",
        [
          uploaderLogLines(`JobName in~ ({${DASHBOARD_PARAMETER.connector}}) and tostring(entry.event) in (${DASHBOARD_WARNINGS.map((event) => `"${event}"`).join(", ")})`),
          "| extend event = tostring(entry.event), daysLeft = toint(entry.daysLeft)",
          "| summarize occurrences = count(), arg_max(TimeGenerated, daysLeft, JobName) by event",
          "| project event, occurrences, latest = TimeGenerated, JobName, daysLeft",
        ],
        input,
        {},
        "50",
      ),
    ],
    fallbackResourceIds: [input.workspaceId],
    $schema: "https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json",
  };
}

/** The query steps of a workbook, by name. */
export function queryItems(definition: WorkbookDefinition): QueryItem[] {
  return definition.items.filter((item): item is QueryItem => item.type === 3);
}
