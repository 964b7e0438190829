/**
 * MemoryStore: the Store contract in-process, for unit tests and offline development. Never a
 * production backend: nothing is persisted or replicated, and a lease only dies by close(),
 * crash() or backend.expireLease() (an in-process keepalive never fails).
 *
 * Several handles can share one MemoryBackend; each then behaves like a separate etcd client
 * (own sessions, own namespace, own close()). The contract's rules live in BaseStore
 * (./base-store.ts); this file only maps its hooks onto the backend, which answers at once, so a
 * signal matters only before a call starts.
 */
import type { ClosedError } from '../errors.js';
import { BaseStore, type Expected, type WatchSink, type WatchTarget } from './base-store.js';
import type { KVPair } from './kv-pair.js';
import { MemoryBackend } from './memory-backend.js';
import { toChangeEvent, toKVPair, writeFailure } from './memory-convert.js';
import { MemorySession } from './memory-session.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';

export interface MemoryStoreOptions extends StoreOptions {
  /** State to share with other handles, as clients share one etcd. Default: a new private backend. */
  backend?: MemoryBackend;
}

export class MemoryStore extends BaseStore<MemorySession> {
  readonly backend: MemoryBackend;

  /** Throws InvalidConfigError for invalid options. */
  constructor(options: MemoryStoreOptions = {}) {
    super(resolveStoreOptions(options));
    this.backend = options.backend ?? new MemoryBackend();
  }

  protected async getKey(key: string): Promise<KVPair | null> {
    const entry = this.backend.get(this.#full(key));
    return entry ? toKVPair(entry, this.options.namespace) : null;
  }

  protected async putKey(key: string, value: Uint8Array, lease: string, expected: Expected): Promise<KVPair> {
    const result = this.backend.put(this.#full(key), value, lease, expected);
    if (!result.ok) throw writeFailure(result, key, expected, lease);
    return toKVPair(result.value, this.options.namespace);
  }

  protected async deleteKey(key: string): Promise<boolean> {
    const result = this.backend.delete(this.#full(key));
    return result.ok && result.value !== undefined;
  }

  protected async deleteAt(key: string, expected: number): Promise<void> {
    const result = this.backend.delete(this.#full(key), expected);
    if (!result.ok) throw writeFailure(result, key, expected);
  }

  protected async listPrefix(prefix: string, limit: number): Promise<KVPair[]> {
    return this.backend.range(this.#full(prefix), limit).map((e) => toKVPair(e, this.options.namespace));
  }

  protected async deletePrefix(prefix: string): Promise<number> {
    return this.backend.deleteRange(this.#full(prefix));
  }

  protected async grantTtlLease(ttl: number): Promise<string> {
    return this.backend.grantLease(ttl, false);
  }

  protected async dropLease(lease: string): Promise<void> {
    this.backend.revokeLease(lease);
  }

  protected startWatch(target: WatchTarget, sink: WatchSink): () => void {
    const full = this.#full(target.key);
    const namespace = this.options.namespace;
    const revision = this.backend.revision;
    // Snapshot and registration in one synchronous step: no change can fall between them.
    if (target.prefix) {
      sink.push({ type: 'snapshot', kvs: this.backend.range(full).map((e) => toKVPair(e, namespace)), revision });
    } else {
      const entry = this.backend.get(full);
      sink.push({ type: 'snapshot', kv: entry ? toKVPair(entry, namespace) : null, revision });
    }
    return this.backend.watch(full, target.prefix, (changes) => {
      for (const change of changes) sink.push(toChangeEvent(change, namespace));
    });
  }

  protected async openSession(ttl: number, onDone: (session: MemorySession) => void): Promise<MemorySession> {
    return new MemorySession(this.backend, ttl, onDone);
  }

  /**
   * close(): the lease is revoked and `lost` aborts with `reason`. crash(): the lease expires as
   * etcd expires a dead client's, so holders see LockLostError caused by LeaseLostError and the
   * next waiter gets the lock at once.
   */
  protected endSession(session: MemorySession, crash: boolean, reason: ClosedError): void {
    if (crash) this.backend.expireLease(session.lease);
    else session.terminate(reason);
  }

  #full(key: string): string {
    return this.options.namespace + key;
  }
}
