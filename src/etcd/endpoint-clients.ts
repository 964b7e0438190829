/**
 * One etcd client per endpoint, for the streams that must stay on one member: lease keepalives
 * and watches. etcd3's pool picks a random member for each new stream and skips a member only once
 * its calls fail; a paused or partitioned member keeps its TCP connection up and simply never
 * answers, so a stream on it hangs and gRPC never fails over by itself. Keepalives
 * (KeepAliveChannel) and watches (SharedWatchStream) therefore run on a client bound to one
 * endpoint and move to the NEXT endpoint, round robin from the one that failed, as soon as an
 * attempt there goes unanswered.
 *
 * The clients are built lazily, one per endpoint actually used, with the connection's own options
 * (TLS, auth), shared by the connection's keepalives and watches, and closed with the connection.
 * A connection around a client the user passed in cannot build clients like it: it has one place
 * to go, that client, on whatever member etcd3 picks for each new stream.
 */
import type { Etcd3 } from 'etcd3';

export class EndpointClients {
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

  /** How many places a stream can go: the endpoints, or 1 when only the shared client can be used. */
  get count(): number {
    return this.build === undefined ? 1 : Math.max(1, this.endpoints.length);
  }

  /** The index after `index`, round robin: where a stream goes once the one at `index` failed. */
  next(index: number): number {
    return (index + 1) % this.count;
  }

  /** The endpoint at `index` (modulo count); undefined on the shared client (etcd3 picks the member). */
  endpoint(index: number): string | undefined {
    return this.build === undefined ? undefined : this.endpoints[index % this.count];
  }

  /** The endpoint at `index` for messages: "any endpoint" on the shared client. */
  describe(index: number): string {
    return this.endpoint(index) ?? 'any endpoint';
  }

  /** The client bound to the endpoint at `index` (modulo count); the shared one when it cannot be. */
  client(index: number): Etcd3 {
    const endpoint = this.endpoint(index);
    if (this.build === undefined || endpoint === undefined || this.#closed) return this.shared;
    let client = this.#clients.get(endpoint);
    if (client === undefined) {
      client = this.build(endpoint);
      this.#clients.set(endpoint, client);
    }
    return client;
  }

  /** Closes the clients built here (never the shared one). */
  close(): void {
    this.#closed = true;
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
