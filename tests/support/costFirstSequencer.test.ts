/** The order of test files where Jest has no timings (tests/support/costFirstSequencer.cjs), on files made here. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type TestSequencer from "@jest/test-sequencer";

type Test = Parameters<TestSequencer["sort"]>[0][number];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const CostFirstSequencer = require("./costFirstSequencer.cjs") as new (options: object) => { sort(tests: Test[]): Test[] };

let folder: string;
beforeAll(() => (folder = mkdtempSync(join(tmpdir(), "hr-sequencer-"))));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A test file of `bytes` bytes whose header says `header`, as Jest hands it to a sequencer (with Jest's cache off). */
function testFile(name: string, bytes: number, header = ""): Test {
  const path = join(folder, name);
  writeFileSync(path, `/** ${header} */\n`.padEnd(bytes, " "));
  return { path, context: { config: { cache: false }, hasteFS: { getSize: () => bytes } } } as unknown as Test;
}

const namesOf = (tests: Test[]) => tests.map((test) => test.path.slice(folder.length + 1));

it("starts the files that say they are long first, longest first, then the rest by size", () => {
  const tests = [
    testFile("small.test.ts", 100),
    testFile("waits.test.ts", 200, "@expected-seconds 40: a lease"),
    testFile("big.test.ts", 5000),
    testFile("loads.test.ts", 300, "@expected-seconds 60"),
  ];
  expect(namesOf(new CostFirstSequencer({}).sort(tests))).toEqual(["loads.test.ts", "waits.test.ts", "big.test.ts", "small.test.ts"]);
});

it("keeps Jest's own order once it has timings of an earlier run", () => {
  const sequencer = new CostFirstSequencer({}) as unknown as { sort(tests: Test[]): Test[]; time(test: Test): number | undefined };
  // By size alone the short one would come before the long one.
  const tests = [testFile("hinted.test.ts", 100, "@expected-seconds 60"), testFile("timed-long.test.ts", 100), testFile("timed-short.test.ts", 5000)];
  const timings = new Map([[tests[1]?.path, 30], [tests[2]?.path, 1]]);
  sequencer.time = (test) => timings.get(test.path);
  // Jest's order: the file it has no timing of first, then the timed ones, longest first.
  expect(namesOf(sequencer.sort(tests))).toEqual(["hinted.test.ts", "timed-long.test.ts", "timed-short.test.ts"]);
});
