import { createServer, type Socket } from "node:net";
import { createTokenSource } from "../../uploader/src/auth/tokenSource";
import { readFlags } from "../../uploader/src/cli/args";
import { COMMANDS } from "../../uploader/src/cli/commands";
import { uploadConfigFrom } from "../../uploader/src/cli/config";
import { AuthError } from "../../uploader/src/core/errors";
import { systemPlatform } from "../../uploader/src/cli/systemPlatform";
import { NEVER_CANCELLED } from "../../uploader/src/core/stop";
import { ManualClock } from "../support/clock";
import { tempDir } from "../support/standin";
import { rmSync } from "node:fs";

const GUID = "29ee526e-f9a7-4e98-a682-67f41bfd643e";

describe("sign-in with the default settings", () => {
  it("gives up within 120 s even when no token request is ever answered, each cut at 30 s (an upload's timeout is 400 s)", async () => {
    // A sign-in host that takes the connection and never says a word: not even the TLS handshake.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((listening) => silent.listen(0, "127.0.0.1", () => listening()));
    const folder = tempDir();
    try {
      const authorityHost = `https://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const argv = ["--cloud", "gcch", "--tenant-id", GUID, "--app-id", GUID, "--job-id", GUID, "--csv", "employees.csv", "--authority-host", authorityHost, "--checkpoint-dir", folder, "--lock-dir", folder];
      const flags = readFlags("upload", COMMANDS.upload.flags, argv, { HR_APP_SECRET: "not-a-secret" });
      const clock = new ManualClock();
      const config = await uploadConfigFrom(flags, { env: {}, platform: systemPlatform(), clock, cancellation: NEVER_CANCELLED }, () => undefined);
      expect([config.credentials.timeoutMs, config.credentials.signInTimeoutMs, config.delivery.timeoutMs]).toEqual([30_000, 120_000, 400_000]);

      const started = clock.now();
      const error = await clock.runUntil(createTokenSource(config.credentials, { clock, cancellation: NEVER_CANCELLED }).token().catch((thrown: unknown) => thrown));
      const elapsedMs = clock.now() - started;
      expect(error).toBeInstanceOf(AuthError);
      expect((error as Error).message).toMatch(/^could not get a token after \d+ attempts over \d+ s \(no answer from 127\.0\.0\.1:\d+ within 30 s\)$/);
      expect(elapsedMs).toBeGreaterThanOrEqual(60_000); // it did try more than once
      expect(elapsedMs).toBeLessThanOrEqual(120_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
