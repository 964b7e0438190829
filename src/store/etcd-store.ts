/**
 * EtcdStore: the Store contract (./store.ts) over etcd v3 with the etcd3 client. Key operations
 * are single requests (./etcd-kv.ts), watches follow a RangeFollower (./etcd-watch.ts), sessions
 * are kept-alive leases (./etcd-session.ts), and locks and elections are the shared recipe
 * (./lock.ts, ./election.ts) over this store's KvPrimitives. docs/store.md is the user's guide.
 *
 * The namespace is added to every key sent and stripped from every key returned; lock and
 * election keys live inside it.
 */
import { debuglog } from 'node:util';
import { EtcdConnection, type ClientSource } from '../etcd/etcd-connection.js';
import { ClosedError, InvalidConfigError, InvalidNameError } from '../errors.js';
import { EtcdKv } from './etcd-kv.js';
import { EtcdSession } from './etcd-session.js';
import { openEtcdWatch } from './etcd-watch.js';
import { EventQueue } from './event-queue.js';
import { toBytes, type KVPair, type StoreValue } from './kv-pair.js';
import type { KvPrimitives } from './kv-primitives.js';
import { RecipeStore, expectedRevision } from './recipe-store.js';
import type { ListOptions, PutOptions, Session, SessionOptions, WatchOptions } from './store.js';
import { checkTtl, resolveStoreOptions, type ResolvedStoreOptions, type StoreOptions } from './store-options.js';
import type { KeyWatchEvent, TreeWatchEvent } from './watch-events.js';

const trace = debuglog('rollcall:store');

/**
 * StoreOptions plus how to reach etcd: `endpoints` or your own etcd3 `client`, `tls`, `auth`
 * (ConnectionOptions, src/etcd/connection-options.ts, with their defaults and environment
 * variables). `timeoutMs` is shared: it is both the store's and the connection's deadline.
 */
export interface EtcdStoreOptions extends StoreOptions, ClientSource {}

/** OPEN until close() or crash(); CLOSED is final. */
export enum EtcdStoreState {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}

const LEASE_ID = /^(0|[1-9][0-9]{0,18})$/;

export class EtcdStore extends RecipeStore implements KvPrimitives {
  readonly options: ResolvedStoreOptions;
  readonly #conn: EtcdConnection;
  readonly #kv: EtcdKv;
  #state = EtcdStoreState.OPEN;
  #closing: Promise<void> | undefined;
  readonly #sessions = new Set<EtcdSession>();
  readonly #watchStops = new Set<() => void>();

  /** Validates options (InvalidConfigError) and builds the etcd client; no etcd call yet. */
  constructor(options: EtcdStoreOptions = {}) {
    super();
    this.options = resolveStoreOptions(options);
    this.#conn = EtcdConnection.create({ ...options, timeoutMs: this.options.timeoutMs });
    this.#kv = new EtcdKv(this.#conn, this.options.namespace);
  }

  get state(): EtcdStoreState {
    return this.#state;
  }

  /** The etcd endpoints this store talks to (normalized URLs). */
  get endpoints(): readonly string[] {
    return this.#conn.endpoints;
  }

  async get(key: string): Promise<KVPair | null> {
    return this.#kv.get(this.#key(key));
  }

  async put(key: string, value: StoreValue, options: PutOptions = {}): Promise<KVPair> {
    return this.#write(key, value, undefined, options);
  }

  async delete(key: string): Promise<boolean> {
    return this.#kv.delete(this.#key(key));
  }

  async exists(key: string): Promise<boolean> {
    return (await this.#kv.get(this.#key(key))) !== null;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<KVPair[]> {
    const checked = this.#prefix(prefix);
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new InvalidConfigError(`limit must be a whole number >= 0, got ${String(limit)}`);
    }
    return this.#kv.list(checked, limit ?? 0);
  }

  async deleteTree(prefix: string): Promise<number> {
    return this.#kv.deleteTree(this.#prefix(prefix));
  }

  watch(key: string, options: WatchOptions = {}): AsyncIterable<KeyWatchEvent> {
    return {
      [Symbol.asyncIterator]: () =>
        this.#openWatch<KeyWatchEvent>(options.signal, () => {
          const checked = this.#key(key);
          return { range: { key: this.#kv.full(checked), description: `key ${this.options.namespace + checked}` }, key: checked };
        }),
    };
  }

  watchTree(prefix: string, options: WatchOptions = {}): AsyncIterable<TreeWatchEvent> {
    return {
      [Symbol.asyncIterator]: () =>
        this.#openWatch<TreeWatchEvent>(options.signal, () => ({ range: this.#kv.range(this.#prefix(prefix)) })),
    };
  }

  async atomicPut(key: string, value: StoreValue, previous: KVPair | null, options: PutOptions = {}): Promise<KVPair> {
    return this.#write(key, value, expectedRevision(key, previous, 'atomicPut'), options);
  }

  async atomicDelete(key: string, previous: KVPair): Promise<void> {
    const checked = this.#key(key);
    const expected = expectedRevision(key, previous, 'atomicDelete');
    if (expected === null) throw new InvalidConfigError('atomicDelete needs the previous KVPair, got null');
    await this.#kv.atomicDelete(checked, expected);
  }

  async session(options: SessionOptions = {}): Promise<Session> {
    this.#checkOpen();
    const ttl = options.ttl ?? this.options.sessionTtl;
    checkTtl(ttl, 'ttl');
    const session = await EtcdSession.grant(this.#conn, ttl, (done) => this.#sessions.delete(done));
    if (this.#state !== EtcdStoreState.OPEN) {
      // Granted after close() began: nobody will use it (STYLE habit 2).
      await session.close().catch(() => undefined);
      throw new ClosedError('the store was closed while the session lease was being granted');
    }
    this.#sessions.add(session);
    return session;
  }

  /**
   * Revokes this store's sessions (their `lost` abort with ClosedError; locks and leaderships
   * held through them pass on at once), ends its iterators, then closes the etcd client if the
   * store built it. A revoke that fails (etcd unreachable) is reported as a process warning
   * (`ROLLCALL_SESSION_REVOKE`); the lease then expires within its TTL. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown(false);
    return this.#closing;
  }

  /**
   * Test hook: behaves as if this process died. Keepalives stop WITHOUT revoking, so etcd expires
   * the session leases after their TTL, and only then do other clients get its locks and
   * leaderships. This handle's own `lost` signals abort at once (ClosedError cause), its
   * iterators end, the etcd client it built is closed, and every later call rejects with
   * ClosedError. Keys put with `ttl` keep their own leases.
   */
  crash(): Promise<void> {
    this.#closing ??= this.#shutdown(true);
    return this.#closing;
  }

  async #shutdown(crash: boolean): Promise<void> {
    if (this.#state !== EtcdStoreState.OPEN) return;
    this.#state = EtcdStoreState.CLOSED;
    trace('store %s: OPEN -> CLOSED (%s)', this.options.namespace, crash ? 'crash' : 'close');
    const reason = new ClosedError(crash ? 'the store crashed (test hook)' : 'the store was closed');
    const revokes: Array<Promise<void>> = [];
    for (const session of [...this.#sessions]) {
      if (crash) session.abandon(reason);
      else revokes.push(session.terminate(reason));
    }
    for (const stop of [...this.#watchStops]) stop();
    await Promise.all(revokes);
    this.#conn.close();
  }

  #openWatch<E extends KeyWatchEvent | TreeWatchEvent>(
    signal: AbortSignal | undefined,
    target: () => { range: ReturnType<EtcdKv['range']>; key?: string },
  ): EventQueue<E> {
    let resolved: { range: ReturnType<EtcdKv['range']>; key?: string };
    try {
      resolved = target();
    } catch (error) {
      const failed = new EventQueue<E>();
      failed.fail(error); // the first next() rejects: watch() itself never throws
      return failed;
    }
    const { queue, stop } = openEtcdWatch<E>(
      { conn: this.#conn, namespace: this.options.namespace, timeoutMs: this.options.timeoutMs, ...resolved },
      signal,
      (ended) => this.#watchStops.delete(ended),
    );
    if (!queue.ended) this.#watchStops.add(stop);
    return queue;
  }

  async #write(key: string, value: StoreValue, expected: number | null | undefined, options: PutOptions): Promise<KVPair> {
    const checked = this.#key(key);
    const bytes = toBytes(value);
    const { ttl, lease } = options;
    if (ttl !== undefined && lease !== undefined) throw new InvalidConfigError('give ttl or lease, not both');
    if (lease !== undefined && (typeof lease !== 'string' || !LEASE_ID.test(lease))) {
      throw new InvalidConfigError(`lease must be a decimal lease id, got ${String(lease)}`, { details: { lease } });
    }
    if (ttl !== undefined) checkTtl(ttl, 'ttl');
    const granted = ttl === undefined ? undefined : await this.#kv.grantTtlLease(ttl);
    try {
      return await this.#kv.put(checked, bytes, granted ?? lease ?? '0', expected);
    } catch (error) {
      if (granted !== undefined) await this.#kv.dropLease(granted);
      throw error;
    }
  }

  #checkOpen(): void {
    if (this.#state !== EtcdStoreState.OPEN) throw new ClosedError('the store is closed');
  }

  /** A key for a single-key operation; checks the store is open and the key non-empty. */
  #key(key: string): string {
    this.#checkOpen();
    if (typeof key !== 'string' || key === '') {
      throw new InvalidNameError(`a key must be a non-empty string, got ${JSON.stringify(key)}`);
    }
    return key;
  }

  /** A prefix (`''`: the whole namespace); checks the store is open. */
  #prefix(prefix: string): string {
    this.#checkOpen();
    if (typeof prefix !== 'string') throw new InvalidNameError(`a prefix must be a string, got ${typeof prefix}`);
    return prefix;
  }
}

