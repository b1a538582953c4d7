/**
 * The real platform, built at the edge from this process (its PID, host,
 * folders, signals to other PIDs, /proc): everything below takes the Platform
 * port (core/platform.ts).
 */

import { readFile, readlink } from "node:fs/promises";
import { homedir, hostname, tmpdir } from "node:os";
import * as path from "node:path";
import type { Platform } from "../core/platform";
import { startTimeLookup, type StartTimeLookup } from "./processStart";

/** How processes are told apart on this host: the scope PIDs are unique in, and when a process started. */
export interface ProcessIdentity {
  /** Where a PID names one process (the PID namespace on Linux); undefined when unknown, and then nothing is tagged. */
  readonly scope: string | undefined;
  readonly startTimeOf: StartTimeLookup;
}

export function systemPlatform(): Platform {
  return platformOf(process.platform, systemProcessIdentity(process.platform));
}

/** The real machine with `identity` for telling processes apart: tests inject a Windows or macOS one. */
export function platformOf(os: NodeJS.Platform, identity: Promise<ProcessIdentity> | ProcessIdentity): Platform {
  const identified = Promise.resolve(identity);
  let ownTag: Promise<string | undefined> | undefined;
  const startOf = async (pid: number) => (await identified).startTimeOf(pid).catch(() => undefined);
  const tagOf = async (pid: number) => {
    const { scope } = await identified;
    const start = scope === undefined ? undefined : await startOf(pid);
    return start === undefined ? undefined : `${scope}/${start}`;
  };
  return {
    os,
    path,
    pid: process.pid,
    hostname: hostname(),
    homedir: homedir(),
    tmpdir: tmpdir(),
    // This process's own tag is asked for by every lock it takes: looked up once (a child process on Windows and macOS).
    processTagOf: (pid) => (pid === process.pid ? (ownTag ??= tagOf(pid)) : tagOf(pid)),
    async isRunning(pid, tag) {
      const { scope } = await identified;
      const [tagScope, tagStart] = splitTag(tag);
      if (tagScope !== undefined && tagScope !== scope) return undefined; // its PID names another process here
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
      }
      // The same PID is the same process only if it started when the recorded one did (PIDs are reused). A start this
      // host cannot tell now (the lookup failed) leaves the PID's word: alive means held, as for a lock with no tag.
      const start = tagStart === undefined ? undefined : await startOf(pid);
      return start === undefined || start === tagStart;
    },
  };
}

function splitTag(tag: string | undefined): [string | undefined, string | undefined] {
  const slash = tag?.indexOf("/") ?? -1;
  return tag === undefined || slash < 0 ? [undefined, undefined] : [tag.slice(0, slash), tag.slice(slash + 1)];
}

/** Linux tells PIDs apart per PID namespace, through /proc; Windows and macOS have one PID space, asked through a tool. */
async function systemProcessIdentity(os: NodeJS.Platform): Promise<ProcessIdentity> {
  if (os === "win32" || os === "darwin") return { scope: os, startTimeOf: startTimeLookup(os, process.env) };
  const namespace = await readlink("/proc/self/ns/pid").catch(() => undefined);
  return { scope: namespace, startTimeOf: linuxStartTicks };
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined when /proc does not tell. */
async function linuxStartTicks(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  // Fields after the command name (which may hold spaces) start after its ")": the state is field 3.
  return stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}
