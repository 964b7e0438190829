/**
 * EtcdStore: the Store contract (./store.ts) over etcd v3 with the etcd3 client. The contract's
 * rules (checks, state, close/crash, the lock and election recipe) live in BaseStore
 * (./base-store.ts); this file maps its hooks onto etcd: key operations are single requests
 * (./etcd-kv.ts), watches follow a RangeFollower (./etcd-watch.ts), sessions are kept-alive
 * leases (./etcd-session.ts). docs/store.md is the user's guide.
 *
 * The namespace is added to every key sent and stripped from every key returned; lock and
 * election keys live inside it. A signal aborts the etcd request in flight.
 */
import { EtcdConnection, type ClientSource } from '../etcd/etcd-connection.js';
import type { ClosedError } from '../errors.js';
import { BaseStore, type Expected, type WatchSink, type WatchTarget } from './base-store.js';
import { EtcdKv } from './etcd-kv.js';
import { EtcdSession } from './etcd-session.js';
import { followEtcdRange } from './etcd-watch.js';
import type { KVPair } from './kv-pair.js';
import { REPORT_WARNING } from './kv-primitives.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';

/**
 * StoreOptions plus how to reach etcd: `endpoints` or your own etcd3 `client`, `tls`, `auth`
 * (ConnectionOptions, src/etcd/connection-options.ts, with their defaults and environment
 * variables). `timeoutMs` is shared: it is both the store's and the connection's deadline.
 */
export interface EtcdStoreOptions extends StoreOptions, ClientSource {}

export class EtcdStore extends BaseStore<EtcdSession> {
  readonly #conn: EtcdConnection;
  readonly #kv: EtcdKv;

  /** Validates options (InvalidConfigError) and builds the etcd client; no etcd call yet. */
  constructor(options: EtcdStoreOptions = {}) {
    const resolved = resolveStoreOptions(options);
    super(resolved);
    this.#conn = EtcdConnection.create({ ...options, timeoutMs: resolved.timeoutMs });
    this.#kv = new EtcdKv(this.#conn, resolved.namespace);
  }

  /** The etcd endpoints this store talks to (normalized URLs). */
  get endpoints(): readonly string[] {
    return this.#conn.endpoints;
  }

  protected getKey(key: string, signal: AbortSignal | undefined): Promise<KVPair | null> {
    return this.#kv.get(key, signal);
  }

  protected putKey(key: string, value: Uint8Array, lease: string, expected: Expected, signal: AbortSignal | undefined): Promise<KVPair> {
    return this.#kv.put(key, value, lease, expected, signal);
  }

  protected deleteKey(key: string, signal: AbortSignal | undefined): Promise<boolean> {
    return this.#kv.delete(key, signal);
  }

  protected deleteAt(key: string, expected: number, signal: AbortSignal | undefined): Promise<void> {
    return this.#kv.atomicDelete(key, expected, signal);
  }

  protected listPrefix(prefix: string, limit: number, signal: AbortSignal | undefined): Promise<KVPair[]> {
    return this.#kv.list(prefix, limit, signal);
  }

  protected deletePrefix(prefix: string, signal: AbortSignal | undefined): Promise<number> {
    return this.#kv.deleteTree(prefix, signal);
  }

  protected grantTtlLease(ttl: number): Promise<string> {
    return this.#kv.grantTtlLease(ttl);
  }

  protected dropLease(lease: string): Promise<void> {
    return this.#kv.dropLease(lease);
  }

  protected startWatch(target: WatchTarget, sink: WatchSink): () => void {
    const namespace = this.options.namespace;
    const range = target.prefix
      ? this.#kv.range(target.key)
      : { key: this.#kv.full(target.key), description: `key ${namespace + target.key}` };
    return followEtcdRange({ conn: this.#conn, namespace, range, tree: target.prefix, timeoutMs: this.options.timeoutMs }, sink);
  }

  protected openSession(ttl: number, onDone: (session: EtcdSession) => void): Promise<EtcdSession> {
    return EtcdSession.grant(this.#conn, ttl, onDone);
  }

  /**
   * close(): revoke the lease (a revoke that fails is reported as a `warning` event carrying an
   * EtcdRequestError; the lease then expires within its TTL). crash(): stop keepalives
   * without a revoke, so etcd expires the lease after its TTL and only then do others get its locks.
   */
  protected endSession(session: EtcdSession, crash: boolean, reason: ClosedError): Promise<void> | void {
    if (crash) session.abandon(reason);
    else return session.terminate(reason, (error) => this[REPORT_WARNING](error));
  }

  /** Closes the etcd client if this store built it. */
  protected override closeBackend(): void {
    this.#conn.close();
  }
}
