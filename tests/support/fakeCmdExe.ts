import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A stand-in for cmd.exe, so Linux CI runs the Windows way of starting a tool:
 * it accepts only `cmd.exe /d /s /c "<line>"`, splits the line as cmd.exe does
 * (outer quotes stripped, words split on spaces outside quotes), and runs the
 * named tool from PATH; a tool that is not there answers as cmd.exe does (9009).
 * Returns the path to give as ComSpec.
 */
export function writeFakeCmdExe(dir: string): string {
  const file = join(dir, "cmd.exe");
  writeFileSync(
    file,
    `#!${process.execPath}
const { spawnSync } = require("node:child_process");
const args = process.argv.slice(2);
if (args.length !== 4 || args[0] !== "/d" || args[1] !== "/s" || args[2] !== "/c" || !/^".*"$/s.test(args[3])) {
  process.stderr.write("fake cmd.exe: not started as cmd.exe /d /s /c \\"<line>\\": " + JSON.stringify(args) + "\\n");
  process.exit(9);
}
const words = [...args[3].slice(1, -1).matchAll(/"([^"]*)"|(\\S+)/g)].map((match) => match[1] ?? match[2]);
const child = spawnSync(words[0], words.slice(1), { stdio: "inherit" });
if (child.error && child.error.code === "ENOENT") {
  process.stderr.write("'" + words[0] + "' is not recognized as an internal or external command,\\r\\noperable program or batch file.\\r\\n");
  process.exit(9009);
}
process.exit(child.status ?? 1);
`,
  );
  chmodSync(file, 0o755);
  return file;
}
