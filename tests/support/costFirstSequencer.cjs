/**
 * Jest's order of test files, with a better guess where it has no timings of an earlier run (a fresh clone, CI).
 * Jest then starts the biggest files first, so that no long file starts late and runs on alone at the end; but
 * some files are far longer than their size says: they wait on clocks (a proxy given up after 30 s, a 15 s Blob
 * lease) or load many others (tests/offlineStack.test.ts). Such a file says so in its header comment,
 * `@expected-seconds N` (its wall time in a full run, where the cores are shared), and starts first, longest first;
 * the rest follow by size. Measured 2026-12-07, Jest alone with no cache, ordered by size: the offline stack
 * started at 76 s and ended last, at 102 s.
 * With timings of an earlier run, Jest's own order stands (failed first, files it has no timing of, then longest first).
 */
const { Buffer } = require("node:buffer");
const { openSync, readSync, closeSync, statSync } = require("node:fs");
const Sequencer = require("@jest/test-sequencer").default;

const HEADER_BYTES = 4096;

/** The N of `@expected-seconds N` in the file's first bytes, or undefined. */
function expectedSeconds(path) {
  const header = Buffer.alloc(HEADER_BYTES);
  const file = openSync(path, "r");
  try {
    const read = readSync(file, header, 0, HEADER_BYTES, 0);
    const match = /@expected-seconds (\d+)/.exec(header.subarray(0, read).toString("utf8"));
    return match === null ? undefined : Number(match[1]);
  } finally {
    closeSync(file);
  }
}

class CostFirstSequencer extends Sequencer {
  sort(tests) {
    if (tests.some((test) => this.time(test) !== undefined)) return super.sort(tests);
    const seconds = new Map(tests.map((test) => [test.path, expectedSeconds(test.path)]));
    const size = new Map(tests.map((test) => [test.path, statSync(test.path).size]));
    return [...tests].sort((a, b) => {
      const [secondsA, secondsB] = [seconds.get(a.path), seconds.get(b.path)];
      if (secondsA !== undefined || secondsB !== undefined) return (secondsB ?? -1) - (secondsA ?? -1);
      return size.get(b.path) - size.get(a.path);
    });
  }
}

module.exports = CostFirstSequencer;
