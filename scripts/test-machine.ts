/**
 * The test suite's machine prerequisites (scripts/lib/testMachine.ts): the Debian packages the tests start
 * and the Windows build of Node (kept in ${XDG_CACHE_HOME:-~/.cache}/hr-connector, so npm ci keeps it).
 *
 *   tsx scripts/test-machine.ts --check     nothing and exit 0, or one line naming npm run test:ci and exit 2 (npm test runs this first)
 *   tsx scripts/test-machine.ts --prepare   sets up what is missing, then checks (npm run test:ci runs this)
 */
import { runAsScript } from "./lib/scriptIo";
import { testMachineCli } from "./lib/testMachine";

runAsScript((argv, io) => testMachineCli(argv, io));
