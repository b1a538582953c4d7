/** scripts/windows-node.ts's command line, apart from the process. */
import type { ScriptIo } from "./scriptIo";
import { prepareWindowsNode, windowsNodePath, windowsNodeProblem } from "./windowsNode";

const USAGE = "usage: npx tsx scripts/windows-node.ts --check | --prepare";

export async function windowsNodeCli(argv: string[], io: ScriptIo): Promise<number> {
  const [mode, ...rest] = argv;
  if (rest.length > 0 || (mode !== "--check" && mode !== "--prepare")) {
    io.stderr(USAGE);
    return 2;
  }
  if (mode === "--prepare") {
    try {
      await prepareWindowsNode(io.env, io.stdout);
    } catch (error) {
      io.stderr(`cannot prepare the Windows build of Node: ${(error as Error).message}`);
      return 1;
    }
  }
  const problem = windowsNodeProblem(io.env);
  if (problem !== undefined) {
    io.stderr(problem);
    return 1;
  }
  io.stdout(windowsNodePath(io.env));
  return 0;
}
