/**
 * Realistic resignation CSVs of any size, for demos, tests and benchmarks.
 *
 *   npm run generate -- --records 1000000 --out big.csv [--error-rate 0.01] [--seed 7] [--crlf] [--bom]
 *
 * Rows carry the kinds of content that break naive splitters: quoted commas,
 * doubled quotes and quoted line breaks. With --error-rate, that share of
 * records gets one injected error (bad email, impossible date, empty required
 * value or an extra field); their line numbers are written to <out>.errors.json.
 */
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { once } from "node:events";
import { parseArgs } from "node:util";

export interface GenerateOptions {
  records: number;
  errorRate?: number;
  seed?: number;
  crlf?: boolean;
  bom?: boolean;
}

export type InjectedError = "email" | "date" | "empty" | "field-count";
export interface InjectedErrorAt {
  line: number;
  kind: InjectedError;
}

const FIRST = ["alex", "sam", "kim", "lee", "pat", "jordan", "casey", "morgan", "taylor", "riley", "drew", "jamie"];
const LAST = ["doe", "lee", "roe", "poe", "kay", "smith", "garcia", "nguyen", "patel", "okafor", "muller", "rossi"];
const DEPARTMENTS = ["Finance", '"Legal, Contracts"', "Engineering", "Operations", '"Research & Development"', "Radiology"];
const NOTES = ["", "", "", '"Gave notice ""early"""', '"Exit interview:\nremote, declined"', "Contractor"];
const ERROR_KINDS: InjectedError[] = ["email", "date", "empty", "field-count"];

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

/** Yields the file in pieces of many rows; `errors` receives what was injected where. */
export function* generateCsv(options: GenerateOptions, errors: InjectedErrorAt[] = []): Generator<string> {
  const next = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const eol = options.crlf ? "\r\n" : "\n";
  const dateTime = (dayOffset: number) => {
    const when = new Date(Date.UTC(2026, 0, 1) + dayOffset * 86_400_000 + Math.floor(next() * 86_400) * 1000);
    const fraction = next() < 0.3 ? `.${pad(Math.floor(next() * 10_000_000), 7)}` : "";
    const zone = pick(["Z", "-05:00", "+05:30", ""]);
    return `${when.getUTCFullYear()}-${pad(when.getUTCMonth() + 1)}-${pad(when.getUTCDate())}T${pad(when.getUTCHours())}:${pad(when.getUTCMinutes())}:${pad(when.getUTCSeconds())}${fraction}${zone}`;
  };

  let text = `${options.bom ? "\uFEFF" : ""}EmailAddress,TerminationDate,LastWorkingDate,Department,Notes${eol}`;
  let line = 2;
  for (let i = 0; i < options.records; i++) {
    const day = Math.floor(next() * 300);
    let fields = [`${pick(FIRST)}.${pick(LAST)}${i}@agency.gov`, dateTime(day), dateTime(day + 14), pick(DEPARTMENTS), pick(NOTES).replace(/\n/g, eol)];
    if (options.errorRate && next() < options.errorRate) {
      const kind = pick(ERROR_KINDS);
      errors.push({ line, kind });
      if (kind === "email") fields[0] = fields[0]!.replace("@", " at ");
      if (kind === "date") fields[1] = "2026-02-30T09:00:00Z";
      if (kind === "empty") fields[2] = "";
      // Longer than the header: a short record missing only optional fields is valid.
      if (kind === "field-count") fields = [...fields, "unexpected"];
    }
    const row = fields.join(",");
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
      "error-rate": { type: "string", default: "0" },
      seed: { type: "string", default: "1" },
      crlf: { type: "boolean", default: false },
      bom: { type: "boolean", default: false },
    },
  });
  if (!values.out) throw new Error("--out FILE is required");
  const errors = await writeCsv(values.out, {
    records: Number(values.records),
    errorRate: Number(values["error-rate"]),
    seed: Number(values.seed),
    crlf: values.crlf,
    bom: values.bom,
  });
  if (errors.length > 0) await writeFile(`${values.out}.errors.json`, JSON.stringify(errors));
  console.log(`wrote ${values.records} records to ${values.out}${errors.length > 0 ? ` (${errors.length} with injected errors)` : ""}`);
}

if (require.main === module) {
  cli().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  });
}
