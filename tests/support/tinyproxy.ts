import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/freePort";
import { tempDir } from "./standin";

/**
 * A real HTTP CONNECT proxy on loopback: Debian's tinyproxy (installed by
 * .ci/run), with its own configuration and log in a temporary folder. The
 * log tells which tunnels it opened.
 */
export class TinyProxy {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly logFile: string,
  ) {}

  static async start(): Promise<TinyProxy> {
    const dir = tempDir("hr-tinyproxy-");
    const port = await freePort();
    const logFile = join(dir, "tinyproxy.log");
    const config = join(dir, "tinyproxy.conf");
    // No ConnectPort lines: tunnels to any port (the stand-ins listen on ephemeral ones).
    writeFileSync(config, [`Port ${port}`, "Listen 127.0.0.1", "Timeout 60", `LogFile "${logFile}"`, "LogLevel Info", `PidFile "${join(dir, "tinyproxy.pid")}"`, "MaxClients 50", "Allow 127.0.0.1", ""].join("\n"));
    const child = spawn("tinyproxy", ["-d", "-c", config], { stdio: ["ignore", "ignore", "pipe"] });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("error", (error) => reject(new Error(`tinyproxy could not start (${error.message}); install it: apt-get install tinyproxy (.ci/run does)`)));
      child.once("spawn", () => resolve());
    });
    await spawned;
    const proxy = new TinyProxy(child, `http://127.0.0.1:${port}`, logFile);
    await proxy.listening(port);
    return proxy;
  }

  /** The `host:port` of every CONNECT tunnel it was asked for, in order. */
  tunnels(): string[] {
    let log: string;
    try {
      log = readFileSync(this.logFile, "utf8");
    } catch {
      return []; // nothing logged yet
    }
    return [...log.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((match) => match[1] as string);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once("exit", done));
    this.child.kill("SIGTERM");
    await exited;
  }

  private async listening(port: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      });
      if (open) return;
      if (Date.now() > deadline) throw new Error(`tinyproxy did not listen on port ${port} within 10 s`);
      await new Promise((later) => setTimeout(later, 50));
    }
  }
}
