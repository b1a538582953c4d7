/** The order of test files (tests/support/costFirstSequencer.cjs), on files made here. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type TestSequencer from "@jest/test-sequencer";

type Test = Parameters<TestSequencer["sort"]>[0][number];
interface Sequencer {
  sort(tests: Test[]): Test[];
  time(test: Test): number | undefined;
  hasFailed(test: Test): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const CostFirstSequencer = require("./costFirstSequencer.cjs") as new (options: object) => Sequencer;

let folder: string;
beforeAll(() => (folder = mkdtempSync(join(tmpdir(), "hr-sequencer-"))));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A test file of `bytes` bytes that starts with the comment `header` and holds `body`, as Jest hands it to a sequencer (its cache off). */
function testFile(name: string, bytes: number, header = "", body = ""): Test {
  const path = join(folder, name);
  writeFileSync(path, `/** ${header} */\n${body}\n`.padEnd(bytes, " "));
  return { path, context: { config: { cache: false }, hasteFS: { getSize: () => bytes } } } as unknown as Test;
}

const namesOf = (tests: Test[]) => tests.map((test) => test.path.slice(folder.length + 1));

/** A sequencer that has these timings (ms) and failures of an earlier run. */
function sequencerWith(timings: ReadonlyMap<string, number> = new Map(), failed: ReadonlySet<string> = new Set()): Sequencer {
  const sequencer = new CostFirstSequencer({});
  sequencer.time = (test) => timings.get(test.path);
  sequencer.hasFailed = (test) => failed.has(test.path);
  return sequencer;
}

it("with no timings, starts the files whose leading comment says they are long, longest first, then the rest by size", () => {
  const tests = [
    testFile("small.test.ts", 100),
    testFile("waits.test.ts", 200, "@expected-seconds 40: a lease"),
    testFile("big.test.ts", 5000),
    testFile("loads.test.ts", 300, "@expected-seconds 60"),
    testFile("says-so-later.test.ts", 400, "", 'const text = "@expected-seconds 90";'),
  ];
  expect(namesOf(sequencerWith().sort(tests))).toEqual(["loads.test.ts", "waits.test.ts", "big.test.ts", "says-so-later.test.ts", "small.test.ts"]);
});

it("takes a timing of an earlier run over a hint, weighs timed and hinted files alike, and starts what failed last time first", () => {
  const tests = [
    testFile("untimed-big.test.ts", 9000),
    testFile("timed-short.test.ts", 5000),
    testFile("hinted.test.ts", 100, "@expected-seconds 20"),
    testFile("hinted-but-timed.test.ts", 100, "@expected-seconds 90"),
    testFile("timed-long.test.ts", 100),
    testFile("failed.test.ts", 100),
  ];
  const [, timedShort, , hintedButTimed, timedLong, failed] = tests.map((test) => test.path);
  const timings = new Map([
    [timedShort as string, 1_000],
    [hintedButTimed as string, 5_000],
    [timedLong as string, 30_000],
    [failed as string, 500],
  ]);
  expect(namesOf(sequencerWith(timings, new Set([failed as string])).sort(tests))).toEqual([
    "failed.test.ts",
    "timed-long.test.ts",
    "hinted.test.ts",
    "hinted-but-timed.test.ts",
    "timed-short.test.ts",
    "untimed-big.test.ts",
  ]);
});
