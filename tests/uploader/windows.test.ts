import fsPromises from "node:fs/promises";
import { join } from "node:path";
import { systemClock } from "../../uploader/src/cli/systemClock";
import { NEVER_CANCELLED } from "../../uploader/src/core/stop";
import { storageCredential } from "../../uploader/src/auth/storageCredential";
import { isUrl } from "../../uploader/src/storage/blobUrl";
import { localStateStore } from "../../uploader/src/state/localState";
import { runCli } from "../support/cli";
import { envRecordingAz } from "../support/fakeCli";
import { writeFakeCmdExe } from "../support/fakeCmdExe";
import { asLinux, asWindows } from "../support/platforms";
import { tempDir } from "../support/standin";

describe("Windows is a supported platform (its code paths, run on Linux CI)", () => {
  it("takes drive-letter and UNC paths for paths, not URL schemes", async () => {
    expect(["C:\\HR\\employees.csv", "c:/hr/employees.csv", "\\\\hrserver\\exports\\employees.csv"].some(isUrl)).toBe(false);
    for (const path of ["C:\\HR\\employees.csv", "\\\\hrserver\\exports\\employees.csv"]) {
      const result = await runCli(["validate", "--csv", path], {}, asWindows());
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`error: file not found: ${path}\n`);
    }
  });

  it("keeps its state under %LOCALAPPDATA% by default, wherever the profile puts it", async () => {
    // Not the home folder's AppData\Local, which a run ignoring %LOCALAPPDATA% would also find.
    const result = await runCli(["status"], { LOCALAPPDATA: "D:\\Profiles\\hr-admin\\Local" }, asWindows());
    // No such folder on the Linux machine running this: status says where it looked.
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: no hr-upload state in D:\\Profiles\\hr-admin\\Local\\hr-upload: it does not exist/);
  });

  it.each([
    ["Windows", asWindows(), 0],
    ["Linux", asLinux(), 1],
  ] as const)("on %s, syncs the state folder after a rename only where the OS can (Windows cannot open a folder to fsync it)", async (_os, platform, folderOpens) => {
    const folder = tempDir();
    const store = localStateStore(folder, platform);
    // Watches which paths the store opens: the folder itself only for its fsync.
    const opens = jest.spyOn(fsPromises, "open");
    try {
      await store.saveRunRecord({ version: 2, runId: "00000000-0000-4000-8000-000000000001", startedAt: "2026-12-01T06:00:00.000Z", endedAt: "2026-12-01T06:00:01.000Z", file: "C:\\HR\\employees.csv", jobId: "j", scenario: "resignation", recordsDelivered: 1, chunksSent: 1, retries: 0, outcome: "delivered", exitCode: 0 });
      expect(opens.mock.calls.filter(([path]) => path === join(folder, "runs"))).toHaveLength(folderOpens);
    } finally {
      opens.mockRestore();
    }
    expect((await store.listRunRecords(1)).records).toHaveLength(1);
  });

  it("gets a Storage token from az.cmd through one cmd.exe command line, run from the system folder", async () => {
    const az = envRecordingAz(tempDir("hr-fake-az-"));
    const systemRoot = tempDir("hr-systemroot-");
    const env = {
      PATH: `${az.bin}:${process.env.PATH}`,
      SystemRoot: systemRoot,
      ComSpec: writeFakeCmdExe(systemRoot),
      HTTPS_PROXY: "http://proxy.agency.gov:8080",
      AZURE_CONFIG_DIR: "/home/hr-admin/.azure",
      // The run's own settings and secrets: az gets none of them.
      HR_APP_SECRET: "never-for-az",
      HR_CSV: "https://acct.blob.core.usgovcloudapi.net/hr-data/e.csv",
      AWS_SECRET_ACCESS_KEY: "unrelated",
    };
    const token = await storageCredential(env, asWindows(), { ...systemClock, now: () => 0 }, NEVER_CANCELLED.halt).getToken("https://storage.azure.com/.default");
    expect(token).toEqual({ token: "storage-token", expiresOnTimestamp: 4070908800000 });
    const [call] = az.calls();
    expect(call).toMatchObject({ argv: ["account", "get-access-token", "--output", "json", "--resource", "https://storage.azure.com"], cwd: systemRoot });
    expect(call?.env.filter((name) => !["PWD", "SHLVL", "_"].includes(name))).toEqual(["AZURE_CONFIG_DIR", "ComSpec", "HTTPS_PROXY", "PATH", "SystemRoot"]);

    await storageCredential(env, asLinux(), { ...systemClock, now: () => 0 }, NEVER_CANCELLED.halt).getToken("https://storage.azure.com/.default");
    expect(az.calls()).toHaveLength(2);
    expect(az.calls()[1]?.env.filter((name) => !["PWD", "SHLVL", "_"].includes(name))).toEqual(["AZURE_CONFIG_DIR", "ComSpec", "HTTPS_PROXY", "PATH", "SystemRoot"]);
  });

  it("says to install the Azure CLI when az is not there, on either platform", async () => {
    for (const platform of [asWindows({}), asLinux()]) {
      const systemRoot = tempDir();
      const credential = storageCredential({ PATH: tempDir("hr-empty-path-"), SystemRoot: systemRoot, ComSpec: writeFakeCmdExe(systemRoot) }, platform, { ...systemClock, now: () => 0 }, NEVER_CANCELLED.halt);
      await expect(credential.getToken("https://storage.azure.com/.default")).rejects.toThrow(/no Storage credential: install the Azure CLI and run az login, or use a SAS URL/);
    }
  });
});
