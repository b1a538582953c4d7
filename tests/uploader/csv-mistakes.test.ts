import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixture, jsonLines, runCli } from "../support/cli";
import { tempDir } from "../support/standin";

const HEADER = "EmailAddress,TerminationDate,LastWorkingDate";

let dir: string;
beforeAll(() => {
  dir = tempDir("hr-mistakes-");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function written(name: string, bytes: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/**
 * Every cell value in a file (PII) that a message must never show: each
 * field of every line after `headerLines`, and each email's local part.
 */
function cellsOf(file: string, headerLines: number): string[] {
  const lines = readFileSync(file, "latin1").split(/\r\n|\n|\r/).slice(headerLines);
  const cells = lines.flatMap((line) => line.split(/[,;\t]/)).filter((cell) => cell.trim().length >= 4);
  return [...cells, ...cells.filter((cell) => cell.includes("@")).map((cell) => cell.slice(0, cell.indexOf("@")))];
}

async function expectNoCellValues(file: string, headerLines: number, args: string[] = []): Promise<void> {
  for (const format of ["text", "json"]) {
    const result = await runCli(["validate", "--csv", file, "--log-format", format, ...args]);
    const output = Buffer.from(result.stdout + result.stderr, "utf8").toString("latin1");
    for (const cell of cellsOf(file, headerLines)) expect(output).not.toContain(cell);
  }
}

describe("CSV mistakes: each is one line naming the real cause, exit 3, no cell value", () => {
  it.each([
    [
      "Excel's sep= first line",
      fixture("mistakes/excel-sep-hint.csv"),
      2,
      /^error: line 1: this is Excel's delimiter hint \("sep=,"\), not a header line; delete the line, or export it again with Excel's "Save As > CSV UTF-8 \(Comma delimited\)", which does not write it$/,
    ],
    [
      "a semicolon-delimited export",
      fixture("mistakes/semicolon-delimited.csv"),
      1,
      /^error: line 1: the header line is a single column holding semicolons: the file is semicolon-delimited, and the connector reads comma-delimited CSV; export it again with Excel's "Save As > CSV UTF-8 \(Comma delimited\)"$/,
    ],
    ["a tab-delimited export", fixture("mistakes/tab-delimited.csv"), 1, /^error: line 1: the header line is a single column holding tabs: the file is tab-delimited/],
    [
      "header names with leading or trailing spaces",
      fixture("mistakes/padded-header-names.csv"),
      1,
      /^error: line 1: header names "EmailAddress ", " LastWorkingDate" have leading or trailing spaces; the connector matches names exactly, spaces included: remove them from the header line$/,
    ],
    ["an empty header name", fixture("mistakes/empty-header-name.csv"), 1, /^error: line 1: column 4 has no name in the header line; name it, or delete the empty column/],
    [
      "a record where the header should be (an email address)",
      fixture("mistakes/no-header-line.csv"),
      0,
      /^error: line 1: the header line is missing: the first line holds an email address, so it is a record; add a header line above it, such as EmailAddress,TerminationDate,LastWorkingDate$/,
    ],
    ["a record where the header should be (a date-time)", fixture("mistakes/no-header-line-dates.csv"), 0, /^error: line 1: the header line is missing: the first line holds a date, so it is a record/],
  ])("%s", async (_case, file, headerLines, message) => {
    const result = await runCli(["validate", "--csv", file]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
    await expectNoCellValues(file, headerLines);
  });

  it("names Excel's hint for another delimiter too, and says the file uses it", async () => {
    const file = written("sep-semicolon.csv", `sep=;\nEmailAddress;TerminationDate;LastWorkingDate\nsofia.sep@agency.gov;2026-03-02T09:00:00Z;2026-03-20T17:00:00Z\n`);
    const result = await runCli(["validate", "--csv", file]);
    expect(result.stderr.trimEnd()).toMatch(/^error: line 1: this is Excel's delimiter hint \("sep=;"\), not a header line; it also says the file is semicolon-delimited, which the connector cannot read; delete the line, or export/);
  });

  it.each([
    ["a CRLF header followed by LF records (records would merge)", `${HEADER}\r\nmia.mixed@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\nmax.mixed@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\n`, /^error: line 2: the file mixes line endings: the header line ends with CRLF \(Windows\) but this record with LF \(Unix\)/],
    ["an LF header followed by CRLF records", `${HEADER}\nmia.mixed@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\r\n`, /^error: line 2: the file mixes line endings: the header line ends with LF \(Unix\) but this record with CRLF \(Windows\)/],
    ["CRLF records with one LF record appended", `${HEADER}\r\nmia.mixed@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\r\nmax.appended@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\n`, /^error: line 3: the file mixes line endings/],
  ])("%s", async (_case, text, message) => {
    const file = written("mixed.csv", text);
    const result = await runCli(["validate", "--csv", file]);
    expect(result.code).toBe(3);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
    await expectNoCellValues(file, 1);
  });

  it.each([
    ["with its byte-order mark", Buffer.from([0xff, 0xfe]), "the file is UTF-16"],
    ["without one (NUL bytes in the header line)", Buffer.alloc(0), "the header line holds NUL bytes: the file is probably UTF-16"],
  ])("recognises a UTF-16 export %s", async (_case, bom, cause) => {
    const text = Buffer.from(`${HEADER}\r\numa.sixteen@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\r\n`, "utf16le");
    const file = written("utf16.csv", Buffer.concat([bom, text]));
    const result = await runCli(["validate", "--csv", file]);
    expect(result.code).toBe(3);
    expect(result.stderr.trimEnd()).toBe(`error: line 1: ${cause} (Excel's "Unicode Text"), not UTF-8; export it again with Excel's "Save As > CSV UTF-8 (Comma delimited)"`);
  });
});

describe("invalid cells: NUL anywhere, and emails with hidden characters or misplaced dots", () => {
  const records = [
    "nadia.nul@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,left\u0000early",
    "zero\u200bwidth@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,ok",
    "bidi\u202emark@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,ok",
    "control\u0001char@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,ok",
    "double..dot@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,ok",
    ".leading.dot@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,ok",
    "trailing.dot.@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,ok",
    "nul\u0000inside@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,ok",
    "valid.person@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,fine",
  ];
  const text = `${HEADER},Remarks\n${records.join("\n")}\n`;

  it("reports each record with its line, column and rule, and no value", async () => {
    const file = written("cells.csv", text);
    const result = await runCli(["validate", "--csv", file]);
    expect(result.code).toBe(3);
    expect(result.stdout.trimEnd().split("\n")).toEqual([
      "line 2: column Remarks: contains a NUL character (a binary or UTF-16 file?)",
      "line 3: column EmailAddress: contains an invisible character (such as a zero-width space or a text-direction mark)",
      "line 4: column EmailAddress: contains an invisible character (such as a zero-width space or a text-direction mark)",
      "line 5: column EmailAddress: contains a control character (such as NUL, a tab or a line break)",
      "line 6: column EmailAddress: has a dot at the start or end of the part before @, or two dots in a row",
      "line 7: column EmailAddress: has a dot at the start or end of the part before @, or two dots in a row",
      "line 8: column EmailAddress: has a dot at the start or end of the part before @, or two dots in a row",
      "line 9: column EmailAddress: contains a NUL character (a binary or UTF-16 file?)",
      expect.stringMatching(/cells\.csv: 9 records read, 1 valid, 8 invalid/),
    ]);
    await expectNoCellValues(file, 1);
  });

  it("with --show-values, spells out the hidden characters so they can be found", async () => {
    const file = written("cells.csv", text);
    const result = await runCli(["validate", "--csv", file, "--show-values"]);
    expect(result.stdout).toContain('[value: "left\\u0000early"]');
    expect(result.stdout).toContain('[value: "zero\\u200bwidth@agency.gov"]');
    expect(result.stdout).toContain('[value: "bidi\\u202emark@agency.gov"]');
    for (const hidden of ["\u0000", "\u0001", "\u200b", "\u202e"]) expect(result.stdout).not.toContain(hidden);
  });

  it("does not send or count as valid a record with a NUL in a column no scenario checks", async () => {
    const file = written("nul-extra.csv", `${HEADER},Notes\nok.person@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,a\u0000b\n`);
    const events = jsonLines((await runCli(["validate", "--csv", file, "--log-format", "json"])).stdout);
    expect(events[0]).toMatchObject({ event: "invalid-record", line: 2, problems: [{ column: "Notes", reason: expect.stringMatching(/NUL/) }] });
    expect(events.at(-1)).toMatchObject({ event: "summary", valid: 0, invalid: 1 });
  });
});
