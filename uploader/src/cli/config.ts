import { UsageError } from "../errors";
import { parseColumnMap } from "../csv/layout";
import { isScenarioId, SCENARIO_IDS, SCENARIOS, type ScenarioSpec } from "../csv/scenarios";
import type { LogFormat } from "../log";
import { openLocalFile } from "../source/localFile";
import type { ValidateConfig } from "../validate";
import type { FlagValues } from "./args";
import { envVarFor, type FlagName } from "./flags";

/** Turns raw flag values into typed, validated settings; every bad value is a one-line UsageError. */
export function stringFlag(values: FlagValues, flag: FlagName): string | undefined {
  const value = values[flag];
  return typeof value === "string" ? value : undefined;
}

export function requireFlag(values: FlagValues, flag: FlagName, command: string): string {
  const value = stringFlag(values, flag);
  if (value === undefined || value.trim() === "") {
    throw new UsageError(`--${flag} is required (or set ${envVarFor(flag)}); see hr-upload ${command} --help`);
  }
  return value;
}

export function logFormatOf(value: string | undefined): LogFormat {
  if (value === undefined || value === "text" || value === "json") return value ?? "text";
  throw new UsageError("--log-format must be text or json");
}

export function scenarioOf(values: FlagValues): ScenarioSpec {
  const id = stringFlag(values, "scenario") ?? "resignation";
  if (!isScenarioId(id)) throw new UsageError(`unknown scenario "${id}" (known: ${SCENARIO_IDS.join(", ")})`);
  return SCENARIOS[id];
}

export async function validateConfigFrom(values: FlagValues): Promise<ValidateConfig> {
  const scenario = scenarioOf(values);
  return {
    source: await openLocalFile(requireFlag(values, "csv", "validate")),
    scenario,
    columns: parseColumnMap(stringFlag(values, "columns"), scenario),
    showValues: values["show-values"] === true,
  };
}
