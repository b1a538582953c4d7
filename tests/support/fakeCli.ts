import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A fake command-line tool (`az`, `pulumi`) in `dir`: answers `<tool> <args>` with the JSON stored under
 * the args joined by spaces, or exits with `{"exit":N,"stderr":…}`; an unknown call exits 2. Each call is
 * appended to <tool>.calls.log.
 */
export function writeFakeCli(dir: string, tool: string, answers: Record<string, unknown>): string {
  writeFileSync(join(dir, `${tool}.answers.json`), JSON.stringify(answers));
  const script = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const key = process.argv.slice(2).join(" ");
fs.appendFileSync(path.join(__dirname, "${tool}.calls.log"), key + "\\n");
const answer = JSON.parse(fs.readFileSync(path.join(__dirname, "${tool}.answers.json"), "utf8"))[key];
if (answer === undefined) { process.stderr.write("ERROR: fake ${tool} has no answer for: " + key + "\\n"); process.exit(2); }
if (answer && answer.exit) { process.stderr.write(answer.stderr + "\\n"); process.exit(answer.exit); }
process.stdout.write(JSON.stringify(answer, null, 2) + "\\n");
`;
  writeFileSync(join(dir, tool), script);
  chmodSync(join(dir, tool), 0o755);
  return dir;
}

export const writeFakeAz = (dir: string, answers: Record<string, unknown>) => writeFakeCli(dir, "az", answers);

