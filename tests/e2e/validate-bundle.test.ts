import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUNDLE, fixture, runBundle } from "../support/cli";

const SAMPLE = resolve(__dirname, "../../scripts/samples/employees.csv");

describe("the bundled hr-upload", () => {
  it("runs with plain node and no node_modules anywhere near it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hr-bundle-"));
    const lonely = join(dir, "hr-upload.js");
    copyFileSync(BUNDLE, lonely);
    const result = await runBundle(["validate", "--csv", SAMPLE], {}, { cwd: dir, bundle: lonely });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/4 records read, 4 valid, 0 invalid/);
    expect(result.code).toBe(0);
  });

  it("exits 3 on an invalid file and 2 on a missing one, with one line and no stack trace", async () => {
    const invalid = await runBundle(["validate", "--csv", fixture("unterminated-quote.csv")]);
    expect(invalid.code).toBe(3);
    const missing = await runBundle(["validate", "--csv", "/nonexistent.csv"]);
    expect(missing.code).toBe(2);
    for (const { stderr } of [invalid, missing]) {
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});
