/**
 * What validation reports on files with every kind of error, as a comparable
 * summary: the report (first invalid records with their problems, counts by
 * scenario), the hash, and a digest of the record index; or the file-level
 * error. tests/fixtures/inspection-reports.json holds these summaries as the
 * sequential reader reported them before issue 22 (commit 6fdb8b4); the
 * validation tests compare every later version against them. Recorded on
 * 2026-12-07 with this file's cases run on that commit's code: in a temporary
 * worktree of 6fdb8b4, this file copied to tests/support/ with its imports of
 * errors and inspect pointed at that layout (uploader/src/errors.ts,
 * uploader/src/inspect.ts), then
 *   npx tsx tests/support/inspectionReports.ts > tests/fixtures/inspection-reports.json
 * Record them so again whenever a case changes; run in this tree instead, it
 * would record the current code, which the tests would then compare with itself.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileRulesFor, type FileRulesOptions } from "../../uploader/src/csv/fileRules";
import { HrError } from "../../uploader/src/core/errors";
import { inspectCsv, type InspectOptions, type Inspection } from "../../uploader/src/validation/inspect";
import { openLocalFile } from "../../uploader/src/source/localFile";
import { writeCsv, type GenerateOptions } from "../../scripts/generate-csv";
import { fixture } from "./cli";

export interface InspectionCase {
  readonly name: string;
  /** A fixture file, or a file the generator writes, with `insert` (latin1, so any bytes) before the first record past `at` of its bytes. */
  readonly file: { readonly fixture: string } | { readonly generate: GenerateOptions; readonly insert?: { readonly at: number; readonly text: string } };
  readonly rules: FileRulesOptions;
  readonly showValues: boolean;
}

const resignation: FileRulesOptions = {};
const ROW = "2026-03-02T09:00:00Z,2026-03-20T17:00:00Z";
/** A resignation file of 2,000 records (about 200 KB) with a record that makes the file unreadable, half-way: past the first 64 KiB read. */
const brokenHalfWay = (name: string, text: string, crlf = false): InspectionCase => ({
  name: `resignation, half-way: ${name}${crlf ? ", CRLF" : ""}`,
  file: { generate: { records: 2_000, seed: 5, errorRate: 0.01, crlf }, insert: { at: 0.5, text } },
  rules: resignation,
  showValues: false,
});
const anyScenario: FileRulesOptions = { scenarioColumn: "HRScenario" };

export const INSPECTION_CASES: readonly InspectionCase[] = [
  { name: "every-error.csv", file: { fixture: "every-error.csv" }, rules: resignation, showValues: false },
  { name: "every-error.csv, values shown", file: { fixture: "every-error.csv" }, rules: resignation, showValues: true },
  { name: "quoted-newlines.csv", file: { fixture: "quoted-newlines.csv" }, rules: resignation, showValues: false },
  { name: "bom-crlf.csv", file: { fixture: "bom-crlf.csv" }, rules: resignation, showValues: false },
  { name: "mixed-one-bad-per-scenario.csv", file: { fixture: "scenarios/mixed-one-bad-per-scenario.csv" }, rules: anyScenario, showValues: true },
  { name: "unterminated-quote.csv", file: { fixture: "unterminated-quote.csv" }, rules: resignation, showValues: false },
  { name: "invalid-utf8.csv", file: { fixture: "invalid-utf8.csv" }, rules: resignation, showValues: false },
  { name: "resignation, --error-rate 0.05, 3000 records", file: { generate: { records: 3_000, errorRate: 0.05, seed: 1 } }, rules: resignation, showValues: true },
  { name: "resignation, --error-rate 0.3, CRLF, BOM", file: { generate: { records: 1_500, errorRate: 0.3, seed: 2, crlf: true, bom: true } }, rules: resignation, showValues: false },
  ...(["job-level-change", "performance-review", "performance-improvement-plan", "employee-profile"] as const).map((scenario, seed) => ({
    name: `${scenario}, --error-rate 0.2`,
    file: { generate: { records: 1_500, scenario, errorRate: 0.2, seed: 10 + seed } },
    rules: { scenarios: scenario },
    showValues: true,
  })),
  { name: "mixed, --error-rate 0.2", file: { generate: { records: 2_000, scenario: "mixed", errorRate: 0.2, seed: 3 } }, rules: anyScenario, showValues: true },
  { name: "mixed, --error-rate 0.05, CRLF", file: { generate: { records: 3_000, scenario: "mixed", errorRate: 0.05, seed: 4, crlf: true } }, rules: anyScenario, showValues: false },
  brokenHalfWay("a quote never closed", `alex.doe@agency.gov,"${ROW}\n`),
  brokenHalfWay("a quote inside an unquoted value", `alex"doe@agency.gov,${ROW}\n`),
  brokenHalfWay("a stray quote inside a quoted value", `"alex"doe@agency.gov",${ROW}\n`),
  brokenHalfWay("bytes that are not UTF-8", `alex.doe@agency.gov,${ROW},\xff\xfe\n`),
  brokenHalfWay("a NUL in a cell", `alex.doe@agency.gov,${ROW},a\u0000b\n`),
  brokenHalfWay("a CRLF line in an LF file", `alex.doe@agency.gov,${ROW}\r\n`),
  brokenHalfWay("an LF line in a CRLF file", `alex.doe@agency.gov,${ROW}\n`, true),
  brokenHalfWay("a record longer than 1 MiB", `alex.doe@agency.gov,${ROW},"${"x".repeat(1_100_000)}"\n`),
  {
    name: "mixed, half-way: a record of a scenario whose columns the header lacks",
    file: { generate: { records: 2_000, scenario: "mixed", seed: 6 }, insert: { at: 0.5, text: `Employee profile,alex.doe@agency.gov,,,,,,,,\n` } },
    rules: anyScenario,
    showValues: false,
  },
];

/** Where a record starts in a generated file: a line that opens with a scenario value or an email (continuation lines of quoted values do not). */
const RECORD_START = /\n(?=(?:Resignation|Job level change|Performance review|Performance improvement plan),|[a-z]+\.[a-z]+\d+@agency\.gov,)/g;

export type InspectionReport =
  | { readonly error: { readonly name: string; readonly message: string } }
  | (Pick<Inspection, "recordsRead" | "valid" | "invalid" | "reported" | "unreported" | "byScenario" | "sha256" | "bytes"> & {
      readonly header: string;
      /** SHA-256 over every indexed record's start, end, line and validity. */
      readonly index: string;
    });

/** The path of a case's file, generated into `dir` when it is not a fixture. */
export async function caseFile(testCase: InspectionCase, dir: string): Promise<string> {
  if ("fixture" in testCase.file) return fixture(testCase.file.fixture);
  const path = join(dir, `${testCase.name.replace(/[^a-z0-9]+/gi, "-")}.csv`);
  await writeCsv(path, testCase.file.generate);
  const { insert } = testCase.file;
  if (insert !== undefined) {
    const text = readFileSync(path, "latin1");
    RECORD_START.lastIndex = Math.floor(text.length * insert.at);
    const at = (RECORD_START.exec(text)?.index as number) + 1;
    writeFileSync(path, Buffer.from(text.slice(0, at) + insert.text + text.slice(at), "latin1"));
  }
  return path;
}

/** Inspects a case's file with `extra` options (how the inspection runs), and summarises what it reports. */
export async function inspectionReport(testCase: InspectionCase, path: string, extra: Partial<InspectOptions> = {}): Promise<InspectionReport> {
  const source = await openLocalFile(path);
  try {
    const inspection = await inspectCsv(source, { rules: fileRulesFor(testCase.rules), columns: new Map(), showValues: testCase.showValues, index: true, ...extra });
    const { recordsRead, valid, invalid, reported, unreported, byScenario, sha256, bytes, index } = inspection;
    const digest = createHash("sha256");
    for (let record = 0; record < (index?.count ?? 0); record++) {
      digest.update(`${index?.start(record)},${index?.end(record)},${index?.line(record)},${index?.isValid(record)}\n`);
    }
    // Through JSON, as recorded: absent fields and undefined ones compare alike.
    return JSON.parse(
      JSON.stringify({ recordsRead, valid, invalid, reported, unreported, byScenario, sha256, bytes, header: inspection.header.toString("base64"), index: digest.digest("hex") }),
    ) as InspectionReport;
  } catch (error) {
    if (!(error instanceof HrError)) throw error;
    return { error: { name: error.name, message: error.message } };
  } finally {
    await source.close();
  }
}

async function record(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hr-inspection-reports-"));
  try {
    const reports: Record<string, InspectionReport> = {};
    for (const testCase of INSPECTION_CASES) reports[testCase.name] = await inspectionReport(testCase, await caseFile(testCase, dir));
    process.stdout.write(`${JSON.stringify(reports, null, 1)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void record();
