import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { fixture, jsonLines, runCli } from "../support/cli";

const validate = (file: string, ...extra: string[]) => runCli(["validate", "--csv", fixture(file), ...extra]);

describe("hr-upload validate: accepted files", () => {
  it("accepts the seed's own example rows", async () => {
    const result = await validate("seed-example.csv");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/2 records read, 2 valid, 0 invalid/);
  });

  it("accepts a BOM, CRLF line endings and header names in any case", async () => {
    const result = await validate("bom-crlf.csv");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/2 records read, 2 valid/);
  });

  it("accepts the commercial page's ResignationDate for the termination date", async () => {
    expect((await validate("commercial-resignation-date.csv")).code).toBe(0);
  });

  it("maps the user's own header names with --columns or HR_COLUMNS", async () => {
    const mapping = "email=Mail,terminationDate=TermDate,lastWorkingDate=LastDay";
    expect((await validate("remapped.csv")).code).toBe(3);
    expect((await validate("remapped.csv", "--columns", mapping)).code).toBe(0);
    expect((await runCli(["validate"], { HR_CSV: fixture("remapped.csv"), HR_COLUMNS: mapping.toUpperCase() })).code).toBe(0);
  });

  it("keeps a quoted newline inside its record and counts lines physically", async () => {
    const result = await validate("quoted-newlines.csv");
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^line 5: column EmailAddress: not an email address/m);
    expect(result.stdout).toMatch(/4 records read, 3 valid, 1 invalid/);
  });

  it("treats a header-only file as valid with 0 records (no leavers today)", async () => {
    const result = await validate("header-only.csv");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/0 records read, 0 valid, 0 invalid/);
  });
});

describe("hr-upload validate: invalid records", () => {
  it("reports every record-level error kind with its line and column, and exits 3", async () => {
    const result = await validate("every-error.csv");
    expect(result.code).toBe(3);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toEqual([
      "line 2: column TerminationDate: not a calendar date; column LastWorkingDate: not a calendar date",
      "line 3: column EmailAddress: not an email address or UPN (user@domain)",
      "line 4: column EmailAddress: required value is empty",
      "line 5: column TerminationDate: not an ISO 8601 date-time (yyyy-mm-ddThh:mm:ss[.fffffff][Z|±hh:mm])",
      "line 6: has 4 fields, the header has 3",
      "line 7: has 2 fields, the header has 3",
      "line 8: column TerminationDate: not a valid time of day; column LastWorkingDate: not a valid UTC offset",
      expect.stringMatching(/every-error\.csv: 7 records read, 0 valid, 7 invalid/),
    ]);
  });

  it("never prints a cell value unless --show-values", async () => {
    const cells = (parse(readFileSync(fixture("every-error.csv")), { relax_column_count: true, from_line: 2 }) as string[][])
      .flat()
      .filter((cell) => cell !== "");
    for (const format of ["text", "json"]) {
      const result = await validate("every-error.csv", "--log-format", format);
      for (const cell of cells) expect(result.stdout + result.stderr).not.toContain(cell);
    }
    const shown = await validate("every-error.csv", "--show-values");
    expect(shown.stdout).toContain("no-at-sign.example.gov");
  });

  it("lists the first 100 invalid records and counts the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hr-validate-"));
    const file = join(dir, "many-bad.csv");
    const rows = Array.from({ length: 130 }, (_, i) => `user${i}@agency.gov,not-a-date,2026-03-20T17:00:00Z`);
    writeFileSync(file, `EmailAddress,TerminationDate,LastWorkingDate\n${rows.join("\n")}\n`);
    const result = await runCli(["validate", "--csv", file, "--log-format", "json"]);
    const events = jsonLines(result.stdout);
    const listed = events.filter((event) => event.event === "invalid-record" && "line" in event);
    expect(listed).toHaveLength(100);
    expect(listed[99]).toMatchObject({ line: 101 });
    expect(events).toContainEqual(expect.objectContaining({ event: "invalid-record", unreported: 30 }));
    expect(events.at(-1)).toMatchObject({ event: "summary", recordsRead: 130, valid: 0, invalid: 130, outcome: "invalid", exitCode: 3 });
  });

  it("writes json as one object per line, the summary last", async () => {
    const result = await validate("quoted-newlines.csv", "--log-format", "json");
    const events = jsonLines(result.stdout);
    expect(events[0]).toMatchObject({ level: "info", event: "invalid-record", line: 5, problems: [{ column: "EmailAddress" }] });
    expect(events.at(-1)).toMatchObject({ event: "summary", recordsRead: 4, valid: 3, invalid: 1, scenario: "resignation" });
    expect(events.at(-1)!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("hr-upload validate: file-level errors exit 3 with one line", () => {
  it.each([
    ["empty.csv", /^error: the file is empty; it needs at least a header line such as EmailAddress,TerminationDate,LastWorkingDate$/],
    ["duplicate-header.csv", /^error: line 1: duplicate column name "emailaddress"/],
    ["missing-column.csv", /^error: line 1: missing required column "TerminationDate" \(or "ResignationDate"\).*--columns terminationDate=/],
    ["unterminated-quote.csv", /^error: line 3: unterminated quoted field/],
    ["invalid-utf8.csv", /^error: line 3: the file is not valid UTF-8/],
  ])("%s", async (file, message) => {
    const result = await validate(file);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
  });

  it("ends json output with a failed summary", async () => {
    const events = jsonLines((await validate("empty.csv", "--log-format", "json")).stdout);
    expect(events.map((event) => event.event)).toEqual(["failed", "summary"]);
    expect(events[1]).toMatchObject({ outcome: "failed", errorClass: "invalid-csv", exitCode: 3 });
  });
});

/** How many of this process's file descriptors are open on `path` (Linux's /proc, which names each by its real path). */
const descriptorsOn = (path: string) =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === realpathSync(path);
    } catch {
      return false; // the descriptor readdir itself used, closed since
    }
  }).length;

describe("hr-upload validate: usage", () => {
  it.each([
    [["validate", "--bogus"], /^error: unknown option --bogus; see hr-upload validate --help$/],
    [["validate"], /^error: --csv is required \(or set HR_CSV\)/],
    [["validate", "--csv"], /^error: option --csv needs a value/],
    [["validate", "--csv", "/nonexistent/employees.csv"], /^error: file not found: \/nonexistent\/employees.csv$/],
    [["validate", "--csv", fixture("seed-example.csv"), "--scenario", "promotion"], /^error: unknown scenario "promotion"/],
    [["validate", "--csv", fixture("seed-example.csv"), "--columns", "mail"], /^error: --columns takes field=Header pairs/],
    [["validate", "--csv", fixture("seed-example.csv"), "--columns", "phone=Tel"], /^error: --columns: unknown field "phone"/],
    [["validate", "--csv", fixture("seed-example.csv"), "--log-format", "xml"], /^error: --log-format must be text or json$/],
    [["validate", "--csv", fixture("seed-example.csv"), "--validation-threads=-1"], /^error: --validation-threads must be a whole number from 0 to 16$/],
    [["validate", "--csv", fixture("seed-example.csv"), "stray"], /^error: unexpected argument/],
    [["frobnicate"], /^error: unknown command "frobnicate"/],
  ])("%j exits 2 with one line, leaving the file closed", async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(descriptorsOn(fixture("seed-example.csv"))).toBe(0);
  });

  it("takes every flag from its HR_ variable, the command line winning", async () => {
    const fromEnv = await runCli(["validate"], { HR_CSV: fixture("seed-example.csv"), HR_SCENARIO: "resignation", HR_LOG_FORMAT: "json" });
    expect(fromEnv.code).toBe(0);
    expect(jsonLines(fromEnv.stdout).at(-1)).toMatchObject({ event: "summary", recordsRead: 2 });
    const overridden = await runCli(["validate", "--csv", fixture("empty.csv")], { HR_CSV: fixture("seed-example.csv") });
    expect(overridden.code).toBe(3);
    expect((await runCli(["validate", "--csv", fixture("every-error.csv")], { HR_SHOW_VALUES: "yes" })).stdout).toContain("2019-02-30T09:00:00Z");
    expect((await runCli(["validate", "--csv", fixture("seed-example.csv")], { HR_SHOW_VALUES: "maybe" })).code).toBe(2);
  });

  it("--help teaches the flags, their variables, the scenario fields and the exit codes", async () => {
    const result = await runCli(["validate", "--help"]);
    expect(result.code).toBe(0);
    for (const text of ["--csv FILE", "[HR_CSV]", "[HR_COLUMNS]", "--show-values", "terminationDate=TerminationDate|ResignationDate", "3  the CSV is invalid"]) {
      expect(result.stdout).toContain(text);
    }
    expect((await runCli(["--help"])).stdout).toMatch(/Commands:\n\s+validate/);
    expect((await runCli([])).code).toBe(2);
  });
});
