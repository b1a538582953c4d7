import { readdirSync, readFileSync } from "node:fs";

/** The names of a process's OS threads (Linux; Node names a worker thread's "WorkerThread"); empty once it has ended. */
export function threadNames(pid: number | "self"): string[] {
  const names: string[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) names.push(readFileSync(`/proc/${pid}/task/${task}/comm`, "utf8").trim());
  } catch {
    // The process or a thread ended while we looked: what was seen so far.
  }
  return names;
}

/** How many worker threads a process runs. */
export const workerThreadsOf = (pid: number | "self") => threadNames(pid).filter((name) => name === "WorkerThread").length;
