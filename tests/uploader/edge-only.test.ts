/**
 * Only the CLI edge touches the process, the environment, the platform and the wall clock, or sets timers (issue 21):
 * every other room gets them injected (the Clock and Platform ports, the run's AbortSignal), so tests can drive them.
 * The code is read as TypeScript's syntax tree, so comments and strings that mention `process.` do not count.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import * as ts from "typescript";

const SRC = resolve(__dirname, "../../uploader/src");

/**
 * The only uses allowed outside cli/, each with why it cannot be injected. `file → reference → reason`.
 */
const ALLOWED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "core/clock.ts": { "new Date(": "isoOf formats a time it is given as a timestamp; it reads no clock" },
  "net/http.ts": {
    setTimeout:
      "the request's socket inactivity timer (ClientRequest.setTimeout): Node restarts it on every byte sent or received, which no injected clock can see; the run's own deadlines (connect bound, budgets, stop) are on the injected clock",
  },
};

/** What may not appear: the ambient process, wall clock and timers. */
export function ambientUses(code: string, fileName = "code.ts"): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const [object, member] = [node.expression.text, node.name.text];
      if (object === "process") found.push("process.");
      if ((object === "Date" && member === "now") || (object === "AbortSignal" && member === "timeout") || (object === "performance" && member === "now")) found.push(`${object}.${member}`);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Date") found.push("new Date(");
    if (ts.isIdentifier(node) && ["setTimeout", "setInterval", "setImmediate"].includes(node.text)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true));
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const belowTheEdge = () =>
  sourceFiles(SRC)
    .map((path) => ({ path, name: relative(SRC, path).split(sep).join("/") }))
    .filter(({ name }) => !name.startsWith("cli/"));

describe("nothing below cli/ reads the process or the wall clock, or sets timers", () => {
  it("finds no ambient process, clock or timer outside cli/ beyond the allowed ones", () => {
    const unexplained = belowTheEdge().flatMap(({ path, name }) =>
      ambientUses(readFileSync(path, "utf8"), name)
        .filter((use) => ALLOWED[name]?.[use] === undefined)
        .map((use) => `${name}: ${use}`),
    );
    expect(unexplained).toEqual([]);
  });

  it("allows nothing that is no longer there (the allow-list stays as short as the code needs)", () => {
    const present = new Set(belowTheEdge().flatMap(({ path, name }) => ambientUses(readFileSync(path, "utf8"), name).map((use) => `${name}: ${use}`)));
    const stale = Object.entries(ALLOWED).flatMap(([name, uses]) => Object.keys(uses).map((use) => `${name}: ${use}`)).filter((entry) => !present.has(entry));
    expect(stale).toEqual([]);
  });

  it("sees each kind of use in code, and none in comments or strings (the check can fail)", () => {
    const code = [
      "const a = process.env.HR_X; const b = Date.now(); const c = new Date(0);",
      "setTimeout(() => undefined, 1); const d = setInterval; const e = AbortSignal.timeout(5); const f = performance.now();",
      "socket.setTimeout(5);",
      "// process.exit(1) and Date.now() in a comment",
      'const g = "new Date( in a string";',
    ].join("\n");
    expect(ambientUses(code)).toEqual(["process.", "Date.now", "new Date(", "setTimeout", "setInterval", "AbortSignal.timeout", "performance.now", "setTimeout"]);
  });
});
