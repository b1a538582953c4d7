import { InvalidCsvError } from "../core/errors";
import type { CsvRecord } from "./reader";
import type { HeaderLayout } from "./layout";
import { VALUE_CHECKS, type ScenarioSpec } from "./scenarios";
import { checkMaxLength } from "./values";
import { plural } from "../core/text";

export interface FieldProblem {
  /** Header name of the offending column; absent for record-level problems. */
  readonly column?: string;
  readonly reason: string;
  /** The offending value (PII): reports drop it unless the user asked to see values. */
  readonly value?: string;
}

export interface RecordCheck {
  /** The record's scenario; undefined when its scenario column names none of the file's scenarios. */
  readonly scenario?: ScenarioSpec;
  /** Empty when the record is valid. */
  readonly problems: FieldProblem[];
}

/**
 * Checks one record against its own scenario's rules. A record longer than
 * the header is an error; a shorter one is fine when the fields it lacks are
 * not required by its scenario (Learn's own samples stop short like that).
 * A NUL in any cell, mapped or not, makes the record invalid.
 */
export function checkRecord(record: CsvRecord, layout: HeaderLayout): RecordCheck {
  const width = layout.names.length;
  const { fields } = record;
  let scenario: ScenarioSpec | undefined;
  if (layout.scenarioColumn === undefined) {
    scenario = layout.onlyScenario;
  } else {
    const value = fields[layout.scenarioColumn.index] ?? "";
    scenario = layout.scenarioColumn.rules.values.get(value.trim().toLowerCase());
    if (scenario === undefined) {
      const known = layout.scenarioColumn.rules.labels.map((label) => label.value).join(", ");
      return { problems: [{ column: layout.scenarioColumn.header, reason: value === "" ? "scenario is empty" : `not one of this file's scenario values (${known})`, value }] };
    }
    const unusable = layout.unusable.get(scenario);
    if (unusable !== undefined) throw new InvalidCsvError(unusable, record.line);
  }
  if (record.hasNul) return { scenario, problems: cellsWithNul(fields, layout.names) };
  const bound = layout.fieldsOf.get(scenario) ?? [];
  const shortOfRequired = fields.length < width && bound.some(({ spec, index }) => spec.required && index >= fields.length);
  if (fields.length > width || shortOfRequired) {
    return { scenario, problems: [{ reason: `has ${plural(fields.length, "field")}, the header has ${width}` }] };
  }
  const problems: FieldProblem[] = [];
  for (const { spec, index, header } of bound) {
    const value = fields[index] ?? "";
    if (value === "") {
      if (spec.required) problems.push({ column: header, reason: "required value is empty" });
      continue;
    }
    const reason = VALUE_CHECKS[spec.kind](value) ?? (spec.maxLength === undefined ? undefined : checkMaxLength(value, spec.maxLength));
    if (reason !== undefined) problems.push({ column: header, reason, value });
  }
  return { scenario, problems };
}

function cellsWithNul(fields: readonly string[], names: readonly string[]): FieldProblem[] {
  return fields.flatMap((value, index) =>
    value.includes("\0") ? [{ column: names[index] ?? `${index + 1} (beyond the header)`, reason: "contains a NUL character (a binary or UTF-16 file?)", value }] : [],
  );
}
