/**
 * node's execFile, made from a small helper process (tests/support/toolProcessHelper.cjs) instead of this Jest
 * worker: the scripts' tests run `az` and its stand-ins hundreds of times in-process, and each start forks the
 * starting process, at a CPU cost that grows with its resident memory (see the helper). The tools still run as real
 * processes, with node's own execFile and the caller's options (environment, timeout, output limit, Windows flags);
 * only their parent differs. Given to the scripts as `ScriptIo.execFile`, and to a ToolRunner as its `execFile`.
 */
import { fork, type ChildProcess, type ExecFileException, type ExecFileOptionsWithStringEncoding } from "node:child_process";
import { resolve } from "node:path";
import type { ExecFile } from "../../uploader/src/auth/toolRunner";

const HELPER = resolve(__dirname, "toolProcessHelper.cjs");
/** How long an idle helper waits for the next call before this worker lets it go. */
const IDLE_MS = 2_000;

interface Reply {
  readonly id: number;
  readonly error: Pick<ExecFileException, "name" | "message" | "code" | "killed" | "signal" | "cmd"> | null;
  readonly stdout: string;
  readonly stderr: string;
}
type Callback = (error: ExecFileException | null, stdout: string, stderr: string) => void;

let helper: ChildProcess | undefined;
let nextId = 0;
const pending = new Map<number, Callback>();
let idleTimer: NodeJS.Timeout | undefined;

function helperProcess(): ChildProcess {
  if (helper?.connected) return helper;
  const child = fork(HELPER, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  child.on("message", (reply: Reply) => {
    const callback = pending.get(reply.id);
    pending.delete(reply.id);
    callback?.(reply.error === null ? null : Object.assign(new Error(reply.error.message), reply.error), reply.stdout, reply.stderr);
    if (pending.size === 0) idle(child);
  });
  child.on("exit", (code, signal) => {
    if (helper === child) helper = undefined;
    for (const [id, callback] of pending) {
      pending.delete(id);
      callback(Object.assign(new Error(`the tool helper process ended (${signal ?? code})`), { code: "EHELPER" }), "", "");
    }
  });
  // Neither the helper nor its channel keeps this worker alive; a call in flight does (helperExecFile refs the channel).
  child.unref();
  helper = child;
  return child;
}

/** Lets the helper go after IDLE_MS without a call: closing its channel ends it. */
function idle(child: ChildProcess): void {
  child.channel?.unref();
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => child.connected && child.disconnect(), IDLE_MS).unref();
}

export const helperExecFile: ExecFile = (file, args, options: ExecFileOptionsWithStringEncoding, callback) => {
  const { signal, ...rest } = options;
  if (signal?.aborted) return callback(Object.assign(new Error("The operation was aborted"), { name: "AbortError", code: "ABORT_ERR" }), "", "");
  clearTimeout(idleTimer);
  const child = helperProcess();
  child.channel?.ref();
  const id = nextId++;
  const abort = () => child.connected && child.send({ abort: id });
  signal?.addEventListener("abort", abort, { once: true });
  pending.set(id, (error, stdout, stderr) => {
    signal?.removeEventListener("abort", abort);
    callback(error, stdout, stderr);
  });
  child.send({ id, file, args: [...args], options: rest });
};
