/**
 * The uploader's tree tells its architecture (issue 21): uploader/src holds only rooms (folders), each with a
 * README.md that says its one job, and imports flow one way. Each room may import only the rooms its line in
 * MAY_IMPORT names (the README's "Code map" draws the same arrows), and no module imports itself back through
 * others (no cycle). Imports are read and resolved by TypeScript itself, static, dynamic and type-only alike.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import * as ts from "typescript";

const ROOT = resolve(__dirname, "../..");
const SRC = join(ROOT, "uploader/src");

/** Room → the rooms it may import (besides itself), top-down: a room may import only rooms listed after it (the README's table, in its order). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  cli: ["run", "observe", "keep", "state", "lock", "ingest", "auth", "validation", "storage", "source", "net", "csv", "core"],
  run: ["observe", "keep", "state", "lock", "ingest", "auth", "validation", "storage", "source", "net", "csv", "core"],
  keep: ["observe", "state", "source", "core"],
  validation: ["observe", "source", "csv", "core"],
  observe: ["state", "core"],
  state: ["lock", "storage", "source", "net", "csv", "core"],
  lock: ["storage", "source", "net", "core"],
  ingest: ["auth", "net", "core"],
  auth: ["net", "core"],
  csv: ["source", "core"],
  source: ["storage", "core"],
  storage: ["net", "core"],
  net: ["core"],
  core: [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const roomOf = (file: string): string => relative(SRC, file).split(sep)[0] ?? "";

/** Each module of uploader/src → the modules of uploader/src it imports, resolved as the compiler does. */
function importGraph(): Map<string, string[]> {
  const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile).config, ts.sys, ROOT);
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const imported = ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles;
    const targets = imported
      .map(({ fileName }) => ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule)
      .filter((module) => module !== undefined && !module.isExternalLibraryImport && module.resolvedFileName.startsWith(SRC + sep))
      .map((module) => resolve(module!.resolvedFileName));
    graph.set(resolve(file), targets);
  }
  return graph;
}

/** The import cycles: each as the chain of modules that leads back to its first. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

const named = (file: string) => relative(SRC, file).split(sep).join("/");

describe("uploader/src layout", () => {
  const graph = importGraph();

  it("holds only rooms, each named in the import table and with a README.md that says its job", () => {
    const entries = readdirSync(SRC);
    expect(entries.filter((name) => !statSync(join(SRC, name)).isDirectory())).toEqual([]);
    expect([...entries].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
    for (const room of entries) expect(readFileSync(join(SRC, room, "README.md"), "utf8")).toMatch(new RegExp(`^# ${room}/\\n\\n\\S`));
  });

  it("lists the rooms top-down: each may import only rooms listed after it", () => {
    const order = Object.keys(MAY_IMPORT);
    const upward = order.flatMap((room) => (MAY_IMPORT[room] ?? []).filter((other) => order.indexOf(other) <= order.indexOf(room)).map((other) => `${room} → ${other}`));
    expect(upward).toEqual([]);
  });

  it("imports only downward: every import crosses into a room its room may use", () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => roomOf(target) !== roomOf(file) && !(MAY_IMPORT[roomOf(file)] ?? []).includes(roomOf(target))).map((target) => `${named(file)} → ${named(target)}`),
    );
    expect(upward).toEqual([]);
  });

  it("has no file over 300 lines: a module that grows past it holds more than one concern", () => {
    const lineCount = (file: string) => readFileSync(file, "utf8").split("\n").length - 1;
    const files = sourceFiles(SRC).filter((file) => file.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((file) => lineCount(file) > 300).map((file) => `${named(file)}: ${lineCount(file)} lines`)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(cyclesOf(graph).map((cycle) => cycle.map(named).join(" → "))).toEqual([]);
  });

  it("finds a cycle and an upward import when there is one (the checks can fail)", () => {
    const a = join(SRC, "core/a.ts");
    const b = join(SRC, "core/b.ts");
    expect(cyclesOf(new Map([[a, [b]], [b, [a]]])).map((cycle) => cycle.map(named))).toEqual([["core/a.ts", "core/b.ts", "core/a.ts"]]);
    expect(MAY_IMPORT.core).not.toContain(roomOf(join(SRC, "run/upload.ts")));
  });
});
