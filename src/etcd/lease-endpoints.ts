/**
 * Where keepalives go. etcd3's pool picks a random member for each new stream and skips a member
 * only once its calls fail; a paused or partitioned member keeps its TCP connection up and simply
 * never answers, so a keepalive stream on it hangs and gRPC never fails over by itself. Keepalives
 * therefore run on a client bound to one endpoint (the first listed, at first) and move to the
 * next endpoint as soon as an attempt goes unanswered within its deadline (KeepAliveChannel).
 *
 * The clients are built lazily, one per endpoint actually used, with the connection's own options
 * (TLS, auth), and closed with the connection. A connection around a client the user passed in
 * cannot build clients like it: its keepalives use that client, on whatever member etcd3 picks for
 * each new stream.
 */
import type { Etcd3, LeaseClient } from 'etcd3';

export class LeaseEndpoints {
  readonly #clients = new Map<string, Etcd3>();
  #closed = false;

  /**
   * @param endpoints the connection's endpoints, in the order given
   * @param shared the connection's client
   * @param build builds a client bound to one endpoint; undefined when the connection cannot
   */
  constructor(
    private readonly endpoints: readonly string[],
    private readonly shared: Etcd3,
    private readonly build: ((endpoint: string) => Etcd3) | undefined,
  ) {}

  /** How many places keepalives can go: the endpoints, or 1 when only the shared client can be used. */
  get count(): number {
    return this.build === undefined ? 1 : Math.max(1, this.endpoints.length);
  }

  /** The endpoint at `index` (modulo count), or "any" when keepalives use the shared client. */
  describe(index: number): string {
    return this.build === undefined ? 'any endpoint' : (this.endpoints[index % this.count] ?? 'any endpoint');
  }

  /** The lease service to use for keepalives at `index` (modulo count). */
  leaseClient(index: number): LeaseClient {
    const endpoint = this.endpoints[index % this.count];
    if (this.build === undefined || endpoint === undefined || this.#closed) return this.shared.leaseClient;
    let client = this.#clients.get(endpoint);
    if (client === undefined) {
      client = this.build(endpoint);
      this.#clients.set(endpoint, client);
    }
    return client.leaseClient;
  }

  /** Closes the clients built here (never the shared one). */
  close(): void {
    this.#closed = true;
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
