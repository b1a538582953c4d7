/**
 * A small process that starts tools (az, cmd.exe, pulumi) for a Jest worker: tests/support/toolProcesses.ts
 * sends it each execFile call and gets back what node's execFile reported. A process is started by forking its
 * parent, which costs CPU in proportion to the parent's resident memory (a Jest worker reaches 300 to 900 MB;
 * measured 2026-12-08: 4 ms per start from a 50 MB process, 45 ms from 550 MB, 75 ms from 1 GB); this one stays small.
 */
const { execFile } = require("node:child_process");

/** Each call in flight, by id, to abort it when the worker's signal aborts. */
const running = new Map();

process.on("message", (message) => {
  if (message.abort !== undefined) return running.get(message.abort)?.abort();
  const { id, file, args, options } = message;
  const controller = new AbortController();
  running.set(id, controller);
  execFile(file, args, { ...options, signal: controller.signal }, (error, stdout, stderr) => {
    running.delete(id);
    const failure = error === null ? null : { name: error.name, message: error.message, code: error.code, killed: error.killed, signal: error.signal, cmd: error.cmd };
    if (process.connected) process.send({ id, error: failure, stdout, stderr });
  });
});

// The worker closes the channel when idle, and it closes when the worker ends: end the calls still running, and with them this.
process.on("disconnect", () => {
  for (const controller of running.values()) controller.abort();
});
