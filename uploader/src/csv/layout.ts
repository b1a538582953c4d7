import { InvalidCsvError, UsageError } from "../core/errors";
import { exampleHeader, type FileRules } from "./fileRules";
import { checkHeaderLine } from "./headerLine";
import type { FieldSpec, ScenarioSpec } from "./scenarios";

/** --columns: the user's header name per field key (field=Header,...). */
export type ColumnMap = ReadonlyMap<string, string>;

/** Reads --columns against the fields a file may hold (every field of its scenarios). */
export function parseColumnMap(text: string | undefined, file: { readonly id: string; readonly fields: readonly FieldSpec[] }): ColumnMap {
  const map = new Map<string, string>();
  if (text === undefined || text.trim() === "") return map;
  const keys = file.fields.map((field) => field.key);
  for (const pair of text.split(",")) {
    const separator = pair.indexOf("=");
    const key = pair.slice(0, separator).trim();
    const header = pair.slice(separator + 1).trim();
    if (separator < 0 || key === "" || header === "") {
      throw new UsageError(`--columns takes field=Header pairs separated by commas (fields: ${keys.join(", ")})`);
    }
    const field = file.fields.find((candidate) => candidate.key.toLowerCase() === key.toLowerCase());
    if (!field) throw new UsageError(`--columns: unknown field "${key}" for scenario ${file.id} (fields: ${keys.join(", ")})`);
    if (map.has(field.key)) throw new UsageError(`--columns maps field "${field.key}" twice`);
    map.set(field.key, header);
  }
  return map;
}

export interface BoundField {
  readonly spec: FieldSpec;
  /** Column index in the file. */
  readonly index: number;
  /** Header name as the file spells it. */
  readonly header: string;
}

/** Which column holds which field, resolved once from the header line. */
export interface HeaderLayout {
  readonly names: readonly string[];
  /** The fields each scenario checks, bound to their columns. */
  readonly fieldsOf: ReadonlyMap<ScenarioSpec, readonly BoundField[]>;
  /** Scenarios whose required columns the header lacks, with why, in a file that may hold any scenario: a record of one is an error. */
  readonly unusable: ReadonlyMap<ScenarioSpec, string>;
  /** The scenario of every record in a single-scenario file. */
  readonly onlyScenario: ScenarioSpec;
  /** Multi-scenario files: where each record says its scenario. */
  readonly scenarioColumn?: { readonly index: number; readonly header: string; readonly rules: NonNullable<FileRules["scenarioColumn"]> };
}

export function resolveLayout(names: readonly string[], rules: FileRules, columns: ColumnMap, line: number): HeaderLayout {
  checkHeaderLine(names, line, exampleHeader(rules));
  const indexByName = new Map<string, number>();
  names.forEach((name, index) => {
    const folded = name.toLowerCase();
    if (indexByName.has(folded)) throw new InvalidCsvError(`duplicate column name "${name}" in the header`, line);
    indexByName.set(folded, index);
  });
  const find = (wanted: readonly string[]) => wanted.map((name) => indexByName.get(name.toLowerCase())).find((found) => found !== undefined);

  // A key is one column for the whole file: the mapped name, or the first documented name present.
  const wantedFor = (key: string) =>
    columns.has(key) ? [columns.get(key) as string] : [...new Set(rules.scenarios.flatMap((scenario) => scenario.fields.filter((field) => field.key === key).flatMap((field) => field.headers)))];
  const fieldsOf = new Map<ScenarioSpec, BoundField[]>();
  const missing = new Map<string, MissingColumn>();
  const missingOf = new Map<ScenarioSpec, MissingColumn[]>();
  for (const scenario of rules.scenarios) {
    const bound: BoundField[] = [];
    for (const spec of scenario.fields) {
      const wanted = wantedFor(spec.key);
      const index = find(wanted);
      if (index !== undefined) bound.push({ spec, index, header: names[index] as string });
      else if (spec.required) {
        const entry = missing.get(spec.key) ?? { wanted, key: spec.key, scenarios: [] };
        entry.scenarios.push(scenario.id);
        missing.set(spec.key, entry);
        missingOf.set(scenario, [...(missingOf.get(scenario) ?? []), { wanted, key: spec.key, scenarios: [scenario.id] }]);
      }
    }
    fieldsOf.set(scenario, bound);
  }

  const scenarioColumn = rules.scenarioColumn;
  const scenarioIndex = scenarioColumn === undefined ? undefined : find([scenarioColumn.header]);
  if (scenarioColumn !== undefined && scenarioIndex === undefined) {
    throw new InvalidCsvError(`missing the scenario column "${scenarioColumn.header}"; if your file names it differently, pass --scenario-column <YourHeader>`, line);
  }
  // A file that may hold any scenario needs a scenario's columns only once one of its records appears.
  const deferred = rules.anyScenario && missingOf.size < rules.scenarios.length;
  if (missing.size > 0 && !deferred) throw new InvalidCsvError(describeMissing([...missing.values()], columns, rules.scenarios.length > 1), line);
  return {
    names,
    fieldsOf,
    unusable: new Map(deferred ? [...missingOf].map(([scenario, entries]) => [scenario, `this record's scenario is ${scenario.id}, but the header line lacks its columns: ${describeMissing(entries, columns, false)}`]) : []),
    onlyScenario: rules.scenarios[0] as ScenarioSpec,
    scenarioColumn: scenarioColumn && { index: scenarioIndex as number, header: names[scenarioIndex as number] as string, rules: scenarioColumn },
  };
}

interface MissingColumn {
  readonly wanted: readonly string[];
  readonly key: string;
  readonly scenarios: string[];
}

function describeMissing(missing: readonly MissingColumn[], columns: ColumnMap, nameScenarios: boolean): string {
  const forScenarios = (scenarios: string[]) => (nameScenarios ? ` for ${scenarios.join(", ")}` : "");
  const profile = missing.some((entry) => entry.scenarios.includes("employee-profile"))
    ? "; the service imports nothing from an employee-profile file that lacks one of its mandatory columns"
    : "";
  const mapped = missing.filter((entry) => columns.has(entry.key));
  if (mapped.length > 0) {
    return `missing column ${mapped.map((entry) => `"${columns.get(entry.key)}" (mapped by --columns ${entry.key}=...)${forScenarios(entry.scenarios)}`).join(", ")}${profile}`;
  }
  const names = missing.map(
    ({ wanted: [first, ...others], scenarios }) => `"${first}"${others.length > 0 ? ` (or "${others.join('", "')}")` : ""}${forScenarios(scenarios)}`,
  );
  const mapping = missing.map((entry) => `${entry.key}=<YourHeader>`).join(",");
  return `missing required column${missing.length > 1 ? "s" : ""} ${names.join(", ")}; if your file names ${missing.length > 1 ? "them" : "it"} differently, map: --columns ${mapping}${profile}`;
}
