import type { FlagName } from "./flags";

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Paragraphs shown under the usage line. */
  readonly details: readonly string[];
  readonly flags: readonly FlagName[];
  readonly required: readonly FlagName[];
  readonly examples: readonly string[];
  /** Exit codes this command can return, beyond 0 and 2. */
  readonly exitCodes: Readonly<Record<number, string>>;
}

export const COMMANDS = {
  validate: {
    name: "validate",
    summary: "check an HR CSV file against the connector's rules; sends nothing",
    details: [
      "Reads the whole file and reports records read, valid and invalid, then the first 100 invalid",
      "records by line number, column and reason. Cell values are never printed unless --show-values.",
      "A file with only a header is valid: no HR events today.",
    ],
    flags: ["csv", "scenario", "columns", "show-values", "log-format", "help"],
    required: ["csv"],
    examples: [
      "hr-upload validate --csv employees.csv",
      "hr-upload validate --csv export.csv --columns email=Mail,terminationDate=TermDate,lastWorkingDate=LastDay",
      "HR_CSV=employees.csv HR_LOG_FORMAT=json hr-upload validate",
    ],
    exitCodes: { 3: "the CSV is invalid (the report says where)" },
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(value: string): value is CommandName {
  return Object.hasOwn(COMMANDS, value);
}
