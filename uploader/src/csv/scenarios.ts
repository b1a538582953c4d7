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
  /** The scenario column's value for this scenario in a multi-scenario file, as Learn documents it. */
  readonly value: string;
  readonly fields: readonly FieldSpec[];
}

const email: FieldSpec = { key: "email", headers: ["EmailAddress"], required: true, kind: "email" };
const effectiveDate: FieldSpec = { key: "effectiveDate", headers: ["EffectiveDate"], required: true, kind: "date-time" };
const REMARKS_MAX = 200;
const RATING_MAX = 25;

/**
 * The HR scenarios the connector takes, with Microsoft's documented example
 * header names first and documented variants after (hr-connector-service.md
 * §7.3-§7.5). Fields with the same key share one column in a multi-scenario file.
 */
export const SCENARIOS = {
  resignation: {
    id: "resignation",
    title: "Employee resignation",
    value: "Resignation",
    fields: [
      email,
      // The US Government page says TerminationDate; the commercial page says ResignationDate.
      { key: "terminationDate", headers: ["TerminationDate", "ResignationDate"], required: true, kind: "date-time" },
      { key: "lastWorkingDate", headers: ["LastWorkingDate"], required: true, kind: "date-time" },
    ],
  },
  "job-level-change": {
    id: "job-level-change",
    title: "Job level change",
    value: "Job level change",
    fields: [
      email,
      effectiveDate,
      { key: "remarks", headers: ["Remarks"], required: false, kind: "text", maxLength: REMARKS_MAX },
      { key: "oldLevel", headers: ["OldLevel"], required: false, kind: "text" },
      { key: "newLevel", headers: ["NewLevel"], required: false, kind: "text" },
    ],
  },
  "performance-review": {
    id: "performance-review",
    title: "Performance review",
    value: "Performance review",
    fields: [
      email,
      effectiveDate,
      { key: "remarks", headers: ["Remarks"], required: false, kind: "text", maxLength: REMARKS_MAX },
      { key: "rating", headers: ["Rating"], required: false, kind: "text", maxLength: RATING_MAX },
    ],
  },
  "performance-improvement-plan": {
    id: "performance-improvement-plan",
    title: "Performance improvement plan",
    value: "Performance improvement plan",
    fields: [
      email,
      effectiveDate,
      // Learn's table says Remarks and Rating; its example header says ImprovementRemarks and PerformanceRating.
      { key: "remarks", headers: ["ImprovementRemarks", "Remarks"], required: false, kind: "text", maxLength: REMARKS_MAX },
      { key: "rating", headers: ["PerformanceRating", "Rating"], required: false, kind: "text", maxLength: RATING_MAX },
    ],
  },
  // All mandatory columns or nothing: the service imports nothing from a profile file missing one.
  "employee-profile": {
    id: "employee-profile",
    title: "Employee profile",
    value: "Employee profile",
    fields: [
      email,
      { key: "firstName", headers: ["EmployeeFirstName"], required: true, kind: "text" },
      { key: "lastName", headers: ["EmployeeLastName"], required: true, kind: "text" },
      // Learn's sample header abbreviates: EmployeeAddLine1, EmployeeAddLine2, EmployeeDept.
      { key: "addressLine1", headers: ["EmployeeAddressLine1", "EmployeeAddLine1"], required: true, kind: "text" },
      { key: "addressLine2", headers: ["EmployeeAddressLine2", "EmployeeAddLine2"], required: false, kind: "text" },
      { key: "city", headers: ["EmployeeCity"], required: false, kind: "text" },
      { key: "state", headers: ["EmployeeState"], required: false, kind: "text" },
      { key: "zipCode", headers: ["EmployeeZipCode"], required: true, kind: "text" },
      { key: "country", headers: ["EmployeeCountry"], required: false, kind: "text" },
      { key: "department", headers: ["EmployeeDepartment", "EmployeeDept"], required: false, kind: "text" },
      { key: "employeeType", headers: ["EmployeeType"], required: false, kind: "text" },
      { key: "role", headers: ["EmployeeRole"], required: false, kind: "text" },
    ],
  },
} as const satisfies Record<string, ScenarioSpec>;

/** The scenario column's name in Learn's multi-scenario example. */
export const DEFAULT_SCENARIO_COLUMN = "HRScenario";

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
