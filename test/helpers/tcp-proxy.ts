/**
 * A loopback TCP proxy in front of etcd that a test can cut and restore, to force a client's
 * connections (and its watch streams) to break while etcd itself keeps running and changing, or
 * to go silent: blackhole() keeps every TCP connection up (and accepts new ones) but passes
 * nothing either way, like a partition that loses packets without resetting anything; what was
 * held back flows again after restore(), as TCP retransmission would deliver it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { TestContext } from 'node:test';

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private blocked = false;
  private silent = false;
  /** Connections accepted while silent, not yet connected to etcd. */
  private readonly held: Socket[] = [];
  /** Bytes passed from etcd to clients so far: shows whether a client is using this proxy. */
  bytesDown = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Starts a proxy on 127.0.0.1 forwarding to `targetUrl` (http://127.0.0.1:PORT); closed when `t` ends. */
  static async start(t: TestContext, targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const target = { host: url.hostname, port: Number(url.port) };
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => holder.proxy?.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    const started = new TcpProxy(server, address.port, target);
    holder.proxy = started;
    t.after(() => started.close());
    return started;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection and refuses new ones until restore(). */
  cut(): void {
    this.blocked = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Keeps connections open (and accepts new ones) but forwards nothing until restore(). */
  blackhole(): void {
    this.silent = true;
    for (const socket of this.sockets) socket.pause();
  }

  restore(): void {
    this.blocked = false;
    if (!this.silent) return;
    this.silent = false;
    for (const socket of this.sockets) socket.resume();
    for (const client of this.held.splice(0)) if (!client.destroyed) this.wire(client);
  }

  async close(): Promise<void> {
    this.cut();
    for (const client of this.held.splice(0)) client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.blocked) {
      client.destroy();
      return;
    }
    if (this.silent) {
      client.pause();
      client.on('error', () => undefined);
      this.held.push(client);
      return;
    }
    this.wire(client);
  }

  private wire(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    // Forwarded by hand rather than piped: blackhole() pauses reading, which pipe() would undo.
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      this.bytesDown += chunk.length;
      client.write(chunk);
    });
    // A connection held while silent was paused explicitly: a 'data' listener alone does not restart it.
    client.resume();
  }
}
