import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const BUNDLE = resolve(__dirname, "../../dist/hr-upload.js");
const PEAK_RSS_PRELOAD = resolve(__dirname, "peak-rss.cjs");

export interface Measured {
  exitCode: number | null;
  seconds: number;
  peakRssBytes: number;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` as a child and reports its wall time and peak RSS (measured inside the child, exactly). */
export async function measureNode(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), "hr-measure-"));
  const rssFile = join(dir, "rss");
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--require", PEAK_RSS_PRELOAD, ...args], {
    env: { ...env, PEAK_RSS_FILE: rssFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const exitCode = await new Promise<number | null>((done) => child.on("close", done));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssBytes = Number(readFileSync(rssFile, "utf8").trim());
  rmSync(dir, { recursive: true, force: true });
  return { exitCode, seconds, peakRssBytes, stdout, stderr };
}

export const mebibytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
