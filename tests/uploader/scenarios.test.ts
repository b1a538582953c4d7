import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixture, jsonLines, runCli } from "../support/cli";
import { tempDir } from "../support/standin";

const SAMPLES = join(__dirname, "../../scripts/samples");
const MIXED = "resignation,job-level-change,performance-review,performance-improvement-plan";

function csvFile(text: string): string {
  const file = join(tempDir(), "file.csv");
  writeFileSync(file, text);
  return file;
}
const validate = (file: string, ...flags: string[]) => runCli(["validate", "--csv", file, ...flags]);

describe("every scenario's sample validates", () => {
  it.each([
    ["job-level-change.csv", "job-level-change", 2],
    ["performance-review.csv", "performance-review", 3],
    ["performance-improvement-plan.csv", "performance-improvement-plan", 2],
    ["employee-profile.csv", "employee-profile", 2],
    ["mixed.csv", MIXED, 4],
  ])("%s as %s", async (file, scenario, records) => {
    const result = await validate(join(SAMPLES, file), "--scenario", scenario);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${records} records read, ${records} valid, 0 invalid`);
  });
});

describe("scenario rules and limits", () => {
  const remarks = (length: number) => "r".repeat(length);
  it.each([
    ["job-level-change", `EmailAddress,EffectiveDate,Remarks,OldLevel,NewLevel\na@agency.gov,2026-01-15T00:00:00Z,${remarks(200)},L1,L2\n`, undefined],
    ["job-level-change", `EmailAddress,EffectiveDate,Remarks,OldLevel,NewLevel\na@agency.gov,2026-01-15T00:00:00Z,${remarks(201)},L1,L2\n`, "line 2: column Remarks: longer than 200 characters"],
    ["job-level-change", "EmailAddress,EffectiveDate,Remarks\na@agency.gov,,fine\n", "line 2: column EffectiveDate: required value is empty"],
    ["performance-review", "EmailAddress,EffectiveDate,Rating\na@agency.gov,2026-02-01T00:00:00Z,3 Met expectations, honest\n", "line 2: has 4 fields, the header has 3"],
    ["performance-review", `EmailAddress,EffectiveDate,Rating\na@agency.gov,2026-02-01T00:00:00Z,${"x".repeat(25)}\n`, undefined],
    ["performance-review", `EmailAddress,EffectiveDate,Rating\na@agency.gov,2026-02-01T00:00:00Z,${"x".repeat(26)}\n`, "line 2: column Rating: longer than 25 characters"],
    ["performance-review", "EmailAddress,EffectiveDate,Rating\na@agency.gov,2026-02-31T00:00:00Z,3\n", "line 2: column EffectiveDate: not a calendar date"],
    ["performance-improvement-plan", `EmailAddress,EffectiveDate,ImprovementRemarks,PerformanceRating\na@agency.gov,2026-02-10T00:00:00Z,${remarks(201)},2\n`, "line 2: column ImprovementRemarks: longer than 200 characters"],
    // Learn's table names for the PIP columns are accepted too.
    ["performance-improvement-plan", `EmailAddress,EffectiveDate,Remarks,Rating\na@agency.gov,2026-02-10T00:00:00Z,ok,${"x".repeat(26)}\n`, "line 2: column Rating: longer than 25 characters"],
    ["employee-profile", "EmailAddress,EmployeeFirstName,EmployeeLastName,EmployeeAddressLine1,EmployeeZipCode\nnot-an-email,Pat,Kay,1 Main St,22150\n", "line 2: column EmailAddress: not an email address or UPN"],
  ])("%s: %j", async (scenario, text, error) => {
    const result = await validate(csvFile(text), "--scenario", scenario);
    if (error === undefined) {
      expect(result.code).toBe(0);
    } else {
      expect(result.code).toBe(3);
      expect(result.stdout).toContain(error);
    }
  });

  it("accepts Learn's own profile header (UserName, EmployeeAddLine1, EmployeeDept) and checks its mandatory values", async () => {
    const result = await validate(fixture("scenarios/profile-learn-header.csv"), "--scenario", "employee-profile");
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("line 3: column EmployeeLastName: required value is empty");
    expect(result.stdout).toContain("2 records read, 1 valid, 1 invalid");
  });

  it("rejects an employee-profile file missing a mandatory column as a whole, because the service would import nothing", async () => {
    const result = await validate(fixture("scenarios/profile-missing-zip.csv"), "--scenario", "employee-profile");
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      'error: line 1: missing required column "EmployeeZipCode"; if your file names it differently, map: --columns zipCode=<YourHeader>; the service imports nothing from an employee-profile file that lacks one of its mandatory columns',
    );
  });
});

describe("remapped headers, for every scenario", () => {
  it.each([
    ["resignation", "Mail,TermDate,LastDay", "email=Mail,terminationDate=TermDate,lastWorkingDate=LastDay", "a@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z"],
    ["job-level-change", "Mail,When,Why,From,To", "email=Mail,effectiveDate=When,remarks=Why,oldLevel=From,newLevel=To", "a@agency.gov,2026-01-15T00:00:00Z,x,L1,L2"],
    ["performance-review", "Mail,When,Notes,Score", "email=Mail,effectiveDate=When,remarks=Notes,rating=Score", "a@agency.gov,2026-02-01T00:00:00Z,x,3"],
    ["performance-improvement-plan", "Mail,When,Notes,Score", "email=Mail,effectiveDate=When,remarks=Notes,rating=Score", "a@agency.gov,2026-02-10T00:00:00Z,x,2"],
    [
      "employee-profile",
      "Mail,Given,Family,Street,Street2,Town,Region,Zip,Nation,Dept,Kind,Job",
      "email=Mail,firstName=Given,lastName=Family,addressLine1=Street,addressLine2=Street2,city=Town,state=Region,zipCode=Zip,country=Nation,department=Dept,employeeType=Kind,role=Job",
      "a@agency.gov,Pat,Kay,1 Main St,,Springfield,VA,22150,USA,Radiology,Regular,Technician",
    ],
  ])("%s", async (scenario, header, mapping, row) => {
    const file = csvFile(`${header}\n${row}\n`);
    expect((await validate(file, "--scenario", scenario)).code).toBe(3);
    expect((await validate(file, "--scenario", scenario, "--columns", mapping)).code).toBe(0);
    // The mapped columns are the ones checked: a bad value there is caught.
    const bad = csvFile(`${header}\n${row.replace("a@agency.gov", "a-at-agency.gov")}\n`);
    expect((await validate(bad, "--scenario", scenario, "--columns", mapping)).stdout).toContain("line 2: column Mail: not an email address");
  });
});

describe("multi-scenario files", () => {
  it("checks each record against its own scenario, naming line, column and scenario for each error", async () => {
    const result = await validate(fixture("scenarios/mixed-one-bad-per-scenario.csv"), "--scenario", MIXED);
    expect(result.code).toBe(3);
    expect(result.stdout.trim().split("\n").slice(0, -1)).toEqual([
      "line 3 (resignation): column LastWorkingDate: not a calendar date",
      "line 5 (job-level-change): column EffectiveDate: required value is empty",
      "line 7 (performance-review): column Rating: longer than 25 characters",
      "line 10 (performance-improvement-plan): column EmailAddress: not an email address or UPN (user@domain)",
      "line 11: column HRScenario: not one of this file's scenario values (Resignation, Job level change, Performance review, Performance improvement plan)",
      "line 13 (resignation): has 3 fields, the header has 9",
    ]);
    expect(result.stdout).toContain(
      "11 records read, 5 valid, 6 invalid (by scenario: resignation 3 (2 invalid), job-level-change 2 (1 invalid), performance-review 3 (1 invalid), performance-improvement-plan 2 (1 invalid), unknown 1 (1 invalid))",
    );
  });

  it("reports per scenario in json too", async () => {
    const result = await validate(fixture("scenarios/mixed-one-bad-per-scenario.csv"), "--scenario", MIXED, "--log-format", "json");
    const events = jsonLines(result.stdout);
    expect(events).toContainEqual(expect.objectContaining({ event: "invalid-record", line: 5, scenario: "job-level-change", problems: [{ column: "EffectiveDate", reason: "required value is empty" }] }));
    expect(events.at(-1)).toMatchObject({
      event: "summary",
      scenario: MIXED,
      byScenario: { resignation: { records: 3, invalid: 2 }, "job-level-change": { records: 2, invalid: 1 }, unknown: { records: 1, invalid: 1 } },
    });
  });

  it("takes the wizard's own scenario column name and values", async () => {
    const file = csvFile("Kind,EmailAddress,TerminationDate,LastWorkingDate,EffectiveDate,Rating\nQuit,a@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z,,\nReview,b@agency.gov,,,2026-02-01T00:00:00Z,3\n");
    const plain = await validate(file, "--scenario", "resignation,performance-review");
    expect(plain.code).toBe(3);
    expect(plain.stderr).toContain('missing the scenario column "HRScenario"; if your file names it differently, pass --scenario-column <YourHeader>');
    const mapped = await runCli(["validate", "--csv", file, "--scenario", "resignation,performance-review"], {
      HR_SCENARIO_COLUMN: "kind",
      HR_SCENARIO_VALUES: "resignation=quit,performance-review=Review",
    });
    expect(mapped.stdout).toContain("2 records read, 2 valid, 0 invalid");
  });

  it("requires every listed scenario's mandatory columns, naming the scenarios", async () => {
    const file = csvFile("HRScenario,EmailAddress,TerminationDate,LastWorkingDate\nResignation,a@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\n");
    const result = await validate(file, "--scenario", "resignation,job-level-change,performance-review");
    expect(result.stderr).toContain('missing required column "EffectiveDate" for job-level-change, performance-review');
  });

  it.each([
    [["--scenario", "resignation,promotion"], /unknown scenario "promotion"/],
    [["--scenario", "resignation,resignation"], /lists a scenario twice/],
    [["--scenario", MIXED, "--scenario-values", "employee-profile=Profile"], /"employee-profile" is not one of this file's scenarios/],
    [["--scenario", MIXED, "--scenario-values", "resignation=Job level change"], /gives two scenarios the value "Job level change"/],
    [["--scenario", MIXED, "--columns", "zipCode=Zip"], /--columns: unknown field "zipCode"/],
  ])("refuses %j with one line (exit 2)", async (flags, message) => {
    const result = await validate(join(SAMPLES, "mixed.csv"), ...flags);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
