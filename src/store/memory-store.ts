/**
 * MemoryStore: the Store contract in-process, for unit tests and offline development. Never a
 * production backend: nothing is persisted or replicated, and a lease only dies by close(),
 * crash() or backend.expireLease() (an in-process keepalive never fails).
 *
 * Several handles can share one MemoryBackend; each then behaves like a separate etcd client
 * (own sessions, own namespace, own close()).
 */
import { ClosedError, InvalidConfigError, InvalidNameError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import { toBytes, type KVPair, type StoreValue } from './kv-pair.js';
import { RecipeStore, expectedRevision } from './recipe-store.js';
import { MemoryBackend } from './memory-backend.js';
import { failureToError, toChangeEvent, toKVPair } from './memory-convert.js';
import { MemorySession } from './memory-session.js';
import type { ListOptions, PutOptions, Session, SessionOptions, WatchOptions } from './store.js';
import { checkTtl, resolveStoreOptions, type ResolvedStoreOptions, type StoreOptions } from './store-options.js';
import type { ChangeEvent, KeyWatchEvent, TreeWatchEvent } from './watch-events.js';

export interface MemoryStoreOptions extends StoreOptions {
  /** State to share with other handles, as clients share one etcd. Default: a new private backend. */
  backend?: MemoryBackend;
}

/** OPEN until close() or crash(); CLOSED is final. */
export enum MemoryStoreState {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}

const LEASE_ID = /^(0|[1-9][0-9]{0,18})$/;

export class MemoryStore extends RecipeStore {
  readonly backend: MemoryBackend;
  readonly options: ResolvedStoreOptions;
  #state = MemoryStoreState.OPEN;
  #closing: Promise<void> | undefined;
  readonly #sessions = new Set<MemorySession>();
  readonly #watchStops = new Set<() => void>();

  /** Throws InvalidConfigError for invalid options. */
  constructor(options: MemoryStoreOptions = {}) {
    super();
    this.options = resolveStoreOptions(options);
    this.backend = options.backend ?? new MemoryBackend();
  }

  get state(): MemoryStoreState {
    return this.#state;
  }

  async get(key: string): Promise<KVPair | null> {
    const full = this.#key(key);
    const entry = this.backend.get(full);
    return entry ? toKVPair(entry, this.options.namespace) : null;
  }

  async put(key: string, value: StoreValue, options: PutOptions = {}): Promise<KVPair> {
    return this.#write(key, value, undefined, options);
  }

  async delete(key: string): Promise<boolean> {
    const result = this.backend.delete(this.#key(key));
    return result.ok && result.value !== undefined;
  }

  async exists(key: string): Promise<boolean> {
    return this.backend.get(this.#key(key)) !== undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<KVPair[]> {
    const full = this.#prefix(prefix);
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new InvalidConfigError(`limit must be a whole number >= 0, got ${String(limit)}`);
    }
    return this.backend.range(full, limit).map((e) => toKVPair(e, this.options.namespace));
  }

  async deleteTree(prefix: string): Promise<number> {
    return this.backend.deleteRange(this.#prefix(prefix));
  }

  watch(key: string, options: WatchOptions = {}): AsyncIterable<KeyWatchEvent> {
    return {
      [Symbol.asyncIterator]: () =>
        this.#openWatch<KeyWatchEvent>(() => this.#key(key), false, options.signal, (full, revision) => {
          const entry = this.backend.get(full);
          return { type: 'snapshot', kv: entry ? toKVPair(entry, this.options.namespace) : null, revision };
        }),
    };
  }

  watchTree(prefix: string, options: WatchOptions = {}): AsyncIterable<TreeWatchEvent> {
    return {
      [Symbol.asyncIterator]: () =>
        this.#openWatch<TreeWatchEvent>(() => this.#prefix(prefix), true, options.signal, (full, revision) => ({
          type: 'snapshot',
          kvs: this.backend.range(full).map((e) => toKVPair(e, this.options.namespace)),
          revision,
        })),
    };
  }

  async atomicPut(key: string, value: StoreValue, previous: KVPair | null, options: PutOptions = {}): Promise<KVPair> {
    return this.#write(key, value, expectedRevision(key, previous, 'atomicPut'), options);
  }

  async atomicDelete(key: string, previous: KVPair): Promise<void> {
    const full = this.#key(key);
    const expected = expectedRevision(key, previous, 'atomicDelete');
    if (expected === null) throw new InvalidConfigError('atomicDelete needs the previous KVPair, got null');
    const result = this.backend.delete(full, expected);
    if (!result.ok) throw failureToError(result, key, expected);
  }

  async session(options: SessionOptions = {}): Promise<Session> {
    this.#checkOpen();
    const ttl = options.ttl ?? this.options.sessionTtl;
    checkTtl(ttl, 'ttl');
    const session = new MemorySession(this.backend, ttl, (done) => this.#sessions.delete(done));
    this.#sessions.add(session);
    return session;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown(false);
    return this.#closing;
  }

  /**
   * Simulates this client crashing: its sessions' leases expire at once (as etcd expires them
   * once a dead client's TTL runs out), so its locks and leaderships pass to the next in line
   * and their `lost` abort with LockLostError caused by LeaseLostError. Then the handle is
   * closed like close(). Keys put with `ttl` keep their own timers.
   */
  crash(): Promise<void> {
    this.#closing ??= this.#shutdown(true);
    return this.#closing;
  }

  async #shutdown(crash: boolean): Promise<void> {
    if (this.#state !== MemoryStoreState.OPEN) return;
    this.#state = MemoryStoreState.CLOSED;
    for (const session of [...this.#sessions]) {
      if (crash) this.backend.expireLease(session.lease);
      else session.terminate(new ClosedError('the store was closed', { details: { lease: session.lease } }));
    }
    for (const stop of [...this.#watchStops]) stop();
  }

  #openWatch<E extends KeyWatchEvent | TreeWatchEvent>(
    resolveKey: () => string,
    prefix: boolean,
    signal: AbortSignal | undefined,
    snapshot: (full: string, revision: number) => E,
  ): EventQueue<E> {
    const queue = new EventQueue<E>();
    let full: string;
    try {
      full = resolveKey();
    } catch (error) {
      queue.fail(error); // the first next() rejects: watch() itself never throws
      return queue;
    }
    if (signal?.aborted) {
      queue.end();
      return queue;
    }
    // Snapshot and registration in one synchronous step: no change can fall between them.
    queue.push(snapshot(full, this.backend.revision));
    const unwatch = this.backend.watch(full, prefix, (changes) => {
      for (const change of changes) queue.push(toChangeEvent(change, this.options.namespace) as ChangeEvent & E);
    });
    const stop = (): void => {
      unwatch();
      signal?.removeEventListener('abort', stop);
      this.#watchStops.delete(stop);
      queue.end();
    };
    queue.onStop = stop;
    signal?.addEventListener('abort', stop, { once: true });
    this.#watchStops.add(stop);
    return queue;
  }

  async #write(key: string, value: StoreValue, expected: number | null | undefined, options: PutOptions): Promise<KVPair> {
    const full = this.#key(key);
    const bytes = toBytes(value);
    const { ttl, lease } = options;
    if (ttl !== undefined && lease !== undefined) throw new InvalidConfigError('give ttl or lease, not both');
    if (lease !== undefined && (typeof lease !== 'string' || !LEASE_ID.test(lease))) {
      throw new InvalidConfigError(`lease must be a decimal lease id, got ${String(lease)}`, { details: { lease } });
    }
    if (ttl !== undefined) checkTtl(ttl, 'ttl');
    const granted = ttl === undefined ? undefined : this.backend.grantLease(ttl, false);
    const result = this.backend.put(full, bytes, granted ?? lease ?? '0', expected);
    if (result.ok) return toKVPair(result.value, this.options.namespace);
    if (granted !== undefined) this.backend.revokeLease(granted);
    throw failureToError(result, key, expected, lease);
  }

  #checkOpen(): void {
    if (this.#state !== MemoryStoreState.OPEN) throw new ClosedError('the store is closed');
  }

  /** Full backend key for a single-key operation; checks the store is open and the key non-empty. */
  #key(key: string): string {
    this.#checkOpen();
    if (typeof key !== 'string' || key === '') {
      throw new InvalidNameError(`a key must be a non-empty string, got ${JSON.stringify(key)}`);
    }
    return this.options.namespace + key;
  }

  /** Full backend prefix; `''` is the whole namespace. */
  #prefix(prefix: string): string {
    this.#checkOpen();
    if (typeof prefix !== 'string') throw new InvalidNameError(`a prefix must be a string, got ${typeof prefix}`);
    return this.options.namespace + prefix;
  }
}

