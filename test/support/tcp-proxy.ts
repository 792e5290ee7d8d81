import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a client under test (Skein) and a real server (a database, a broker), so a test can
 * make the server "go away" and "come back" without stopping the machine's shared service:
 *
 *   const proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
 *   // point the client at 127.0.0.1:proxy.port
 *   await proxy.cut();      // open connections are reset, new ones are refused (as a stopped server)
 *   await proxy.cut('hang'); // or: new connections are accepted and never answered (a black hole)
 *   await proxy.restore();  // listening again on the same port, forwarding as before
 *   await proxy.close();
 *
 * Bytes are forwarded unchanged in both directions; the proxy knows nothing of the protocol.
 */
export class TcpProxy {
  private server: Server | undefined;
  /** Every socket of the proxy, both sides. */
  private readonly open = new Set<Socket>();
  /** The client side only. */
  private readonly clients = new Set<Socket>();
  private mode: 'forward' | 'hang' = 'forward';
  /** Connections accepted since start (a test can see that the client reconnected). */
  accepted = 0;

  private constructor(
    readonly target: { host: string; port: number },
    /** The port clients connect to; the same after cut and restore. */
    public port: number,
  ) {}

  /** Listens on `listenPort` (0: any free port) of 127.0.0.1 and forwards to `target`. */
  static async start(target: { host: string; port: number }, listenPort = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, listenPort);
    await proxy.listen();
    return proxy;
  }

  /** Open client connections through the proxy. */
  get connections(): number {
    return this.clients.size;
  }

  /**
   * The server goes away. 'refuse' (default): every open connection is reset and the port is closed, so
   * connecting fails at once with ECONNREFUSED, as when the server is stopped. 'hang': open connections
   * are reset too, but new ones are accepted and never get a byte, as behind a dropped network route.
   */
  async cut(how: 'refuse' | 'hang' = 'refuse'): Promise<void> {
    this.mode = how === 'hang' ? 'hang' : 'forward';
    this.resetAll();
    if (how === 'refuse') await this.stopListening();
    else if (this.server === undefined) await this.listen();
  }

  /** The server is back: forwarding again on the same port. */
  async restore(): Promise<void> {
    if (this.mode === 'hang') {
      this.mode = 'forward';
      this.resetAll(); // connections accepted while hanging never reached the server
    }
    if (this.server === undefined) await this.listen();
  }

  async close(): Promise<void> {
    this.resetAll();
    await this.stopListening();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (address !== null && typeof address === 'object') this.port = address.port;
        this.server = server;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    this.track(client);
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
    if (this.mode === 'hang') return; // accepted, never forwarded: the client waits for its own timeout
    const upstream = createConnection(this.target);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side failing ends the pair, as a real connection would end.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
    socket.on('error', () => undefined);
  }

  private resetAll(): void {
    for (const socket of this.open) socket.resetAndDestroy();
    this.open.clear();
    this.clients.clear();
  }
}
