/** `scripts/standin.ts` as `npm run bench` starts it: a process that serves until SIGTERM. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";

it("removes the certificate it made, its private key among it, when stopped with SIGTERM", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(__dirname, "../../scripts/standin.ts")], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<number | null>((done) => child.once("exit", done));
  const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  const { caFile } = JSON.parse(first.value as string) as { caFile: string };
  expect(existsSync(caFile)).toBe(true);
  expect(existsSync(resolve(dirname(caFile), "loopback-key.pem"))).toBe(true);

  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(existsSync(dirname(caFile))).toBe(false);
});
