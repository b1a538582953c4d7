import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { LOG_EVENT, RUN_OUTCOME } from "../uploader/src/observe/logEvents";
import { CONSOLE_LOG_TABLE } from "./resourceLogs";

/** One uploader job the alerts watch. */
export interface MonitoredJob {
  /** Prefix of its alert rules' names. */
  readonly resourceName: string;
  readonly jobName: string;
  readonly jobId: pulumi.Input<string>;
  /** The uploader logs it in every summary (`jobId`): it tells this job's runs from the others' in the shared workspace. */
  readonly connectorJobId: string;
}

export interface JobMonitoringArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly jobs: readonly MonitoredJob[];
  /** Workspace receiving the job's console output. */
  readonly workspaceId: pulumi.Input<string>;
  /** Without it the rules still fire and show under Monitor > Alerts, but nobody is mailed. */
  readonly alertEmail?: string;
  /** Whether the app has a client secret that can expire (not with a federated credential). */
  readonly watchSecretExpiry: boolean;
}

/** `outcome` values of the uploader's summary event that mean the run did its job. */
const SUCCESSFUL_OUTCOMES = [RUN_OUTCOME.delivered, RUN_OUTCOME.nothingToDo] as const;
/** Hours without a successful run before anyone is told: a daily schedule plus slack for a long run. */
const STALE_AFTER_HOURS = 26;
/**
 * The uploader's JSON log lines that pass `filter` (over `entry`, the parsed line, and the table's columns): one
 * line per row of the console-log table, in column `Log`. `union isfuzzy=true` with an empty datatable keeps the
 * query valid in a workspace where no execution has written that table yet.
 */
export function uploaderLogLines(filter: string): string {
  return [
    `union isfuzzy=true (datatable(TimeGenerated: datetime, JobName: string, Log: string)[]), ${CONSOLE_LOG_TABLE}`,
    "| extend entry = parse_json(Log)",
    `| where ${filter}`,
  ].join("\n");
}

/** The uploader's JSON log lines with the given event (and `extraFilter`, from " and ..."). */
export function uploaderEvents(event: string, extraFilter = ""): string {
  return uploaderLogLines(`tostring(entry.event) == "${event}"${extraFilter}`);
}

const SEVERITY = { error: 1, warning: 2 } as const;

/**
 * Every way the nightly uploads can go wrong reaches someone: per job, a failed
 * execution and no successful run for 26 hours (the job did not run, hung or kept
 * failing); for all jobs at once, the uploader's warnings (a client secret about to
 * expire, employee profiles about to be deleted, records abandoned or not saved by the service), which concern
 * the shared secret or name their file in the log line, so one mail a day covers
 * every job.
 */
export class JobMonitoring extends pulumi.ComponentResource {
  constructor(name: string, args: JobMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:monitoring:JobMonitoring", name, {}, opts);

    const actionGroup =
      args.alertEmail === undefined
        ? undefined
        : new monitor.ActionGroup(
            name,
            {
              resourceGroupName: args.resourceGroupName,
              location: "global",
              enabled: true,
              groupShortName: "hr-upload", // at most 12 characters
              emailReceivers: [{ name: "hr-connector-admins", emailAddress: args.alertEmail, useCommonAlertSchema: true }],
            },
            { parent: this },
          );

    const logAlert = (ruleName: string, rule: Pick<monitor.ScheduledQueryRuleArgs, "description" | "severity" | "evaluationFrequency" | "windowSize" | "autoMitigate" | "muteActionsDuration" | "criteria">) =>
      new monitor.ScheduledQueryRule(
        ruleName,
        {
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          kind: monitor.Kind.LogAlert,
          enabled: true,
          scopes: [args.workspaceId],
          // The console-log table only exists once the first execution has shipped logs.
          skipQueryValidation: true,
          actions: { actionGroups: actionGroup ? [actionGroup.id] : [] },
          ...rule,
        },
        { parent: this },
      );

    for (const job of args.jobs) {
      new monitor.MetricAlert(
        `${job.resourceName}-failed-execution`,
        {
          resourceGroupName: args.resourceGroupName,
          location: "global",
          description: `An execution of the HR upload job ${job.jobName} failed. Its console log (table ${CONSOLE_LOG_TABLE}) has the uploader's error.`,
          enabled: true,
          severity: SEVERITY.error,
          scopes: [job.jobId],
          evaluationFrequency: "PT5M",
          windowSize: "PT15M",
          criteria: {
            odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            allOf: [
              {
                criterionType: "StaticThresholdCriterion",
                name: "failed-executions",
                metricNamespace: "Microsoft.App/jobs",
                metricName: "Executions",
                dimensions: [{ name: "state", operator: "Include", values: ["Failed"] }],
                operator: monitor.Operator.GreaterThan,
                threshold: 0,
                timeAggregation: monitor.AggregationTypeEnum.Total,
              },
            ],
          },
          actions: actionGroup ? [{ actionGroupId: actionGroup.id }] : [],
        },
        { parent: this },
      );

      // =~ compares case-insensitively: the job ID is a GUID, logged as configured.
      const successFilter = ` and tostring(entry.jobId) =~ "${job.connectorJobId}" and tostring(entry.outcome) in (${SUCCESSFUL_OUTCOMES.map((outcome) => `"${outcome}"`).join(", ")})`;
      logAlert(`${job.resourceName}-no-success`, {
        description: `No run of the HR upload job ${job.jobName} succeeded in the last ${STALE_AFTER_HOURS} hours (no "${LOG_EVENT.summary}" event for job ID ${job.connectorJobId} with outcome ${SUCCESSFUL_OUTCOMES.join(" or ")}).`,
        severity: SEVERITY.error,
        evaluationFrequency: "PT1H",
        // Metric and log windows stop at whole days, so the query narrows a two-day window itself.
        windowSize: "P2D",
        autoMitigate: true, // resolves by itself after the next successful run
        criteria: {
          allOf: [
            {
              query: `${uploaderEvents(LOG_EVENT.summary, successFilter)}\n| where TimeGenerated > ago(${STALE_AFTER_HOURS}h)`,
              timeAggregation: monitor.TimeAggregation.Count,
              // The generated ConditionOperator enum holds another API's values; the rule takes these names.
              operator: monitor.Operator.LessThan,
              threshold: 1,
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            },
          ],
        },
      });
    }

    /** A warning the uploader logs on every run while its cause lasts: one mail a day until it is fixed. */
    const warningAlert = (ruleName: string, event: string, description: string, severity: number = SEVERITY.warning) =>
      logAlert(`${name}-${ruleName}`, {
        description: `"${event}" warning: ${description}`,
        severity,
        evaluationFrequency: "PT1H",
        windowSize: "P1D",
        autoMitigate: false,
        muteActionsDuration: "P1D",
        criteria: {
          allOf: [
            {
              query: uploaderEvents(event),
              timeAggregation: monitor.TimeAggregation.Count,
              operator: monitor.Operator.GreaterThan,
              threshold: 0,
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            },
          ],
        },
      });

    if (args.watchSecretExpiry) {
      warningAlert(
        "secret-expiring",
        LOG_EVENT.secretExpiring,
        "The connector's client secret expires within 30 days. Rotate it: pulumi config set secretRotation <today> && pulumi up",
      );
    }
    warningAlert(
      "profile-stale",
      LOG_EVENT.profileStale,
      "Employee-profile records risk deletion: the service deletes profiles not refreshed for 30 days. Check that the HR system still drops the profile file and that its job delivers it.",
    );
    // Data that never reached Purview: as serious as a failed run.
    warningAlert(
      "abandoned",
      LOG_EVENT.abandoned,
      "Records of a partly delivered file version were never delivered: the copy needed to finish that version was gone. The log line counts them and names the file; export them again from the HR system.",
      SEVERITY.error,
    );
    // The service answered 2xx but said it kept less than it was sent (or a proxy's page answered for it).
    warningAlert(
      "records-not-saved",
      LOG_EVENT.recordsNotSaved,
      "The ingestion service answered 2xx but did not keep some records (a saved count below the records sent, or an HTML page such as a proxy's sign-in page instead of its answer). The run exited 5 and the next run sends them again; if this repeats, check the proxy and the connector in the Purview portal.",
      SEVERITY.error,
    );

    this.registerOutputs({});
  }
}
