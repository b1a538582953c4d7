import type { ExecFile } from "../../uploader/src/auth/toolRunner";

/** What a script's command line is given of its process, so the tests can run it in theirs. */
export interface ScriptIo {
  readonly cwd: string;
  /** One line (or several joined by newlines) of output. */
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  /** A certificate to trust besides node's (which reads NODE_EXTRA_CA_CERTS at start, so a test in-process gives it here). */
  readonly extraCa?: string;
  /** How the tools it runs (az, pulumi) are started: node's execFile unless given (the tests start them from a small helper process). */
  readonly execFile?: ExecFile;
}

/** Runs a command line as this process: its exit code, or 1 with the stack for a bug in it. */
export function runAsScript(cli: (argv: string[], io: ScriptIo) => Promise<number>): void {
  const io: ScriptIo = { cwd: process.cwd(), stdout: (line) => console.log(line), stderr: (line) => console.error(line), env: process.env, platform: process.platform };
  cli(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
