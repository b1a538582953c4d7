import { createLogger, ignoringClosedPipe } from "../observe/log";
import { earlyLogFormat, reportFailure } from "./failure";
import { unsupportedRuntime } from "./runtime";
import { VERSION } from "./version";

// Entry point of the bundle (dist/hr-upload.js): the one place that touches the process. It loads only the
// runtime check and the failure report first, so an older Node is refused in one line instead of crashing
// somewhere in the SDKs; the rest is loaded (and evaluated) only on a supported runtime.

const argv = process.argv.slice(2);
const env = { ...process.env };
const refusal = unsupportedRuntime(process.versions.node);
if (refusal === undefined) {
  void import("./start").then(({ start }) => start(argv, env));
} else {
  const streams = { stdout: ignoringClosedPipe(process.stdout), stderr: ignoringClosedPipe(process.stderr) };
  process.exitCode = reportFailure(createLogger(earlyLogFormat(argv, env), streams, () => new Date(), VERSION), refusal);
}
