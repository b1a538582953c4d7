/**
 * The Windows build of Node for the Windows tests (tests/e2e/windows.test.ts), by hand.
 *
 *   npx tsx scripts/windows-node.ts --check     exit 0 with node.exe's path, or 1 with what is missing in one line
 *   npx tsx scripts/windows-node.ts --prepare   fetches node.exe 22.23.3 (npm pack, digest checked) into
 *                                               ${XDG_CACHE_HOME:-~/.cache}/hr-connector and makes the Wine
 *                                               prefix template; exit 0, or 1 with why not
 *
 * Exit 2 for a usage error.
 */
import { windowsNodeCli } from "./lib/windowsNodeCli";
import { runAsScript } from "./lib/scriptIo";

runAsScript(windowsNodeCli);
