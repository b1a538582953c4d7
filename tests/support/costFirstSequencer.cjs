/**
 * Jest's order of test files, with a better guess for the files it has no timing of (all of them in a fresh clone
 * and in CI). Jest starts the longest files first, so that no long file starts late and runs on alone at the end;
 * a file it has not timed it guesses by size. But some files are far longer than their size says: they wait on
 * clocks (a proxy given up after 30 s, a 15 s Blob lease) or load many others (tests/offlineStack.test.ts). Such a
 * file says so in its leading comment, `@expected-seconds N` (its wall time in a full run, where the cores are
 * shared), and that stands in for its timing until Jest has one. Measured 2026-12-07, Jest alone with no cache,
 * ordered by size: the offline stack started at 76 s and ended last, at 102 s.
 * Order: files that failed last time first (Jest's rule); then every file with a timing or a hint, longest first;
 * then the rest, biggest first.
 */
const { Buffer } = require("node:buffer");
const { openSync, readSync, closeSync, statSync } = require("node:fs");
const Sequencer = require("@jest/test-sequencer").default;

const HEADER_BYTES = 4096;

/** The N of `@expected-seconds N` in the comment the file starts with (`/** ... *\/`), or undefined. */
function expectedSeconds(path) {
  const start = Buffer.alloc(HEADER_BYTES);
  const file = openSync(path, "r");
  let text;
  try {
    text = start.subarray(0, readSync(file, start, 0, HEADER_BYTES, 0)).toString("utf8");
  } finally {
    closeSync(file);
  }
  const comment = /^\/\*\*[\s\S]*?\*\//.exec(text);
  const hint = comment === null ? null : /@expected-seconds (\d+)/.exec(comment[0]);
  return hint === null ? undefined : Number(hint[1]);
}

class CostFirstSequencer extends Sequencer {
  sort(tests) {
    for (const test of tests) test.duration = this.time(test); // as Jest's own sort does: its run-in-band choice reads them
    const estimate = new Map(
      tests.map((test) => {
        const seconds = expectedSeconds(test.path);
        return [test.path, this.time(test) ?? (seconds === undefined ? undefined : seconds * 1000)];
      }),
    );
    const size = new Map(tests.map((test) => [test.path, statSync(test.path).size]));
    return [...tests].sort((a, b) => {
      const [failedA, failedB] = [this.hasFailed(a), this.hasFailed(b)];
      if (failedA !== failedB) return failedA ? -1 : 1;
      const [msA, msB] = [estimate.get(a.path), estimate.get(b.path)];
      if (msA !== undefined || msB !== undefined) return (msB ?? -1) - (msA ?? -1);
      return size.get(b.path) - size.get(a.path);
    });
  }
}

module.exports = CostFirstSequencer;
