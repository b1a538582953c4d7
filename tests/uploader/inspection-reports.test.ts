import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { caseFile, INSPECTION_CASES, inspectionReport, type InspectionReport } from "../support/inspectionReports";
import { fixture } from "../support/cli";

// Reports recorded with the sequential reader before issue 22 changed how validation runs (tests/support/inspectionReports.ts).
const RECORDED = JSON.parse(readFileSync(fixture("inspection-reports.json"), "utf8")) as Record<string, InspectionReport>;

describe("validation reports stay what they were on files with every kind of error", () => {
  const dir = mkdtempSync(join(tmpdir(), "hr-inspection-reports-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(INSPECTION_CASES.map((testCase) => [testCase.name, testCase] as const))("%s", async (name, testCase) => {
    expect(await inspectionReport(testCase, await caseFile(testCase, dir))).toEqual(RECORDED[name]);
  });
});
