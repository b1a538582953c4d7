// The bundle carries only this field of package.json (esbuild drops the unused ones).
import { version } from "../../../package.json";

/** hr-upload's version: `--version` prints it, and every summary event carries it. */
export const VERSION: string = version;
