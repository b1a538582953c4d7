import { parseArgs } from "node:util";
import { UsageError } from "../core/errors";
import { envVarFor, FLAGS, type FlagName, type FlagSpec } from "./flags";

/** Where a setting came from; the command line outranks the environment, which outranks the defaults. */
export type FlagOrigin = "command line" | "environment";

interface FlagValue {
  readonly value: string | boolean;
  readonly origin: FlagOrigin;
}

/** The settings one command was given, each knowing where it came from. */
export interface Flags {
  /** A string flag's value; undefined when unset (never empty). */
  string(flag: FlagName): string | undefined;
  /** A boolean flag: true only when set. */
  isOn(flag: FlagName): boolean;
  origin(flag: FlagName): FlagOrigin | undefined;
  /** How to name the flag in a message: as the user gave it, `--cloud` or `HR_CLOUD`. */
  label(flag: FlagName): string;
}

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off"]);

/** Blank counts as unset, on the command line (where it is refused) and in the environment (where it is ignored). */
const isBlank = (text: string) => text.trim() === "";

/**
 * Reads one command's flags. Precedence, for every flag: the command line,
 * then its `HR_<FLAG>` environment variable (how the scheduled job configures
 * the uploader), then the command's default. A flag given twice on the
 * command line, under any of its spellings, is an error; so is a blank value
 * there. A blank variable is the same as an unset one.
 */
export function readFlags(command: string, accepted: readonly FlagName[], argv: readonly string[], env: NodeJS.ProcessEnv): Flags {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  const canonical = new Map<string, FlagName>();
  for (const flag of accepted) {
    const spec: FlagSpec = FLAGS[flag];
    for (const name of [flag, ...(spec.aliases ?? [])]) {
      options[name] = { type: spec.type, ...(name === flag && spec.short !== undefined ? { short: spec.short } : {}) };
      canonical.set(name, flag);
    }
  }

  let tokens: ReturnType<typeof parseArgs>["tokens"];
  try {
    tokens = parseArgs({ args: argv.map((arg) => withScriptParameter(arg, canonical)), options, strict: true, allowPositionals: false, tokens: true }).tokens;
  } catch (error) {
    throw new UsageError(`${describeParseError(error)}; see hr-upload ${command} --help`);
  }

  const values = new Map<FlagName, FlagValue>();
  const spelled = new Map<FlagName, string>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const flag = canonical.get(token.name) as FlagName;
    const earlier = spelled.get(flag);
    if (earlier !== undefined) {
      const spellings = earlier === token.rawName ? "" : ` (as ${earlier} and ${token.rawName})`;
      throw new UsageError(`--${flag} is given twice${spellings}; give it once`);
    }
    spelled.set(flag, token.rawName);
    if (typeof token.value === "string" && isBlank(token.value)) {
      throw new UsageError(`${token.rawName} is given an empty value: give it a value, or leave it out`);
    }
    values.set(flag, { value: token.value ?? true, origin: "command line" });
  }

  for (const flag of accepted) {
    const spec: FlagSpec = FLAGS[flag];
    const fromEnv = env[envVarFor(flag)];
    if (values.has(flag) || spec.commandLineOnly || fromEnv === undefined || isBlank(fromEnv)) continue;
    values.set(flag, { value: spec.type === "boolean" ? parseBooleanEnv(envVarFor(flag), fromEnv) : fromEnv, origin: "environment" });
  }

  return {
    string: (flag) => {
      const value = values.get(flag)?.value;
      return typeof value === "string" ? value : undefined;
    },
    isOn: (flag) => values.get(flag)?.value === true,
    origin: (flag) => values.get(flag)?.origin,
    label: (flag) => (values.get(flag)?.origin === "environment" ? envVarFor(flag) : `--${flag}`),
  };
}

/**
 * Microsoft's script parameters as PowerShell users type them, one dash and any
 * case (`-tenantId`, `-RecordsPerCall 100`), read as our aliases of them; a
 * single letter after one dash stays a short flag.
 */
function withScriptParameter(arg: string, names: ReadonlyMap<string, FlagName>): string {
  const match = /^-([A-Za-z][A-Za-z]+)(=.*)?$/.exec(arg);
  if (match === null) return arg;
  const [, name = "", value = ""] = match;
  const alias = [...names.keys()].find((known) => known !== names.get(known) && known.toLowerCase() === name.toLowerCase());
  return alias === undefined ? arg : `--${alias}${value}`;
}

/** Whether the command line asks for a flag, whatever else is wrong with it (so `--bogus --help` still helps). */
export function asksFor(argv: readonly string[], flag: FlagName): boolean {
  const spec: FlagSpec = FLAGS[flag];
  return argv.some((arg) => arg === `--${flag}` || (spec.short !== undefined && arg === `-${spec.short}`));
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
