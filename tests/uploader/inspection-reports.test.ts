import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { caseFile, INSPECTION_CASES, inspectionReport, type InspectionReport } from "../support/inspectionReports";
import { fixture, SLICE_WORKER } from "../support/cli";

// Reports recorded with the sequential reader before issue 22 changed how validation runs (tests/support/inspectionReports.ts).
const RECORDED = JSON.parse(readFileSync(fixture("inspection-reports.json"), "utf8")) as Record<string, InspectionReport>;
const CASES = INSPECTION_CASES.map((testCase) => [testCase.name, testCase] as const);

describe("validation reports stay what they were on files with every kind of error", () => {
  const dir = mkdtempSync(join(tmpdir(), "hr-inspection-reports-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CASES)("on this thread: %s", async (name, testCase) => {
    expect(await inspectionReport(testCase, await caseFile(testCase, dir))).toEqual(RECORDED[name]);
  });

  // The built worker's threads and this one, with slices small enough that every file past its first 4 KiB is cut into many.
  it.each(CASES)("in slices on worker threads: %s", async (name, testCase) => {
    const workers = { code: readFileSync(SLICE_WORKER, "utf8"), threads: 2, sliceBytes: 4096 };
    expect(await inspectionReport(testCase, await caseFile(testCase, dir), { workers })).toEqual(RECORDED[name]);
  });
});
