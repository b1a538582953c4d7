import { readFileSync } from "node:fs";
import { planChunks, validRecords } from "../../uploader/src/csv/chunking";
import { readCsvRecords } from "../../uploader/src/csv/reader";
import { RecordIndex } from "../../uploader/src/csv/recordIndex";
import { RecordRanges } from "../../uploader/src/csv/recordRanges";
import { fixture } from "../support/cli";

/** The index a real file gives, every record valid unless `invalid` says otherwise. */
async function indexOf(bytes: Buffer, invalid: (fields: string[]) => boolean = () => false): Promise<{ header: Buffer; index: RecordIndex }> {
  async function* once() {
    yield bytes;
  }
  const index = new RecordIndex();
  let header: Buffer | undefined;
  for await (const batch of readCsvRecords(once())) {
    for (const record of batch) {
      if (header === undefined) header = Buffer.from(record.raw);
      else index.add(record.start, record.end, record.line, !invalid(record.fields));
    }
  }
  return { header: header as Buffer, index };
}

const bodyOf = (bytes: Buffer, header: Buffer, ranges: readonly { start: number; end: number }[]) =>
  Buffer.concat([header, ...ranges.map(({ start, end }) => bytes.subarray(start, end))]).toString();

describe("record ranges", () => {
  it("merges, subtracts and counts, whatever the order ranges come in", () => {
    const set = RecordRanges.of([
      [10, 12],
      [0, 3],
      [3, 5],
      [11, 15],
    ]);
    expect(set.toJSON()).toEqual([
      [0, 5],
      [10, 15],
    ]);
    expect(set.count).toBe(10);
    expect(set.union(RecordRanges.of([[5, 10]])).toJSON()).toEqual([[0, 15]]);
    expect(set.without(RecordRanges.of([[2, 11], [14, 20]])).toJSON()).toEqual([
      [0, 2],
      [11, 14],
    ]);
    expect(set.intersect(RecordRanges.of([[4, 11]])).toJSON()).toEqual([
      [4, 5],
      [10, 11],
    ]);
    expect(RecordRanges.EMPTY.isEmpty).toBe(true);
  });
});

describe("chunk planning by records", () => {
  it("cuts at most N records per chunk on record boundaries; a chunk is the header plus whole records as written", async () => {
    const bytes = readFileSync(fixture("quoted-newlines.csv"));
    const { header, index } = await indexOf(bytes);
    const chunks = planChunks(index, RecordRanges.EMPTY, 3);
    expect(chunks.map((chunk) => [chunk.recordCount, chunk.firstLine, chunk.byteRanges.length])).toEqual([
      [3, 2, 1],
      [1, 8, 1],
    ]);
    expect(bodyOf(bytes, header, chunks[0]!.byteRanges)).toBe(bytes.toString().split("kim.roe")[0]);
  });

  it("leaves invalid records out by splitting byte ranges", async () => {
    const bytes = Buffer.from("a,b\r\n1,1\r\n2,2\r\n3,3\r\n4,4");
    const { header, index } = await indexOf(bytes, (fields) => fields[0] === "2");
    const [chunk] = planChunks(index, RecordRanges.EMPTY, 10);
    expect(chunk!.byteRanges).toHaveLength(2);
    expect(chunk!.records.toJSON()).toEqual([
      [0, 1],
      [2, 4],
    ]);
    expect(bodyOf(bytes, header, chunk!.byteRanges)).toBe("a,b\r\n1,1\r\n3,3\r\n4,4");
    expect(validRecords(index).toJSON()).toEqual([
      [0, 1],
      [2, 4],
    ]);
  });

  it("resumes by records under any chunk size: what was delivered is never planned again", async () => {
    const bytes = readFileSync(fixture("seed-example.csv"));
    const { index } = await indexOf(bytes);
    const all = validRecords(index);
    for (const size of [1, 2, 3, 5]) {
      // Delivered by an earlier run with another chunk size, out of order as with --concurrency.
      const delivered = RecordRanges.of([
        [1, 2],
        [3, Math.min(5, index.count)],
      ]);
      const chunks = planChunks(index, delivered, size);
      const planned = chunks.reduce((set, chunk) => set.union(chunk.records), RecordRanges.EMPTY);
      expect(planned.intersect(delivered).isEmpty).toBe(true);
      expect(planned.union(delivered).toJSON()).toEqual(all.toJSON());
      expect(chunks.every((chunk) => chunk.recordCount <= size)).toBe(true);
    }
  });
});
