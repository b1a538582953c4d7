import { readFileSync } from "node:fs";
import { ChunkPlanner, planDigest } from "../../uploader/src/chunkPlan";
import { readCsvRecords, type CsvRecord } from "../../uploader/src/csv/reader";
import { fixture } from "../support/cli";

async function records(bytes: Buffer): Promise<CsvRecord[]> {
  async function* once() {
    yield bytes;
  }
  const all: CsvRecord[] = [];
  for await (const batch of readCsvRecords(once())) for (const record of batch) all.push({ ...record, raw: Buffer.from(record.raw) });
  return all;
}

const rebuild = (bytes: Buffer, header: Buffer, ranges: readonly { start: number; end: number }[]) =>
  Buffer.concat([header, ...ranges.map(({ start, end }) => bytes.subarray(start, end))]).toString();

describe("chunk planner", () => {
  it("cuts at most N records per chunk on record boundaries, one contiguous range each", async () => {
    const bytes = readFileSync(fixture("quoted-newlines.csv"));
    const [header, ...rest] = await records(bytes);
    const planner = new ChunkPlanner(header!.raw, 3);
    rest.forEach((record) => planner.add(record));
    const chunks = planner.finish();
    expect(chunks.map((chunk) => [chunk.records, chunk.firstLine, chunk.ranges.length])).toEqual([
      [3, 2, 1],
      [1, 8, 1],
    ]);
    // A chunk is the header plus whole records exactly as written: the quoted newlines survive.
    expect(rebuild(bytes, header!.raw, chunks[0]!.ranges)).toBe(bytes.toString().split("kim.roe")[0]);
  });

  it("leaves skipped records out by splitting ranges", async () => {
    const bytes = Buffer.from("a,b\r\n1,1\r\n2,2\r\n3,3\r\n4,4");
    const [header, ...rest] = await records(bytes);
    const planner = new ChunkPlanner(header!.raw, 10);
    rest.filter((record) => record.fields[0] !== "2").forEach((record) => planner.add(record));
    const [chunk] = planner.finish();
    expect(chunk!.ranges).toHaveLength(2);
    expect(rebuild(bytes, header!.raw, chunk!.ranges)).toBe("a,b\r\n1,1\r\n3,3\r\n4,4");
  });

  it("gives the same plan digest only for the same records cut the same way", async () => {
    const bytes = readFileSync(fixture("seed-example.csv"));
    const [header, ...rest] = await records(bytes);
    const plan = (size: number) => {
      const planner = new ChunkPlanner(header!.raw, size);
      rest.forEach((record) => planner.add(record));
      return planDigest(header!.raw, planner.finish());
    };
    expect(plan(1)).toBe(plan(1));
    expect(plan(1)).not.toBe(plan(2));
  });
});
