import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join, normalize } from "node:path";
import type { LoopbackCertificate } from "../../scripts/lib/loopbackCert";

/**
 * A loopback HTTPS host standing in for MCR's regional data host: a registry started with `redirectBlobsTo`
 * its origin sends blob downloads here, and it serves them from that registry's storage (as a CDN in front
 * of a registry's storage does). Its certificate is its own, so a test decides whether the client trusts it.
 */
export class LayerHost {
  /** Method and path of every request, in order. */
  readonly requests: string[] = [];

  private constructor(private readonly server: Server) {}

  /** `storageRoot` is asked at each request: the registry whose storage it serves starts after this host. */
  static async start(certificate: LoopbackCertificate, storageRoot: () => string): Promise<LayerHost> {
    const server = createServer({ cert: certificate.cert, key: certificate.key });
    const host = new LayerHost(server);
    server.on("request", (request, response) => {
      host.requests.push(`${request.method} ${request.url}`);
      const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "https://layer-host").pathname));
      const file = join(storageRoot(), path);
      const size = request.method === "GET" && path.startsWith("/docker/registry/v2/blobs/") ? fileSize(file) : undefined;
      if (size === undefined) return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": size });
      createReadStream(file).pipe(response);
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", () => listening()));
    return host;
  }

  /** `https://localhost:<port>`: a name of its own, not the registry's 127.0.0.1. */
  get origin(): string {
    return `https://localhost:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((closed) => this.server.close(() => closed()));
  }
}

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}
