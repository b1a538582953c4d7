/**
 * The control-implementation table of a System Security Plan, from an offline plan:
 * per NIST SP 800-53 Rev. 5 control, the resources and exact settings that
 * implement it, and the policy of the pack that checks each one, with what the
 * pack found on this plan.
 */
import type { RecordedResource } from "../../infra/offline/mocks";
import { coverageLine, coverageOf, type Coverage, type GradedBuiltIn, type PlanSettings } from "../../policy/coverage";
import { CONTROL_TITLES, type Evidence, type NistPolicy } from "../../policy/define";
import type { Evaluation, Violation } from "../../policy/evaluate";
import { GOV_INITIATIVES, SNAPSHOT, isGovMember, type AzureBuiltIn } from "../../policy/govBuiltIns";
import { shortType } from "../../policy/types";
import { settingText } from "./settingText";

export interface ControlsInput {
  /** How the plan was made, for the header: stack, stack file, `--set` overrides. */
  readonly stack: string;
  readonly stackFile: string;
  readonly overrides: readonly string[];
  readonly packName: string;
  readonly resources: readonly RecordedResource[];
  readonly policies: readonly NistPolicy[];
  readonly evaluation: Evaluation;
  /** The settings the plan was made with that decide which exceptions hold. */
  readonly plan: PlanSettings;
}

/** AC-2 < AC-2(1) < AC-3 < AU-2 …: by family, then number, then enhancement. */
function controlOrder(left: string, right: string): number {
  const key = (control: string) => {
    const [, family = "", number = "0", enhancement = "0"] = /^([A-Z]{2})-(\d+)(?:\((\d+)\))?$/.exec(control) ?? [];
    return [family, Number(number), Number(enhancement)] as const;
  };
  const [a, b] = [key(left), key(right)];
  return a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2];
}

const label = (resource: RecordedResource) => `${shortType(resource.type)} ${resource.name}`;
/** Markdown table cells hold no pipes or line breaks. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The rows of one piece of evidence: each matching resource, with the resource a finding about it would name. */
function evidenceRows(evidence: Evidence, resources: readonly RecordedResource[]): { resource: RecordedResource; subject: RecordedResource }[] {
  return resources
    .filter((resource) => resource.type === evidence.type)
    .flatMap((resource) => {
      if (evidence.where === undefined) return [{ resource, subject: resource }];
      const { input, fromType } = evidence.where;
      const subject = resources.find((candidate) => candidate.type === fromType && (resource.propertyDependencyUrns[input] ?? []).includes(candidate.urn));
      return subject === undefined ? [] : [{ resource, subject }];
    });
}

const outcome = (violations: readonly Violation[]): string =>
  violations.length === 0 ? "pass" : violations.map((violation) => `${violation.enforcementLevel === "mandatory" ? "VIOLATION" : "advisory finding"}: ${violation.message}`).join("; ");

/** What the mirroring policies found: `storage-x` (passed on this plan), or not applicable and why. */
const gradeText = (entry: GradedBuiltIn): string =>
  `${entry.policies.map((name) => `\`${name}\``).join(", ")} (${entry.result} on this plan${entry.notApplicableBecause === undefined ? "" : `: ${entry.notApplicableBecause}`})`;

const sameBuiltIn = (builtIn: AzureBuiltIn) => (entry: { readonly builtIn: AzureBuiltIn }) => entry.builtIn.definitionId === builtIn.definitionId;

/** A Gov built-in's status in the pack: implemented by policies, excepted (always, or on this plan, and what the pack still reports), or not implemented at all. */
function statusText(coverage: Coverage, builtIn: AzureBuiltIn): string {
  const implemented = coverage.implemented.find(sameBuiltIn(builtIn));
  if (implemented !== undefined) return `implemented by ${gradeText(implemented)}`;
  const exception = coverage.excepted.find(sameBuiltIn(builtIn));
  if (exception === undefined) return "NOT IMPLEMENTED: no policy and no exception";
  const checked = coverage.exceptedButChecked.find(sameBuiltIn(builtIn));
  return [
    `${exception.onlyWhenNetwork === undefined ? "excepted" : "excepted on this plan"}: ${exception.reason}; owner: ${exception.owner}`,
    ...(exception.checkedBy === undefined ? [] : [`checked by ${exception.checkedBy}`]),
    ...(checked === undefined ? [] : [`the pack still checks it: ${gradeText(checked)}`]),
  ].join("; ");
}

/** The coverage section: every applicable Gov built-in, its condition and its status. */
function coverageSection(coverage: Coverage): string[] {
  const initiatives = Object.values(GOV_INITIATIVES).map((initiative) => `${initiative.displayName} (${initiative.id}, v${initiative.version})`).join(", ");
  return [
    "## Coverage of the Azure Government initiatives",
    "",
    `Initiatives: ${initiatives}; built-ins as of ${SNAPSHOT.repository} ${SNAPSHOT.commit.slice(0, 12)} (${SNAPSHOT.date}), those applying to what the stack creates (policy/govBuiltIns.ts).`,
    "",
    `Coverage: ${coverageLine(coverage)}`,
    "",
    "| Built-in | Display name | Effect | Non-compliant when | Controls | Status |",
    "|---|---|---|---|---|---|",
    ...coverage.applicable.map((builtIn) => `| ${builtIn.definitionId} | ${cell(builtIn.displayName)} | ${builtIn.effect} | ${cell(builtIn.condition)} | ${builtIn.controls.join(", ")} | ${cell(statusText(coverage, builtIn))} |`),
    "",
  ];
}

function shortStatus(coverage: Coverage, builtIn: AzureBuiltIn): string {
  if (coverage.implemented.some(sameBuiltIn(builtIn))) return "implemented";
  const exception = coverage.excepted.find(sameBuiltIn(builtIn));
  if (exception === undefined) return "NOT IMPLEMENTED";
  return exception.onlyWhenNetwork === undefined ? "excepted" : "excepted on this plan";
}

export function renderControls(input: ControlsInput): string {
  const { resources, policies, evaluation } = input;
  const coverage = coverageOf(policies, evaluation, input.plan);
  const names = new Map(resources.filter((resource) => resource.custom).map((resource) => [resource.id, label(resource)]));
  /** Gov built-ins grouped under a control, whatever their status. */
  const govBuiltInsOf = (control: string) => coverage.applicable.filter((builtIn) => builtIn.controls.includes(control));
  const controls = [...new Set([...policies.flatMap((policy) => policy.controls), ...coverage.applicable.flatMap((builtIn) => builtIn.controls)])].sort(controlOrder);
  const violationsOf = (policy: NistPolicy) => evaluation.violations.filter((violation) => violation.policy === policy.policy.name);
  const levelOf = (policy: NistPolicy) => policy.policy.enforcementLevel ?? "mandatory";
  const statusOf = (policy: NistPolicy) => (evaluation.applied.has(policy.policy.name) ? outcome(violationsOf(policy)) : "not applicable to this stack");

  const summary = controls.map((control) => {
    const checking = policies.filter((policy) => policy.controls.includes(control));
    const found = checking.flatMap(violationsOf);
    const mandatory = found.filter((violation) => violation.enforcementLevel === "mandatory").length;
    const builtIns = govBuiltInsOf(control);
    const unchecked = builtIns.map((builtIn) => shortStatus(coverage, builtIn)).filter((status) => status !== "implemented");
    const checked = mandatory > 0 ? `VIOLATED (${mandatory})` : found.length > 0 ? `pass, ${found.length} advisory finding${found.length === 1 ? "" : "s"}` : "pass";
    const missing = unchecked.filter((status) => status === "NOT IMPLEMENTED").length;
    const result = checking.length === 0 ? (missing > 0 ? "NOT IMPLEMENTED" : "excepted") : missing > 0 ? `${checked}, ${missing} built-in${missing === 1 ? "" : "s"} NOT IMPLEMENTED` : checked;
    const builtInCell = builtIns.map((builtIn) => `${builtIn.definitionId} (${shortStatus(coverage, builtIn)})`).join("<br>");
    return `| ${control} | ${cell(CONTROL_TITLES[control] ?? "")} | ${checking.map((policy) => policy.policy.name).join(", ") || "—"} | ${builtInCell || "—"} | ${result} |`;
  });

  const sections = controls.flatMap((control) => {
    const checking = policies.filter((policy) => policy.controls.includes(control));
    const rows: string[] = [];
    const unshown: string[] = [];
    for (const policy of checking) {
      const violations = violationsOf(policy);
      const shown = new Set<Violation>();
      for (const evidence of policy.evidence) {
        for (const { resource, subject } of evidenceRows(evidence, resources)) {
          const about = violations.filter((violation) => violation.urn === subject.urn);
          about.forEach((violation) => shown.add(violation));
          const result = evaluation.applied.has(policy.policy.name) ? outcome(about) : statusOf(policy);
          const settings = evidence.settings.map((setting) => `${setting} = ${settingText(resource, setting, names)}`).join("<br>");
          rows.push(`| ${cell(label(resource))} | ${cell(settings)} | ${policy.policy.name} (${levelOf(policy)}) | ${cell(result)} |`);
        }
      }
      for (const violation of violations.filter((candidate) => !shown.has(candidate))) unshown.push(`- ${policy.policy.name} (${violation.enforcementLevel}): ${violation.message}`);
    }
    const related = [...new Set(checking.flatMap((policy) => policy.azurePolicies.filter((builtIn) => !isGovMember(builtIn)).map((builtIn) => `${builtIn.displayName} (${builtIn.definitionId})`)))];
    return [
      `## ${control} ${CONTROL_TITLES[control] ?? ""}`.trimEnd(),
      "",
      checking.length > 0 ? `Checked by: ${checking.map((policy) => `\`${policy.policy.name}\``).join(", ")}.` : "Checked by no policy of the pack.",
      ...govBuiltInsOf(control).map((builtIn) => `- Azure Government built-in ${builtIn.definitionId} "${builtIn.displayName}": ${statusText(coverage, builtIn)}.`),
      ...(related.length > 0 ? [`- Our rules' related built-ins, in none of the Azure Government initiatives: ${related.join("; ")}.`] : []),
      "",
      "| Resource | Settings | Policy (enforcement) | Result on this plan |",
      "|---|---|---|---|",
      ...(rows.length > 0 ? rows : ["| (none in this stack) | | | |"]),
      ...(unshown.length > 0 ? ["", "Findings without a resource row above:", ...unshown] : []),
      "",
    ];
  });

  const mandatory = evaluation.violations.filter((violation) => violation.enforcementLevel === "mandatory").length;
  const advisory = evaluation.violations.length - mandatory;
  return [
    `# Control implementation: hr-connector stack "${input.stack}"`,
    "",
    `Generated offline by \`npm run plan\` from ${input.stackFile}${input.overrides.length > 0 ? ` with ${input.overrides.map((override) => `\`--set ${override}\``).join(", ")}` : ""}: nothing was deployed; every value is what \`pulumi up\` sends to Azure and Entra for this configuration.`,
    `Each row names a resource, the settings that implement the control, the policy of the pack \`${input.packName}\` (policy/) that checks them at every \`pulumi preview --policy-pack policy\` and \`pulumi up --policy-pack policy\`, and what that policy found on this plan.`,
    `On this plan the pack reports ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"} and ${advisory} advisory finding${advisory === 1 ? "" : "s"}.`,
    "",
    "| Control | Title | Policies | Azure Government built-ins | Result |",
    "|---|---|---|---|---|",
    ...summary,
    "",
    ...coverageSection(coverage),
    ...sections,
  ].join("\n");
}
