import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP relay on loopback in front of a server (Azurite), which a test can
 * make stall: while stalled, it accepts connections and forwards nothing, as a
 * network path that has gone dark does; or take down: while down, each new
 * connection is reset at once, as by a server that is not there. It counts the
 * connections it took.
 */
export class TcpRelay {
  stalled = false;
  down = false;
  connections = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(target: { host: string; port: number }): Promise<TcpRelay> {
    const server = createServer();
    const relay = new TcpRelay(server);
    server.on("connection", (client) => {
      relay.connections++;
      if (relay.down) return void client.resetAndDestroy();
      relay.track(client);
      if (relay.stalled) return; // held open, never answered
      const upstream = relay.track(connect(target.port, target.host));
      client.pipe(upstream).pipe(client);
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", () => listening()));
    return relay;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Cuts every connection open now, both ways, as a server going away does. */
  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((closed) => this.server.close(() => closed()));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    return socket;
  }
}
