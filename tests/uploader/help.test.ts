import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixture, jsonLines, PACKAGE_VERSION, runCli } from "../support/cli";
import { tempDir } from "../support/standin";

const COMMAND_NAMES = ["validate", "upload", "status"];

describe("help on every command", () => {
  it.each(COMMAND_NAMES.flatMap((command) => [[command, "-h"], [command, "--help"]]))("hr-upload %s %s", async (command, flag) => {
    const result = await runCli([command, flag]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(new RegExp(`^hr-upload ${command}: `));
    expect(result.stdout).toContain("Exit codes:");
  });

  it.each(COMMAND_NAMES)("hr-upload help %s prints that command's help, not the general one", async (command) => {
    const viaHelp = await runCli(["help", command]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe((await runCli([command, "--help"])).stdout);
    expect(viaHelp.stdout).not.toContain("Commands:");
  });

  it("helps even when the rest of the command line is wrong", async () => {
    const result = await runCli(["upload", "--bogus", "--cloud", "-h"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^hr-upload upload: /);
  });

  it("hr-upload help, --help and -h print the general help; no command prints it as an error", async () => {
    for (const args of [["help"], ["--help"], ["-h"]]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Run "hr-upload help <command>"');
    }
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Commands:");
  });

  it("hr-upload help <unknown> is a usage error naming the commands", async () => {
    const result = await runCli(["help", "deploy"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toBe('error: unknown command "deploy" (commands: validate, upload, status, reset); see hr-upload --help');
  });

  it("status lists only its own flags: no CSV flags and no scenario fields", async () => {
    const { stdout } = await runCli(["status", "--help"]);
    for (const text of ["--checkpoint DIR|URL", "--limit N", "[HR_LIMIT]", "-h, --help", "--version", "4  no access to the state container"]) expect(stdout).toContain(text);
    for (const text of ["--csv", "--scenario", "--columns", "--show-values", "terminationDate=", "Scenarios", "ISO 8601", "[HR_HELP]", "[HR_VERSION]"]) expect(stdout).not.toContain(text);
  });

  it("reset names the file it clears with --csv, but lists no scenario fields (it reads no CSV)", async () => {
    const { stdout } = await runCli(["reset", "--help"]);
    for (const text of ["--job-id", "--csv"]) expect(stdout).toContain(text);
    for (const text of ["terminationDate=", "Scenarios", "ISO 8601"]) expect(stdout).not.toContain(text);
  });

  it("validate lists its flags and the scenario fields, but none of upload's", async () => {
    const { stdout } = await runCli(["validate", "--help"]);
    for (const text of ["--csv FILE|URL", "--scenario-column", "terminationDate=TerminationDate|ResignationDate", "--scenario-column or --scenario-values without --scenario means any of the scenarios above"]) expect(stdout).toContain(text);
    for (const text of ["--cloud", "--app-secret", "--checkpoint", "--records-per-call"]) expect(stdout).not.toContain(text);
  });

  it("teaches the precedence rule with an example from the command's own flags", async () => {
    expect((await runCli(["status", "--help"])).stdout).toContain(
      "Every flag can also be set by an environment variable: --checkpoint is HR_CHECKPOINT.\nThe command line wins over the variable, which wins over the default; an empty variable counts as unset.",
    );
    expect((await runCli(["upload", "--help"])).stdout).toContain("--tenant-id GUID|DOMAIN");
  });
});

describe("--version", () => {
  it.each([["--version"], ["upload", "--version"], ["status", "--version"]])("%j prints package.json's version", async (...args) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`hr-upload ${PACKAGE_VERSION}\n`);
  });

  it("is in every summary event: validate, status, and a failed run", async () => {
    const dir = tempDir("hr-version-");
    try {
      const summaries = [
        await runCli(["validate", "--csv", fixture("seed-example.csv"), "--log-format", "json"]),
        await runCli(["status", "--checkpoint-dir", dir, "--log-format", "json"]),
        await runCli(["validate", "--csv", fixture("empty.csv"), "--log-format", "json"]),
        await runCli(["validate", "--bogus"], { HR_LOG_FORMAT: "json" }),
      ].map((result) => jsonLines(result.stdout).at(-1));
      for (const summary of summaries) expect(summary).toMatchObject({ event: "summary", version: PACKAGE_VERSION });
      // Only the summary carries it.
      const events = jsonLines((await runCli(["validate", "--csv", fixture("every-error.csv"), "--log-format", "json"])).stdout);
      expect(events.filter((event) => "version" in event).map((event) => event.event)).toEqual(["summary"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a failure to read the flags is reported as json when the command line asks for json", async () => {
    const result = await runCli(["validate", "--log-format", "json", "--bogus"]);
    expect(jsonLines(result.stdout).map((event) => event.event)).toEqual(["failed", "summary"]);
  });
});

describe("singular and plural", () => {
  it("one record, one field, one more invalid record", async () => {
    const dir = tempDir("hr-plural-");
    try {
      const one = join(dir, "one.csv");
      writeFileSync(one, "EmailAddress,TerminationDate,LastWorkingDate\nalex@agency.gov,2026-03-02T09:00:00Z,2026-03-20T17:00:00Z\n");
      expect((await runCli(["validate", "--csv", one])).stdout).toMatch(/one\.csv: 1 record read, 1 valid, 0 invalid/);

      const short = join(dir, "short.csv");
      writeFileSync(short, "EmailAddress,TerminationDate,LastWorkingDate\nalex@agency.gov\n");
      expect((await runCli(["validate", "--csv", short])).stdout).toMatch(/^line 2: has 1 field, the header has 3$/m);

      const many = join(dir, "many.csv");
      const rows = Array.from({ length: 101 }, (_, i) => `user${i}@agency.gov,not-a-date,2026-03-20T17:00:00Z`);
      writeFileSync(many, `EmailAddress,TerminationDate,LastWorkingDate\n${rows.join("\n")}\n`);
      const result = await runCli(["validate", "--csv", many]);
      expect(result.stdout).toContain("... and 1 more invalid record not listed");
      expect(result.stdout).toMatch(/101 records read, 0 valid, 101 invalid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
