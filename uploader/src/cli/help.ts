import { DEFAULT_SCENARIO_COLUMN, SCENARIOS } from "../csv/scenarios";
import { DATE_TIME_FORMAT } from "../csv/values";
import { COMMANDS, type CommandSpec } from "./commands";
import { envVarFor, FLAGS, type FlagName, type FlagSpec } from "./flags";
import { VERSION } from "./version";

export function programHelp(): string {
  const commands = Object.values(COMMANDS as Record<string, CommandSpec>)
    .map((command) => `  ${command.name.padEnd(10)} ${command.summary}`)
    .join("\n");
  return `hr-upload ${VERSION}: get HR data into Microsoft Purview's HR connector (Insider Risk Management)

Usage: hr-upload <command> [flags]

Commands:
${commands}

Run "hr-upload help <command>" (or "hr-upload <command> --help") for a command's flags.
${precedence("records-per-call")}
"hr-upload --version" prints the version.
`;
}

function precedence(example: FlagName): string {
  return `Every flag can also be set by an environment variable: --${example} is ${envVarFor(example)}.
The command line wins over the variable, which wins over the default; an empty variable counts as unset.`;
}

export function commandHelp(command: CommandSpec): string {
  const flagLines = command.flags.map((flag) => {
    const spec: FlagSpec = FLAGS[flag];
    const usage = `--${flag}${spec.value === undefined ? "" : ` ${spec.value}`}`;
    const short = spec.short === undefined ? "" : `-${spec.short}, `;
    const aliases = spec.aliases === undefined ? "" : ` (also --${spec.aliases.join(", --")})`;
    const env = spec.commandLineOnly ? "" : `  [${envVarFor(flag)}]`;
    const required = command.required.includes(flag) ? " (required)" : "";
    return `  ${(short + usage).padEnd(30)} ${spec.description}${required}${aliases}${env}`;
  });
  const exitCodes = { 0: "success", 2: "usage or configuration error", ...command.exitCodes };
  const requiredUsage = command.required.map((flag) => {
    const spec: FlagSpec = FLAGS[flag];
    return `--${flag}${spec.value === undefined ? "" : ` ${spec.value}`}`;
  });
  return `hr-upload ${command.name}: ${command.summary}

Usage: hr-upload ${command.name} ${[...requiredUsage, "[flags]"].join(" ")}

${command.details.join("\n")}

Flags [environment variable]:
${flagLines.join("\n")}

${precedence(command.flags[0] as FlagName)}
${command.flags.includes("scenario") ? `\n${csvHelp()}` : ""}
Exit codes:
${Object.entries(exitCodes)
  .map(([code, meaning]) => `  ${code}  ${meaning}`)
  .join("\n")}

Examples:
${command.examples.map((example) => `  ${example}`).join("\n")}
`;
}

/** What the commands that read a CSV (those that take --scenario; reset takes --csv only to name a file) expect of it. */
function csvHelp(): string {
  const fieldHelp = Object.values(SCENARIOS).map(
    (scenario) =>
      `  ${scenario.id} ("${scenario.value}"): ${scenario.fields
        .map((field) => `${field.key}=${field.headers.join("|")}${field.required ? "" : " (optional)"}${"maxLength" in field ? ` (max ${field.maxLength})` : ""}`)
        .join(", ")}`,
  );
  return `Scenarios ("value in a multi-scenario file's ${DEFAULT_SCENARIO_COLUMN} column") and their fields
(field=default header names, matched case-insensitively; map yours with --columns field=Header):
${fieldHelp.join("\n")}
A file holding several scenarios lists them (--scenario resignation,job-level-change) and names
each record's scenario in a column (--scenario-column, default ${DEFAULT_SCENARIO_COLUMN}) whose values
are the ones above unless --scenario-values maps them (scenario=Value,...).
--scenario-column or --scenario-values without --scenario means any of the scenarios above.
The file is comma-delimited UTF-8 with a header line; dates are ISO 8601: ${DATE_TIME_FORMAT}.
`;
}
