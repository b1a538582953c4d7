import * as path from "node:path";

/** The repository's root, for the scripts (run from their sources by tsx) and their tests; not for code bundled into dist/. */
export const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");
