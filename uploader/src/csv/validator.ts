import type { CsvRecord } from "./reader";
import type { HeaderLayout } from "./layout";
import { VALUE_CHECKS } from "./scenarios";
import { checkMaxLength } from "./values";

export interface FieldProblem {
  /** Header name of the offending column; absent for record-level problems. */
  readonly column?: string;
  readonly reason: string;
  /** The offending value (PII): reports drop it unless the user asked to see values. */
  readonly value?: string;
}

/** Problems of one record against the scenario's rules; empty when the record is valid. */
export function checkRecord(record: CsvRecord, layout: HeaderLayout): FieldProblem[] {
  const width = layout.names.length;
  if (record.fields.length !== width) {
    return [{ reason: `has ${record.fields.length} fields, the header has ${width}` }];
  }
  const problems: FieldProblem[] = [];
  for (const { spec, index, header } of layout.fields) {
    const value = record.fields[index] ?? "";
    if (value === "") {
      if (spec.required) problems.push({ column: header, reason: "required value is empty" });
      continue;
    }
    const reason = VALUE_CHECKS[spec.kind](value) ?? (spec.maxLength === undefined ? undefined : checkMaxLength(value, spec.maxLength));
    if (reason !== undefined) problems.push({ column: header, reason, value });
  }
  return problems;
}
