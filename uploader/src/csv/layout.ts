import { InvalidCsvError, UsageError } from "../errors";
import type { FieldSpec, ScenarioSpec } from "./scenarios";

/** --columns: the user's header name per field key (field=Header,...). */
export type ColumnMap = ReadonlyMap<string, string>;

export function parseColumnMap(text: string | undefined, scenario: ScenarioSpec): ColumnMap {
  const map = new Map<string, string>();
  if (text === undefined || text.trim() === "") return map;
  const keys = scenario.fields.map((field) => field.key);
  for (const pair of text.split(",")) {
    const separator = pair.indexOf("=");
    const key = pair.slice(0, separator).trim();
    const header = pair.slice(separator + 1).trim();
    if (separator < 0 || key === "" || header === "") {
      throw new UsageError(`--columns takes field=Header pairs separated by commas (fields: ${keys.join(", ")})`);
    }
    const field = scenario.fields.find((candidate) => candidate.key.toLowerCase() === key.toLowerCase());
    if (!field) throw new UsageError(`--columns: unknown field "${key}" for scenario ${scenario.id} (fields: ${keys.join(", ")})`);
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
  readonly fields: readonly BoundField[];
}

export function resolveLayout(names: readonly string[], scenario: ScenarioSpec, columns: ColumnMap, line: number): HeaderLayout {
  const indexByName = new Map<string, number>();
  names.forEach((name, index) => {
    const folded = name.toLowerCase();
    if (indexByName.has(folded)) throw new InvalidCsvError(`duplicate column name "${name}" in the header`, line);
    indexByName.set(folded, index);
  });

  const fields: BoundField[] = [];
  const missing: FieldSpec[] = [];
  for (const spec of scenario.fields) {
    const wanted = columns.has(spec.key) ? [columns.get(spec.key) as string] : spec.headers;
    const index = wanted.map((name) => indexByName.get(name.toLowerCase())).find((found) => found !== undefined);
    if (index !== undefined) fields.push({ spec, index, header: names[index] as string });
    else if (spec.required) missing.push(spec);
  }
  if (missing.length > 0) throw new InvalidCsvError(describeMissing(missing, columns), line);
  return { names, fields };
}

function describeMissing(missing: readonly FieldSpec[], columns: ColumnMap): string {
  const mapped = missing.filter((spec) => columns.has(spec.key));
  if (mapped.length > 0) {
    return `missing column ${mapped.map((spec) => `"${columns.get(spec.key)}" (mapped by --columns ${spec.key}=...)`).join(", ")}`;
  }
  const names = missing.map(({ headers: [first, ...others] }) => `"${first}"${others.length > 0 ? ` (or "${others.join('", "')}")` : ""}`);
  const mapping = missing.map((spec) => `${spec.key}=<YourHeader>`).join(",");
  return `missing required column${missing.length > 1 ? "s" : ""} ${names.join(", ")}; if your file names ${missing.length > 1 ? "them" : "it"} differently, map: --columns ${mapping}`;
}
