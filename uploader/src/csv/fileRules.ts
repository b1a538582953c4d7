import { UsageError } from "../core/errors";
import { DEFAULT_SCENARIO_COLUMN, isScenarioId, SCENARIO_IDS, SCENARIOS, type FieldSpec, type ScenarioSpec } from "./scenarios";

/**
 * What one file holds: one scenario, or several told apart by a scenario
 * column (hr-connector-service.md §7.5). Built once from the flags.
 */
export interface FileRules {
  /** `resignation`, or `job-level-change,performance-review` for a multi-scenario file. */
  readonly id: string;
  readonly scenarios: readonly ScenarioSpec[];
  /**
   * No scenario was listed, only a scenario column: the file may hold any
   * scenario, and a scenario's required columns are needed only once one of
   * its records appears.
   */
  readonly anyScenario: boolean;
  /** Every field of every scenario, once per key: what --columns may map. */
  readonly fields: readonly FieldSpec[];
  /** Multi-scenario files only: the column naming each record's scenario, and its values. */
  readonly scenarioColumn?: {
    readonly header: string;
    /** Each scenario's value, as typed in the wizard. */
    readonly labels: readonly ScenarioLabel[];
    /** Lower-cased value -> scenario. */
    readonly values: ReadonlyMap<string, ScenarioSpec>;
  };
}

export interface ScenarioLabel {
  readonly scenario: ScenarioSpec;
  readonly value: string;
}

export interface FileRulesOptions {
  /** Comma-separated scenario ids (default: resignation). */
  readonly scenarios?: string;
  readonly scenarioColumn?: string;
  /** scenario=Value pairs overriding Learn's values. */
  readonly scenarioValues?: string;
}

/**
 * Several scenarios, or a scenario column, make a multi-scenario file. A
 * scenario column (or its values) without a scenario list means any scenario:
 * each record says which. Scenario names match in any case.
 */
export function fileRulesFor(options: FileRulesOptions): FileRules {
  const hasScenarioColumn = options.scenarioColumn !== undefined || options.scenarioValues !== undefined;
  const anyScenario = options.scenarios === undefined && hasScenarioColumn;
  const ids = anyScenario ? SCENARIO_IDS : (options.scenarios ?? "resignation").split(",").map((id) => id.trim().toLowerCase()).filter((id) => id !== "");
  const unknown = ids.filter((id) => !isScenarioId(id));
  if (ids.length === 0 || unknown.length > 0) throw new UsageError(`unknown scenario "${unknown.join(", ")}" (known: ${SCENARIO_IDS.join(", ")})`);
  if (new Set(ids).size !== ids.length) throw new UsageError("--scenario lists a scenario twice");
  const scenarios = ids.filter(isScenarioId).map((id) => SCENARIOS[id] as ScenarioSpec);
  const fields = scenarios.flatMap((scenario) => scenario.fields).filter((field, index, all) => all.findIndex((other) => other.key === field.key) === index);
  const multi = scenarios.length > 1 || hasScenarioColumn;
  return {
    id: ids.join(","),
    scenarios,
    fields,
    anyScenario,
    scenarioColumn: multi ? scenarioColumnOf(options.scenarioColumn?.trim() || DEFAULT_SCENARIO_COLUMN, parseScenarioValues(options.scenarioValues, scenarios)) : undefined,
  };
}

/** Options that `fileRulesFor` turns into these same rules: how a worker thread builds them again. */
export function fileRulesOptionsOf(rules: FileRules): FileRulesOptions {
  return {
    scenarios: rules.anyScenario ? undefined : rules.scenarios.map((scenario) => scenario.id).join(","),
    scenarioColumn: rules.scenarioColumn?.header,
    scenarioValues: rules.scenarioColumn?.labels.map(({ scenario, value }) => `${scenario.id}=${value}`).join(","),
  };
}

/** A header line that fits the rules, for messages: the scenario column, then each field's documented name. */
export function exampleHeader(rules: FileRules): string {
  return [...(rules.scenarioColumn ? [rules.scenarioColumn.header] : []), ...rules.fields.map((field) => field.headers[0])].join(",");
}

function scenarioColumnOf(header: string, labels: readonly ScenarioLabel[]): NonNullable<FileRules["scenarioColumn"]> {
  const values = new Map<string, ScenarioSpec>();
  for (const { scenario, value } of labels) {
    if (values.has(value.toLowerCase())) throw new UsageError(`--scenario-values gives two scenarios the value "${value}"`);
    values.set(value.toLowerCase(), scenario);
  }
  return { header, labels, values };
}

/** `--scenario-values job-level-change=Promotion,...`: each listed scenario's value in the scenario column (matched in any case). */
export function parseScenarioValues(text: string | undefined, scenarios: readonly ScenarioSpec[]): ScenarioLabel[] {
  const valueOf = new Map(scenarios.map((scenario) => [scenario.id, scenario.value as string]));
  for (const pair of (text ?? "").split(",").filter((part) => part.trim() !== "")) {
    const separator = pair.indexOf("=");
    const id = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    if (separator < 0 || value === "") throw new UsageError("--scenario-values takes scenario=Value pairs separated by commas");
    if (!valueOf.has(id)) throw new UsageError(`--scenario-values: "${id}" is not one of this file's scenarios (${[...valueOf.keys()].join(", ")})`);
    valueOf.set(id, value);
  }
  return scenarios.map((scenario) => ({ scenario, value: valueOf.get(scenario.id) as string }));
}
