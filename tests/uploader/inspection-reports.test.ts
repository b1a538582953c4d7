/** Jest's order (tests/support/costFirstSequencer.cjs): @expected-seconds 9: every error kind validated on one thread and in slices. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { caseFile, INSPECTION_CASES, inspectionReport, type InspectionReport } from "../support/inspectionReports";
import { fixture, SLICE_WORKER } from "../support/cli";

// Reports recorded with the sequential reader of commit 6fdb8b4, before issue 22 changed how validation runs, on
// 2026-12-07 (tests/support/inspectionReports.ts says how). Each generated file is a few hundred KB: the first
// 64 KiB read is checked on this thread, the rest in many slices, and it holds more invalid records than a report lists.
const RECORDED = JSON.parse(readFileSync(fixture("inspection-reports.json"), "utf8")) as Record<string, InspectionReport>;
const CASES = INSPECTION_CASES.map((testCase) => [testCase.name, testCase] as const);

describe("validation reports stay what they were on files with every kind of error", () => {
  const dir = mkdtempSync(join(tmpdir(), "hr-inspection-reports-"));
  // Each case's file, written once for both ways of checking it.
  const files = new Map<string, string>();
  beforeAll(async () => {
    for (const testCase of INSPECTION_CASES) files.set(testCase.name, await caseFile(testCase, dir));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CASES)("on this thread: %s", async (name, testCase) => {
    expect(await inspectionReport(testCase, files.get(name) as string)).toEqual(RECORDED[name]);
  });

  // The built worker on a thread of its own and this thread, in turn, with slices small enough that every file past its
  // first read is cut into many: results come back out of order from two checkers. One worker, not two: each new thread
  // starts its V8 cold, and a second one cost 2.7 s more CPU for the 23 files (2026-12-08); validate-bundle.test.ts runs the bundle's pool with two.
  const workers = { code: readFileSync(SLICE_WORKER, "utf8"), threads: 1, sliceBytes: 4096 };
  it.each(CASES)("in slices on worker threads: %s", async (name, testCase) => {
    expect(await inspectionReport(testCase, files.get(name) as string, { workers })).toEqual(RECORDED[name]);
  });
});
