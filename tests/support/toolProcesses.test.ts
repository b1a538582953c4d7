/** The tool helper (tests/support/toolProcesses.ts) reports what node's execFile reports, through the ToolRunner that uses it. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ToolRunner, type ExecFile } from "../../uploader/src/auth/toolRunner";
import { helperExecFile } from "./toolProcesses";

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "hr-tool-helper-"));
  // Prints its arguments and a variable of the environment it was given, and exits with its first argument.
  writeFileSync(join(folder, "tool"), '#!/bin/sh\necho "args:$*" "env:$TOOL_VALUE" "cwd:$(pwd)"\necho "to stderr" >&2\nexit "$1"\n', { mode: 0o755 });
  writeFileSync(join(folder, "slow"), "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** What a ToolRunner on `execFile` makes of one call: its result, or its error's class, kind and message. */
async function outcome(execFile: ExecFile | undefined, tool: string, args: string[], options: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  const runner = new ToolRunner({ platform: "linux", env: { PATH: `${folder}:/usr/bin:/bin`, TOOL_VALUE: "from-env" }, execFile, ...options });
  try {
    return { result: await runner.exec(tool, args) };
  } catch (error) {
    return { error: { name: (error as Error).name, kind: (error as { kind?: string }).kind, message: (error as Error).message } };
  }
}

describe("the tool helper, against node's own execFile", () => {
  it.each([
    ["an exit code of 0, stdout and stderr, and the environment given", "tool", ["0", "a b"], { result: { code: 0, stdout: "args:0 a b env:from-env cwd:", stderr: "to stderr\n" } }],
    ["a non-zero exit code", "tool", ["7"], { result: { code: 7, stdout: "args:7 env:from-env cwd:", stderr: "to stderr\n" } }],
    ["a tool that is not installed", "no-such-tool", [], { error: { kind: "missing" } }],
  ])("%s", async (_what, tool, args, expected) => {
    const [direct, helped] = await Promise.all([outcome(undefined, tool, args), outcome(helperExecFile, tool, args)]);
    expect(helped).toEqual(direct);
    if ("result" in expected) expect(helped.result).toMatchObject({ ...expected.result, stdout: expect.stringContaining(expected.result.stdout) });
    else expect(helped.error).toMatchObject(expected.error);
  });

  it("a timeout: the tool is killed and the run fails as timed out", async () => {
    const [direct, helped] = await Promise.all([outcome(undefined, "slow", [], { timeoutMs: 200 }), outcome(helperExecFile, "slow", [], { timeoutMs: 200 })]);
    expect(helped).toEqual(direct);
    expect(helped.error?.message).toBe("slow  failed: timed out");
  });

  it("an abort: the tool is ended and the run fails with the abort", async () => {
    const run = (execFile: ExecFile | undefined) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      return outcome(execFile, "slow", [], { signal: controller.signal });
    };
    const [direct, helped] = await Promise.all([run(undefined), run(helperExecFile)]);
    expect(helped).toEqual(direct);
    expect(helped.error?.kind).toBe("failed");
  });
});
