/** `scripts/standin.ts` as `npm run bench` starts it: a process that serves until SIGTERM (or Ctrl+C). */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";

let child: ChildProcess | undefined;
afterEach(() => child?.kill("SIGKILL")); // one the test did not stop, as it failed

it.each(["SIGTERM", "SIGINT"] as const)("removes the certificate it made, its private key among it, when stopped with %s", async (signal) => {
  const standIn = spawn(process.execPath, ["--import", "tsx", resolve(__dirname, "../../scripts/standin.ts")], { stdio: ["ignore", "pipe", "inherit"] });
  child = standIn;
  const exited = new Promise<number | null>((done) => standIn.once("exit", done));
  const first = await createInterface({ input: standIn.stdout })[Symbol.asyncIterator]().next();
  const { caFile } = JSON.parse(first.value as string) as { caFile: string };
  expect(existsSync(caFile)).toBe(true);
  expect(existsSync(resolve(dirname(caFile), "loopback-key.pem"))).toBe(true);

  standIn.kill(signal);
  expect(await exited).toBe(0);
  expect(existsSync(dirname(caFile))).toBe(false);
});
