/**
 * The CNCF Distribution registry (Debian package `docker-registry`,
 * /usr/bin/docker-registry) on loopback for tests: TLS with the loopback
 * certificate, storage in a temp folder, optionally `auth: token` behind the
 * ACR token stand-in. Its own config file; the system service is not used.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RegistryTokenAuth } from "../acrStandin";
import type { LoopbackCertificate } from "./loopbackCert";

export const DISTRIBUTION_BINARY = "/usr/bin/docker-registry";
const START_TIMEOUT_MS = 15_000;
const storageRootIn = (dir: string) => join(dir, "data");

export interface DistributionRegistryOptions {
  readonly certificate: LoopbackCertificate;
  /** Token authentication; without it the registry is open (a stand-in for a public registry such as MCR). */
  readonly tokenAuth?: RegistryTokenAuth;
  /**
   * Send blob downloads elsewhere, as MCR sends them to a regional data host: Distribution's `redirect` storage
   * middleware answers a blob GET with a 307 to this origin (`https://host:port`) plus the blob's storage path.
   */
  readonly redirectBlobsTo?: string;
}

export class DistributionRegistry {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    /** `127.0.0.1:<port>`. */
    readonly host: string,
  ) {}

  /** Where the filesystem storage driver keeps blobs and manifests: the paths a redirect names are under it. */
  get storageRoot(): string {
    return storageRootIn(this.dir);
  }

  static async start(options: DistributionRegistryOptions): Promise<DistributionRegistry> {
    if (!existsSync(DISTRIBUTION_BINARY)) throw new Error(`${DISTRIBUTION_BINARY} is missing: apt-get install -y docker-registry`);
    const dir = mkdtempSync(join(tmpdir(), "hr-registry-"));
    // JSON is YAML: the registry reads this as its config.
    const config = {
      version: 0.1,
      log: { level: "info", accesslog: { disabled: true } },
      // Deletes are on: a test removes a manifest as a registry's clean-up does.
      storage: { filesystem: { rootdirectory: storageRootIn(dir) }, delete: { enabled: true } },
      http: {
        addr: "127.0.0.1:0",
        secret: randomBytes(16).toString("hex"),
        tls: { certificate: options.certificate.certFile, key: options.certificate.keyFile },
        headers: { "X-Content-Type-Options": ["nosniff"] },
      },
      health: { storagedriver: { enabled: false } },
      ...(options.redirectBlobsTo && { middleware: { storage: [{ name: "redirect", options: { baseurl: options.redirectBlobsTo } }] } }),
      ...(options.tokenAuth && {
        auth: { token: { realm: options.tokenAuth.realm, service: options.tokenAuth.service, issuer: options.tokenAuth.issuer, rootcertbundle: options.tokenAuth.rootCertBundle } },
      }),
    };
    const configFile = join(dir, "config.yml");
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const child = spawn(DISTRIBUTION_BINARY, ["serve", configFile], { stdio: ["ignore", "ignore", "pipe"], env: { PATH: process.env.PATH } });
    const host = await new Promise<string>((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => reject(new Error(`docker-registry did not start within ${START_TIMEOUT_MS} ms:\n${log.slice(-2000)}`)), START_TIMEOUT_MS);
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (chunk: string) => {
        log += chunk;
        const listening = /listening on (127\.0\.0\.1:\d+)/.exec(log);
        if (listening) {
          clearTimeout(timer);
          resolve(listening[1] as string);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`docker-registry exited with ${String(code)}:\n${log.slice(-2000)}`));
      });
    });
    child.stderr?.resume(); // keep draining its log
    return new DistributionRegistry(child, dir, host);
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGTERM");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
