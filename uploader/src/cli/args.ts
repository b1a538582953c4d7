import { parseArgs } from "node:util";
import { UsageError } from "../errors";
import { envVarFor, FLAGS, type FlagName } from "./flags";

export type FlagValues = Partial<Record<FlagName, string | boolean>>;

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["", "0", "false", "no", "off"]);

/**
 * Command-line flags of one subcommand, each falling back to its `HR_<FLAG>`
 * environment variable (how the scheduled job configures the uploader).
 * The command line wins over the environment.
 */
export function readFlags(command: string, accepted: readonly FlagName[], argv: readonly string[], env: NodeJS.ProcessEnv): FlagValues {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  const canonical = new Map<string, FlagName>();
  for (const flag of accepted) {
    const spec = FLAGS[flag];
    for (const name of [flag, ...("aliases" in spec ? spec.aliases : [])]) {
      options[name] = { type: spec.type };
      canonical.set(name, flag);
    }
  }

  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${describeParseError(error)}; see hr-upload ${command} --help`);
  }

  const values: FlagValues = {};
  for (const [name, value] of Object.entries(parsed)) {
    const flag = canonical.get(name) as FlagName;
    if (values[flag] !== undefined && values[flag] !== value) throw new UsageError(`--${flag} is given twice (as --${name})`);
    values[flag] = value;
  }
  for (const flag of accepted) {
    const fromEnv = env[envVarFor(flag)];
    if (values[flag] !== undefined || fromEnv === undefined || flag === "help") continue;
    values[flag] = FLAGS[flag].type === "boolean" ? parseBooleanEnv(envVarFor(flag), fromEnv) : fromEnv;
  }
  return values;
}

function parseBooleanEnv(name: string, raw: string): boolean {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new UsageError(`${name} must be true or false`);
}

/** Node's messages are long and may echo a stray argument (possibly a secret); say it in our words. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const option = /'(-[^' ]+)/.exec((error as Error).message)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option ?? ""}`.trim();
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test((error as Error).message)) return `option ${option ?? ""} takes no value`;
      if (/ambiguous/.test((error as Error).message)) return `option ${option ?? ""} needs a value (for one starting with "-", write ${option ?? "--flag"}=-...)`;
      return `option ${option ?? ""} needs a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return "unexpected argument (every setting is a --flag followed by its value)";
    default:
      return "cannot read the command line";
  }
}
