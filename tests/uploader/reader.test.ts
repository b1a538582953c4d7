import { readFileSync } from "node:fs";
import { readCsvRecords, type CsvReadOptions, type CsvRecord } from "../../uploader/src/csv/reader";
import { InvalidCsvError } from "../../uploader/src/core/errors";
import { fixture } from "../support/cli";

/** Feeds the bytes in small pieces so records and line breaks straddle chunk boundaries. */
async function readAll(bytes: Buffer, pieceSize = 7, options: CsvReadOptions = {}): Promise<CsvRecord[]> {
  async function* pieces() {
    for (let i = 0; i < bytes.length; i += pieceSize) yield bytes.subarray(i, i + pieceSize);
  }
  const records: CsvRecord[] = [];
  for await (const batch of readCsvRecords(pieces(), options)) for (const record of batch) records.push({ ...record, raw: Buffer.from(record.raw) });
  return records;
}

async function readError(bytes: Buffer): Promise<InvalidCsvError> {
  return readErrorIn(bytes, 7);
}

async function readErrorIn(bytes: Buffer, pieceSize: number, options: CsvReadOptions = {}): Promise<InvalidCsvError> {
  try {
    await readAll(bytes, pieceSize, options);
  } catch (error) {
    if (error instanceof InvalidCsvError) return error;
    throw error;
  }
  throw new Error("expected the read to fail");
}

describe("CSV reader", () => {
  it("strips a BOM, handles CRLF and keeps each record's exact bytes", async () => {
    const bytes = readFileSync(fixture("bom-crlf.csv"));
    const records = await readAll(bytes);
    expect(records.map((r) => r.fields[0])).toEqual(["emailaddress", "sarad@contoso.com", "pilarp@contoso.com"]);
    expect(records[0]!.start).toBe(3);
    // Header + records re-emitted byte for byte are the file without its BOM.
    expect(Buffer.concat(records.map((r) => r.raw)).equals(bytes.subarray(3))).toBe(true);
    for (const record of records) expect(bytes.subarray(record.start, record.end).equals(record.raw)).toBe(true);
  });

  it("keeps quoted commas, doubled quotes and quoted newlines inside one record, with the line it starts on", async () => {
    const records = await readAll(readFileSync(fixture("quoted-newlines.csv")));
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 5, 8]);
    expect(records[1]!.fields[3]).toBe("Left on good terms,\nrehire eligible");
    expect(records[2]!.fields[3]).toBe('Said "goodbye"');
    expect(records[3]!.fields[3]).toBe("multi\nline\nnote");
    expect(records[3]!.raw.toString()).toBe('bad-email,2026-03-05T09:00:00Z,2026-03-27T17:00:00Z,"multi\nline\nnote"\n');
  });

  it("counts blank lines in line numbers but leaves them out of records", async () => {
    const records = await readAll(Buffer.from("a,b\r\n\r\n\r\n1,2\r\n\r\n3,4"));
    expect(records.map((r) => [r.line, r.raw.toString()])).toEqual([
      [1, "a,b\r\n"],
      [4, "1,2\r\n"],
      [6, "3,4"],
    ]);
  });

  it("refuses a blank LF line among CRLF records, which would otherwise stick to the next record's first field", async () => {
    const error = await readError(Buffer.from("a,b\r\n\n1,2\r\n"));
    expect(error.message).toMatch(/^line 3: the file mixes line endings/);
  });

  it("refuses a file with old Mac line endings (CR alone) at its header line, whatever the pieces", async () => {
    for (const pieceSize of [1, 2, 7, 4096]) {
      const error = await readErrorIn(Buffer.from("a,b\r1,2\r3,4"), pieceSize);
      expect([error.line, error.message]).toEqual([1, "line 1: the lines end with CR alone (old Mac line endings), which the connector does not read; save it again with CRLF (Windows) or LF (Unix) line endings"]);
    }
  });

  it.each([
    ["all NUL bytes, shorter than a record's limit", Buffer.alloc(300)],
    ["all NUL bytes, longer than a record's limit (a runaway record)", Buffer.alloc(5000)],
    ["NUL bytes and text with a line break", Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(40), Buffer.from("\n1,2\n")])],
  ])("names a binary file (%s) as binary, not UTF-16 nor a quote left open", async (_case, bytes) => {
    const error = await readErrorIn(bytes, 4096, { maxRecordBytes: 1024 });
    expect([error.line, error.message]).toEqual([1, expect.stringMatching(/^line 1: the file is binary \(NUL bytes where the header line should be\), not CSV text: check that --csv names the HR export/)]);
  });

  it.each([
    ["a CRLF header, then LF records", "a,b\r\n1,2\r\n3,4\n5,6\n", 3, /ends with CRLF \(Windows\) but this record with LF \(Unix\)/],
    ["an LF header, then CRLF records", "a,b\n1,2\r\n3,4\r\n", 2, /ends with LF \(Unix\) but this record with CRLF \(Windows\)/],
    ["an LF header, then a record broken by CR alone", "a,b\n1,2\r3,4\n", 2, /ends with LF \(Unix\) but this record with CR \(old Mac\)/],
    ["a CRLF header, then a quoted field ending an LF record", 'a,b\r\n1,"x"\n2,"y"\r\n', 2, /ends with CRLF \(Windows\) but this record with LF \(Unix\)/],
    ["an LF header, then a quoted field ending a CRLF record", 'a,b\n1,"x"\r\n', 2, /ends with LF \(Unix\) but this record with CRLF \(Windows\)/],
  ])("refuses a file that mixes line endings (%s), naming the first record that differs", async (_case, text, line, message) => {
    for (const pieceSize of [1, 2, 7, 4096]) {
      const error = await readErrorIn(Buffer.from(text), pieceSize);
      expect(error.line).toBe(line);
      expect(error.message).toMatch(/the file mixes line endings/);
      expect(error.message).toMatch(message);
    }
  });

  it("accepts a quoted line break of another kind inside a record (Excel's in-cell LF), and a last record without a line ending", async () => {
    const records = await readAll(Buffer.from('a,b\r\n1,"two\nlines"\r\n3,"x\r\ny"\r\n5,6'));
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "two\nlines"]],
      [4, ["3", "x\r\ny"]],
      [6, ["5", "6"]],
    ]);
    const lf = await readAll(Buffer.from('a,b\n1,"two\r\nlines"\n3,4\n'));
    expect(lf.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "two\r\nlines"]],
      [4, ["3", "4"]],
    ]);
  });

  it("names mixed line endings even when the merged records run past the record size limit", async () => {
    const records = Array.from({ length: 200 }, (_, i) => `user${i}@agency.gov,2026-03-02T09:00:00Z`).join("\n");
    async function* once() {
      yield Buffer.from(`a,b\r\n${records}\n`);
    }
    await expect(async () => {
      for await (const batch of readCsvRecords(once(), { maxRecordBytes: 1024 })) void batch;
    }).rejects.toThrow(/^line 2: the file mixes line endings: the header line ends with CRLF \(Windows\) but this record with LF \(Unix\)/);
  });

  it("marks the records whose bytes hold a NUL, and only those", async () => {
    const records = await readAll(Buffer.from("a,b\n1,2\n3,x\u0000y\n5,6\n"));
    expect(records.map((r) => r.hasNul)).toEqual([false, false, true, false]);
  });

  it("reports an unterminated quote at the line its record starts", async () => {
    const error = await readError(readFileSync(fixture("unterminated-quote.csv")));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^line 3: unterminated quoted field/);
  });

  it("reports a stray quote without echoing the cell", async () => {
    const error = await readError(Buffer.from('a,b\n1,2\n3,"se"cret\n'));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/stray quote/);
    expect(error.message).not.toMatch(/secret|se"/);
  });

  it("reads multi-byte characters split across chunks at every offset as the text they are", async () => {
    const text = "EmailAddress,Notes\nrené.müller@agency.gov,Zoë 👩‍💼 naïve\nсаша@agency.gov,\"日本, 語\"\n";
    for (let pieceSize = 1; pieceSize <= 9; pieceSize++) {
      const records = await readAll(Buffer.from(text), pieceSize);
      expect(records.map((record) => record.fields)).toEqual([["EmailAddress", "Notes"], ["rené.müller@agency.gov", "Zoë 👩‍💼 naïve"], ["саша@agency.gov", "日本, 語"]]);
    }
  });

  it("rejects invalid UTF-8 at the record's line", async () => {
    const error = await readError(readFileSync(fixture("invalid-utf8.csv")));
    expect(error.message).toMatch(/^line 3: the file is not valid UTF-8/);
  });

  it("bounds memory on a runaway record", async () => {
    const runaway = Buffer.from(`a,b\n1,"${"x".repeat(4096)}`);
    async function* once() {
      yield runaway;
    }
    await expect(async () => {
      for await (const batch of readCsvRecords(once(), { maxRecordBytes: 1024 })) void batch;
    }).rejects.toThrow(/longer than 1024 bytes/);
  });
});
