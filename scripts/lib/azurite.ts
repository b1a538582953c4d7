import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoopbackCertificate } from "./loopbackCert";

export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's published well-known development key (not a secret). */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Serve HTTPS with this certificate (required for OAuth). */
  certificate?: LoopbackCertificate;
  /** Accept bearer tokens (Azurite's "basic" OAuth: claims are checked, signatures are not). */
  oauth?: boolean;
}

/**
 * Microsoft's Storage emulator (npm `azurite`), Blob service only, on a fixed
 * loopback port with its data on disk, so it can be restarted mid-test and
 * keep its blobs, ETags and leases. Telemetry off: it must not call home.
 */
export class Azurite {
  private child: ChildProcess | undefined;
  private readonly dataDir = mkdtempSync(join(tmpdir(), "hr-azurite-"));

  private constructor(
    readonly port: number,
    private readonly options: AzuriteOptions,
  ) {}

  static async start(options: AzuriteOptions = {}): Promise<Azurite> {
    const azurite = new Azurite(await freePort(), options);
    await azurite.launch();
    return azurite;
  }

  /** e.g. https://127.0.0.1:PORT/devstoreaccount1 (path-style, as the SDK expects for an IP host). */
  get blobEndpoint(): string {
    return `${this.options.certificate ? "https" : "http"}://127.0.0.1:${this.port}/${AZURITE_ACCOUNT}`;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM"); // a graceful stop persists its metadata
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  private async launch(): Promise<void> {
    const tls = this.options.certificate;
    // prettier-ignore
    const args = [
      require.resolve("azurite/dist/src/blob/main.js"),
      "--blobHost", "127.0.0.1", "--blobPort", String(this.port),
      "--location", this.dataDir, "--disableTelemetry", "--skipApiVersionCheck",
      ...(tls ? ["--cert", tls.certFile, "--key", tls.keyFile] : []),
      ...(this.options.oauth ? ["--oauth", "basic"] : []),
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    await new Promise<void>((ready, fail) => {
      let output = "";
      const timer = setTimeout(() => fail(new Error(`Azurite did not start: ${output}`)), 20_000);
      child.stdout?.on("data", (data: Buffer) => {
        output += data.toString();
        if (/successfully listens/.test(output)) {
          clearTimeout(timer);
          ready();
        }
      });
      child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
      child.once("exit", () => {
        clearTimeout(timer);
        fail(new Error(`Azurite exited: ${output}`));
      });
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
