import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";

/**
 * A real HTTP CONNECT proxy on loopback, as agency networks have. It records
 * each tunnel's target; with `tunnelTo`, every tunnel goes to that one local
 * address whatever host was asked for (so a test can reach "login.microsoftonline.us"
 * on a stand-in with no DNS and no internet).
 */
export class ConnectProxy {
  readonly tunnels: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(tunnelTo?: { host: string; port: number }): Promise<ConnectProxy> {
    const server = createServer((_request, response) => response.writeHead(405).end());
    const proxy = new ConnectProxy(server);
    server.on("connect", (request, client: Socket, head: Buffer) => {
      const target = request.url ?? "";
      proxy.tunnels.push(target);
      const [host = "", port = "443"] = target.split(/:(?=\d+$)/);
      const upstream = connect(tunnelTo?.port ?? Number(port), tunnelTo?.host ?? host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on("close", () => proxy.sockets.delete(socket));
        socket.on("error", () => (socket === client ? upstream : client).destroy());
      }
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", () => listening()));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((closed) => this.server.close(() => closed()));
  }
}
