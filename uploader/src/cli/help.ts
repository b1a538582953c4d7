import { DEFAULT_SCENARIO_COLUMN, SCENARIOS } from "../csv/scenarios";
import { DATE_TIME_FORMAT } from "../csv/values";
import { COMMANDS, type CommandSpec } from "./commands";
import { envVarFor, FLAGS } from "./flags";

export function programHelp(): string {
  const commands = Object.values(COMMANDS as Record<string, CommandSpec>)
    .map((command) => `  ${command.name.padEnd(10)} ${command.summary}`)
    .join("\n");
  return `hr-upload: get HR data into Microsoft Purview's HR connector (Insider Risk Management)

Usage: hr-upload <command> [flags]

Commands:
${commands}

Run "hr-upload <command> --help" for a command's flags.
Every flag can also be set by an environment variable: --records-per-call is HR_RECORDS_PER_CALL.
`;
}

export function commandHelp(command: CommandSpec): string {
  const flagLines = command.flags.map((flag) => {
    const spec = FLAGS[flag];
    const usage = `--${flag}${"value" in spec ? ` ${spec.value}` : ""}`;
    const aliases = "aliases" in spec ? ` (also --${spec.aliases.join(", --")})` : "";
    const env = flag === "help" ? "" : `  [${envVarFor(flag)}]`;
    const required = command.required.includes(flag) ? " (required)" : "";
    return `  ${usage.padEnd(26)} ${spec.description}${required}${aliases}${env}`;
  });
  const exitCodes = { 0: "success", 2: "usage or configuration error", ...command.exitCodes };
  const fieldHelp = Object.values(SCENARIOS).map(
    (scenario) =>
      `  ${scenario.id} ("${scenario.value}"): ${scenario.fields
        .map((field) => `${field.key}=${field.headers.join("|")}${field.required ? "" : " (optional)"}${"maxLength" in field ? ` (max ${field.maxLength})` : ""}`)
        .join(", ")}`,
  );
  return `hr-upload ${command.name}: ${command.summary}

Usage: hr-upload ${command.name} ${command.required.map((flag) => `--${flag} ${"value" in FLAGS[flag] ? FLAGS[flag].value : ""}`).join(" ")} [flags]

${command.details.join("\n")}

Flags [environment variable]:
${flagLines.join("\n")}

Scenarios ("value in a multi-scenario file's ${DEFAULT_SCENARIO_COLUMN} column") and their fields
(field=default header names, matched case-insensitively; map yours with --columns field=Header):
${fieldHelp.join("\n")}
A file holding several scenarios lists them all (--scenario resignation,job-level-change) and names
each record's scenario in a column (--scenario-column, default ${DEFAULT_SCENARIO_COLUMN}) whose values
are the ones above unless --scenario-values maps them (scenario=Value,...).
Dates are ISO 8601: ${DATE_TIME_FORMAT}.

Exit codes:
${Object.entries(exitCodes)
  .map(([code, meaning]) => `  ${code}  ${meaning}`)
  .join("\n")}

Examples:
${command.examples.map((example) => `  ${example}`).join("\n")}
`;
}
