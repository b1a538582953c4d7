/**
 * Realistic HR CSVs of any size and any scenario, for demos, tests and benchmarks.
 *
 *   npm run generate -- --records 1000000 --out big.csv [--scenario resignation|job-level-change|
 *       performance-review|performance-improvement-plan|employee-profile|mixed]
 *       [--error-rate 0.01] [--seed 7] [--crlf] [--bom]
 *
 * Rows carry the kinds of content that break naive splitters: quoted commas,
 * doubled quotes and quoted line breaks. With --error-rate, that share of
 * records gets one injected error (bad email, impossible date, empty required
 * value, an extra field, a remark or rating over its length limit, an unknown
 * scenario value); where they are is written to <out>.errors.json.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";

export const GENERATED_SCENARIOS = ["resignation", "job-level-change", "performance-review", "performance-improvement-plan", "employee-profile", "mixed"] as const;
export type GeneratedScenario = (typeof GENERATED_SCENARIOS)[number];

export interface GenerateOptions {
  records: number;
  scenario?: GeneratedScenario;
  errorRate?: number;
  seed?: number;
  crlf?: boolean;
  bom?: boolean;
}

export type InjectedError = "email" | "date" | "empty" | "field-count" | "length" | "scenario";
export interface InjectedErrorAt {
  line: number;
  kind: InjectedError;
  /** The record's scenario id. */
  scenario: string;
}

const FIRST = ["alex", "sam", "kim", "lee", "pat", "jordan", "casey", "morgan", "taylor", "riley", "drew", "jamie"];
const LAST = ["doe", "lee", "roe", "poe", "kay", "smith", "garcia", "nguyen", "patel", "okafor", "muller", "rossi"];
const DEPARTMENTS = ["Finance", '"Legal, Contracts"', "Engineering", "Operations", '"Research & Development"', "Radiology"];
const NOTES = ["", "", "", '"Gave notice ""early"""', '"Exit interview:\nremote, declined"', "Contractor"];
const REMARKS = ["", "Reorganisation", '"Missed targets, twice"', '"Manager said: ""needs support"""', '"Moved teams:\nsee HR case"'];
const LEVELS = ["Level 60 - Manager", "Level 61 - Sr. Manager", "Level 62 - Director", "Level 58 - Engineer"];
const RATINGS = ["1 Unsatisfactory", "2 Below expectations", "3 Met expectations", "4 Exceeded", "5 Outstanding"];
const STREETS = ["1 Main St", '"100 Federal Plaza, Suite 4"', "22 Oak Ave", "9 Elm Rd"];
const CITIES = ["Springfield", "Arlington", "Richmond", "Norfolk"];

/** Small deterministic PRNG (mulberry32): the same seed gives the same file. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** How one scenario's records look: its columns, a realistic row, and where each error kind goes. */
interface RowShape {
  readonly columns: readonly string[];
  row(r: Random, index: number): Record<string, string>;
  /** Column per error kind this scenario can carry. */
  readonly errorColumns: Partial<Record<InjectedError, string>>;
}

interface Random {
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  dateTime(dayOffset: number): string;
  day(): number;
}

const email = (r: Random, index: number) => `${r.pick(FIRST)}.${r.pick(LAST)}${index}@agency.gov`;

const SHAPES: Record<Exclude<GeneratedScenario, "mixed">, RowShape> = {
  resignation: {
    columns: ["EmailAddress", "TerminationDate", "LastWorkingDate", "Department", "Notes"],
    row: (r, i) => {
      const day = r.day();
      return { EmailAddress: email(r, i), TerminationDate: r.dateTime(day), LastWorkingDate: r.dateTime(day + 14), Department: r.pick(DEPARTMENTS), Notes: r.pick(NOTES) };
    },
    errorColumns: { email: "EmailAddress", date: "TerminationDate", empty: "LastWorkingDate" },
  },
  "job-level-change": {
    columns: ["EmailAddress", "EffectiveDate", "Remarks", "OldLevel", "NewLevel"],
    row: (r, i) => ({ EmailAddress: email(r, i), EffectiveDate: r.dateTime(r.day()), Remarks: r.pick(REMARKS), OldLevel: r.pick(LEVELS), NewLevel: r.pick(LEVELS) }),
    errorColumns: { email: "EmailAddress", date: "EffectiveDate", empty: "EffectiveDate", length: "Remarks" },
  },
  "performance-review": {
    columns: ["EmailAddress", "EffectiveDate", "Remarks", "Rating"],
    row: (r, i) => ({ EmailAddress: email(r, i), EffectiveDate: r.dateTime(r.day()), Remarks: r.pick(REMARKS), Rating: r.pick(RATINGS) }),
    errorColumns: { email: "EmailAddress", date: "EffectiveDate", empty: "EffectiveDate", length: "Rating" },
  },
  "performance-improvement-plan": {
    columns: ["EmailAddress", "EffectiveDate", "ImprovementRemarks", "PerformanceRating"],
    row: (r, i) => ({ EmailAddress: email(r, i), EffectiveDate: r.dateTime(r.day()), ImprovementRemarks: r.pick(REMARKS), PerformanceRating: r.pick(RATINGS) }),
    errorColumns: { email: "EmailAddress", date: "EffectiveDate", empty: "EffectiveDate", length: "ImprovementRemarks" },
  },
  "employee-profile": {
    // prettier-ignore
    columns: ["EmailAddress", "EmployeeFirstName", "EmployeeLastName", "EmployeeAddressLine1", "EmployeeAddressLine2", "EmployeeCity",
      "EmployeeState", "EmployeeZipCode", "EmployeeCountry", "EmployeeDepartment", "EmployeeType", "EmployeeRole"],
    row: (r, i) => {
      const [first, last] = [r.pick(FIRST), r.pick(LAST)];
      return {
        EmailAddress: `${first}.${last}${i}@agency.gov`,
        EmployeeFirstName: first.charAt(0).toUpperCase() + first.slice(1),
        EmployeeLastName: last.charAt(0).toUpperCase() + last.slice(1),
        EmployeeAddressLine1: r.pick(STREETS),
        EmployeeAddressLine2: r.chance(0.3) ? `Apt ${1 + Math.floor(r.day() / 10)}` : "",
        EmployeeCity: r.pick(CITIES),
        EmployeeState: "VA",
        EmployeeZipCode: String(22000 + Math.floor(r.day() * 3)),
        EmployeeCountry: "USA",
        EmployeeDepartment: r.pick(DEPARTMENTS),
        EmployeeType: r.pick(["Regular", "Exempt", "Contractor"]),
        EmployeeRole: r.pick(["Technician", "Nurse", "Analyst", '"Lead, Radiology"']),
      };
    },
    errorColumns: { email: "EmailAddress", empty: "EmployeeZipCode" },
  },
};

/** Learn's multi-scenario layout (hr-connector-service.md §7.5): the scenario column, then every scenario's columns. */
const MIXED_COLUMNS = ["HRScenario", "EmailAddress", "TerminationDate", "LastWorkingDate", "EffectiveDate", "Remarks", "Rating", "OldLevel", "NewLevel"];
const MIXED_VALUES = { resignation: "Resignation", "job-level-change": "Job level change", "performance-review": "Performance review", "performance-improvement-plan": "Performance improvement plan" } as const;
/** In Learn's mixed sample the PIP columns are the shared Remarks and Rating. */
const MIXED_RENAMES: Record<string, string> = { ImprovementRemarks: "Remarks", PerformanceRating: "Rating" };

/** Yields the file in pieces of many rows; `errors` receives what was injected where. */
export function* generateCsv(options: GenerateOptions, errors: InjectedErrorAt[] = []): Generator<string> {
  const next = random(options.seed ?? 1);
  const r: Random = {
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
    chance: (p) => next() < p,
    day: () => Math.floor(next() * 300),
    dateTime: (dayOffset) => {
      const when = new Date(Date.UTC(2026, 0, 1) + dayOffset * 86_400_000 + Math.floor(next() * 86_400) * 1000);
      const fraction = next() < 0.3 ? `.${pad(Math.floor(next() * 10_000_000), 7)}` : "";
      const zone = r.pick(["Z", "-05:00", "+05:30", ""]);
      return `${when.getUTCFullYear()}-${pad(when.getUTCMonth() + 1)}-${pad(when.getUTCDate())}T${pad(when.getUTCHours())}:${pad(when.getUTCMinutes())}:${pad(when.getUTCSeconds())}${fraction}${zone}`;
    },
  };
  const eol = options.crlf ? "\r\n" : "\n";
  const scenario = options.scenario ?? "resignation";
  const columns = scenario === "mixed" ? MIXED_COLUMNS : SHAPES[scenario].columns;

  let text = `${options.bom ? "\uFEFF" : ""}${columns.join(",")}${eol}`;
  let line = 2;
  for (let i = 0; i < options.records; i++) {
    const own = scenario === "mixed" ? r.pick(Object.keys(MIXED_VALUES) as (keyof typeof MIXED_VALUES)[]) : scenario;
    const shape = SHAPES[own];
    const rename = (column: string) => (scenario === "mixed" ? (MIXED_RENAMES[column] ?? column) : column);
    const values: Record<string, string> = Object.fromEntries(Object.entries(shape.row(r, i)).map(([column, value]) => [rename(column), value]));
    if (scenario === "mixed") values.HRScenario = MIXED_VALUES[own as keyof typeof MIXED_VALUES];
    let extra: string[] = [];
    if (options.errorRate && next() < options.errorRate) {
      const kinds = [...(Object.keys(shape.errorColumns) as InjectedError[]), "field-count" as const, ...(scenario === "mixed" ? ["scenario" as const] : [])];
      const kind = r.pick(kinds);
      const column = rename(shape.errorColumns[kind] ?? "");
      errors.push({ line, kind, scenario: own });
      if (kind === "email") values[column] = (values[column] as string).replace("@", " at ");
      if (kind === "date") values[column] = "2026-02-30T09:00:00Z";
      if (kind === "empty") values[column] = "";
      if (kind === "length") values[column] = column.endsWith("Rating") ? "x".repeat(26) : "y".repeat(201);
      if (kind === "scenario") values.HRScenario = "Promotion";
      // Longer than the header: a short record missing only optional fields is valid.
      if (kind === "field-count") extra = ["unexpected"];
    }
    const row = [...columns.map((column) => (values[column] ?? "").replace(/\n/g, eol)), ...extra].join(",");
    text += row + eol;
    line += 1 + (row.match(/\n/g)?.length ?? 0);
    if (text.length > 1 << 16) {
      yield text;
      text = "";
    }
  }
  yield text;
}

export async function writeCsv(path: string, options: GenerateOptions): Promise<InjectedErrorAt[]> {
  const errors: InjectedErrorAt[] = [];
  const out = createWriteStream(path);
  for (const piece of generateCsv(options, errors)) {
    if (!out.write(piece)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return errors;
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: "string", default: "1000" },
      out: { type: "string" },
      scenario: { type: "string", default: "resignation" },
      "error-rate": { type: "string", default: "0" },
      seed: { type: "string", default: "1" },
      crlf: { type: "boolean", default: false },
      bom: { type: "boolean", default: false },
    },
  });
  if (!values.out) throw new Error("--out FILE is required");
  if (!(GENERATED_SCENARIOS as readonly string[]).includes(values.scenario)) throw new Error(`--scenario must be one of ${GENERATED_SCENARIOS.join(", ")}`);
  const errors = await writeCsv(values.out, {
    records: Number(values.records),
    scenario: values.scenario as GeneratedScenario,
    errorRate: Number(values["error-rate"]),
    seed: Number(values.seed),
    crlf: values.crlf,
    bom: values.bom,
  });
  if (errors.length > 0) await writeFile(`${values.out}.errors.json`, JSON.stringify(errors));
  console.log(`wrote ${values.records} ${values.scenario} records to ${values.out}${errors.length > 0 ? ` (${errors.length} with injected errors)` : ""}`);
}

if (require.main === module) {
  cli().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  });
}
