import { checkDateTime, checkEmail } from "./values";

/** How a field's values are checked. */
export type ValueKind = "email" | "date-time" | "text";

export interface FieldSpec {
  /** Name used in --columns (field=Header). */
  readonly key: string;
  /** Header names recognised without a mapping, case-insensitively; the first is the documented example. */
  readonly headers: readonly string[];
  readonly required: boolean;
  readonly kind: ValueKind;
  readonly maxLength?: number;
}

export interface ScenarioSpec {
  readonly id: string;
  readonly title: string;
  readonly fields: readonly FieldSpec[];
}

/**
 * The HR scenarios the connector takes, with Microsoft's documented example
 * header names (hr-connector-service.md §7.3-§7.4).
 */
export const SCENARIOS = {
  resignation: {
    id: "resignation",
    title: "Employee resignation",
    fields: [
      { key: "email", headers: ["EmailAddress"], required: true, kind: "email" },
      // The US Government page says TerminationDate; the commercial page says ResignationDate.
      { key: "terminationDate", headers: ["TerminationDate", "ResignationDate"], required: true, kind: "date-time" },
      { key: "lastWorkingDate", headers: ["LastWorkingDate"], required: true, kind: "date-time" },
    ],
  },
} as const satisfies Record<string, ScenarioSpec>;

export type ScenarioId = keyof typeof SCENARIOS;
export const SCENARIO_IDS = Object.keys(SCENARIOS) as ScenarioId[];

export function isScenarioId(value: string): value is ScenarioId {
  return Object.hasOwn(SCENARIOS, value);
}

export const VALUE_CHECKS: Record<ValueKind, (value: string) => string | undefined> = {
  email: checkEmail,
  "date-time": checkDateTime,
  text: () => undefined,
};
