import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A shell word that is exactly `text`: single-quoted, so neither the shell nor a `case` pattern interprets it. */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

const isFailure = (answer: unknown): answer is { exit: number; stderr: string } => typeof answer === "object" && answer !== null && Boolean((answer as { exit?: unknown }).exit);

/**
 * A fake command-line tool (`az`, `pulumi`) in `dir`: answers `<tool> <args>` with the JSON stored under
 * the args joined by spaces, or exits with `{"exit":N,"stderr":…}`; an unknown call exits 2. Each call is
 * appended to <tool>.calls.log. A shell script holding its answers, so a call is one `sh` and its builtins:
 * preflight calls it dozens of times per run, and a node start costs a hundred times as much.
 */
export function writeFakeCli(dir: string, tool: string, answers: Record<string, unknown>): string {
  const cases = Object.entries(answers).map(([key, answer]) =>
    isFailure(answer)
      ? `  ${shellQuote(key)}) printf '%s\\n' ${shellQuote(answer.stderr)} >&2; exit ${Number(answer.exit)} ;;`
      : `  ${shellQuote(key)}) printf '%s\\n' ${shellQuote(JSON.stringify(answer, null, 2))} ;;`,
  );
  const script = [
    "#!/bin/sh",
    `printf '%s\\n' "$*" >> ${shellQuote(join(dir, `${tool}.calls.log`))}`,
    'case "$*" in',
    ...cases,
    `  *) printf 'ERROR: fake ${tool} has no answer for: %s\\n' "$*" >&2; exit 2 ;;`,
    "esac",
    "",
  ].join("\n");
  writeFileSync(join(dir, tool), script);
  chmodSync(join(dir, tool), 0o755);
  return dir;
}

export const writeFakeAz = (dir: string, answers: Record<string, unknown>) => writeFakeCli(dir, "az", answers);

/** One start of a recording fake tool: its arguments, working folder and the names of the variables it was given. */
export interface RecordedCall {
  readonly argv: string[];
  readonly cwd: string;
  readonly env: string[];
}

/**
 * A fake `az` in `dir` that records how each call was started (arguments, working folder, the names of its
 * environment's variables) and answers like `az account get-access-token`: what a run's Storage token comes from.
 */
export function envRecordingAz(dir: string): { bin: string; calls: () => RecordedCall[] } {
  const log = join(dir, "calls.jsonl");
  writeFileSync(
    join(dir, "az"),
    `#!/usr/bin/env node
require("node:fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: Object.keys(process.env).sort() }) + "\\n");
process.stdout.write(JSON.stringify({ accessToken: "storage-token", expiresOn: "2099-01-01 00:00:00.000000", expires_on: 4070908800, tokenType: "Bearer" }));
`,
  );
  chmodSync(join(dir, "az"), 0o755);
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as RecordedCall)
      : [];
  return { bin: dir, calls };
}
