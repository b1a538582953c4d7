import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:https";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { freePort } from "./freePort";
import type { LoopbackCertificate } from "./loopbackCert";

export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's published well-known development key (not a secret). */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
export const AZURITE_SHARED_KEY = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);

export interface AzuriteOptions {
  /** Serve HTTPS with this certificate (required for OAuth). */
  certificate?: LoopbackCertificate;
  /** Accept bearer tokens (Azurite's "basic" OAuth: claims are checked, signatures are not). */
  oauth?: boolean;
  /** More storage accounts beside devstoreaccount1, each with its well-known key (a second account without a second process). */
  moreAccounts?: readonly string[];
}

/**
 * Microsoft's Storage emulator (npm `azurite`), Blob service only, on a
 * loopback port, its data in memory: nothing of it outlives the process
 * (its data folder on disk was never removed). Telemetry off: it must not call home.
 */
export class Azurite {
  private child: ChildProcess | undefined;

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
    return this.endpointOf(AZURITE_ACCOUNT);
  }

  /** The endpoint of an account: devstoreaccount1, or one of `moreAccounts`. */
  endpointOf(account: string): string {
    return `${this.options.certificate ? "https" : "http"}://127.0.0.1:${this.port}/${account}`;
  }

  /**
   * An admin's PUT (create a container with `<name>?restype=container`, or a
   * blob) with an account SAS over HTTPS: a process that cannot trust the
   * loopback certificate globally passes it as the CA here.
   */
  putAsAdmin(path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<number> {
    const sas = generateAccountSASQueryParameters(
      {
        services: AccountSASServices.parse("b").toString(),
        resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
        permissions: AccountSASPermissions.parse("rwdlacu"),
        expiresOn: new Date(Date.now() + 3_600_000),
      },
      AZURITE_SHARED_KEY,
    ).toString();
    const url = new URL(`${this.blobEndpoint}/${path}${path.includes("?") ? "&" : "?"}${sas}`);
    return new Promise((resolve, reject) => {
      const put = request(url, { method: "PUT", ca: this.options.certificate?.cert, headers: { "content-length": String(Buffer.byteLength(body)), ...headers } }, (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      });
      put.on("error", reject);
      put.end(body);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    await exited;
  }

  private async launch(): Promise<void> {
    const tls = this.options.certificate;
    // prettier-ignore
    const args = [
      require.resolve("azurite/dist/src/blob/main.js"),
      "--blobHost", "127.0.0.1", "--blobPort", String(this.port),
      "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck",
      ...(tls ? ["--cert", tls.certFile, "--key", tls.keyFile] : []),
      ...(this.options.oauth ? ["--oauth", "basic"] : []),
    ];
    // Named accounts replace the default one, so it is named too.
    const accounts = this.options.moreAccounts?.length ? [AZURITE_ACCOUNT, ...this.options.moreAccounts].map((name) => `${name}:${AZURITE_KEY}`).join(";") : undefined;
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: accounts === undefined ? process.env : { ...process.env, AZURITE_ACCOUNTS: accounts } });
    this.child = child;
    await new Promise<void>((ready, fail) => {
      let output = "";
      // About 3 s on an idle machine; a loaded one (a whole test suite on two cores) has taken over 20 s.
      const timer = setTimeout(() => fail(new Error(`Azurite did not start within 45 s: ${output}`)), 45_000);
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
