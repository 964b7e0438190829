/**
 * The shared in-process state behind MemoryStore handles: one revision counter, keys with their
 * create/mod revisions, leases, and watchers. Every mutation is one synchronous step with one
 * new revision, so several handles on one backend behave like several clients of one etcd.
 * For tests and offline development only: nothing is persisted, nothing is replicated.
 */
import { compareKeys, LeaseTable, type LeaseEnd } from './memory-leases.js';
import type { KVPairFields } from './kv-pair.js';

/** One stored version of a key. Immutable; handles copy it into KVPairs. */
export type Entry = KVPairFields;

export interface Change {
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** The new version (puts only). */
  readonly entry?: Entry;
  readonly prev?: Entry;
  readonly revision: number;
}

/** What a conditional write expects: `null` absent, a number the current modRevision, undefined nothing. */
export type Expected = number | null | undefined;

export type WriteResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: 'exists' | 'modified' | 'not-found' | 'no-lease'; readonly current?: Entry };

interface Watcher {
  readonly key: string;
  readonly prefix: boolean;
  readonly deliver: (changes: readonly Change[]) => void;
}

export class MemoryBackend {
  #revision = 1; // a fresh etcd cluster is at revision 1
  readonly #data = new Map<string, Entry>();
  readonly #leases = new LeaseTable((id) => this.expireLease(id));
  readonly #watchers = new Set<Watcher>();
  // Outgoing callbacks run in order, one at a time: a listener that writes cannot overtake
  // deliveries of earlier revisions.
  readonly #outbox: Array<() => void> = [];
  #draining = false;

  /** The current store revision. */
  get revision(): number {
    return this.#revision;
  }

  get(key: string): Entry | undefined {
    return this.#data.get(key);
  }

  /** Entries under `prefix`, sorted by key; `limit` 0 or undefined means all. */
  range(prefix: string, limit?: number): Entry[] {
    const keys: string[] = [];
    for (const key of this.#data.keys()) if (key.startsWith(prefix)) keys.push(key);
    keys.sort(compareKeys);
    const wanted = limit ? keys.slice(0, limit) : keys;
    return wanted.map((key) => this.#data.get(key) as Entry);
  }

  put(key: string, value: Uint8Array, lease: string, expected?: Expected): WriteResult<Entry> {
    const prev = this.#data.get(key);
    const failure = check(prev, expected);
    if (failure) return failure;
    if (lease !== '0' && !this.#leases.has(lease)) return { ok: false, reason: 'no-lease' };
    const revision = ++this.#revision;
    const entry: Entry = {
      key,
      value,
      createRevision: prev ? prev.createRevision : revision,
      modRevision: revision,
      version: prev ? prev.version + 1 : 1,
      lease,
    };
    if (prev && prev.lease !== '0') this.#leases.detach(prev.lease, key);
    if (lease !== '0') this.#leases.attach(lease, key);
    this.#data.set(key, entry);
    this.#publish([{ type: 'put', key, entry, revision, ...(prev ? { prev } : {}) }]);
    return { ok: true, value: entry };
  }

  /** Deletes one key if it matches `expected` (a modRevision); `value` is the deleted entry, or undefined if absent. */
  delete(key: string, expected?: number): WriteResult<Entry | undefined> {
    const prev = this.#data.get(key);
    const failure = check(prev, expected);
    if (failure) return failure;
    if (prev) this.#deleteKeys([key]);
    return { ok: true, value: prev };
  }

  /** Deletes every key under `prefix` in one revision; returns how many. */
  deleteRange(prefix: string): number {
    return this.#deleteKeys(this.range(prefix).map((e) => e.key));
  }

  grantLease(ttl: number, keepAlive: boolean): string {
    return this.#leases.grant(ttl, keepAlive);
  }

  hasLease(id: string): boolean {
    return this.#leases.has(id);
  }

  /** Ends lease `id` as a revoke: its keys are deleted in one revision. False if unknown. */
  revokeLease(id: string): boolean {
    return this.#endLease(id, 'revoked');
  }

  /**
   * Ends lease `id` as if its TTL ran out without a keepalive, which is what etcd does to the
   * leases of a crashed client. Test hook; same effect on keys as revokeLease.
   */
  expireLease(id: string): boolean {
    return this.#endLease(id, 'expired');
  }

  /** Calls `listener` once when lease `id` ends; returns the unsubscribe. */
  onLeaseEnd(id: string, listener: (how: LeaseEnd) => void): () => void {
    return this.#leases.onEnd(id, listener);
  }

  /**
   * Delivers every later change to `key` (or under it, with `prefix`) to `deliver`, grouped by
   * revision. Registering and reading a snapshot in the same synchronous step leaves no gap.
   */
  watch(key: string, prefix: boolean, deliver: (changes: readonly Change[]) => void): () => void {
    const watcher: Watcher = { key, prefix, deliver };
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  #endLease(id: string, how: LeaseEnd): boolean {
    const removed = this.#leases.remove(id);
    if (!removed) return false;
    this.#deleteKeys(removed.keys);
    for (const listener of removed.listeners) this.#enqueue(() => listener(how));
    return true;
  }

  #deleteKeys(keys: readonly string[]): number {
    if (keys.length === 0) return 0;
    const revision = ++this.#revision;
    const changes: Change[] = [];
    for (const key of keys) {
      const prev = this.#data.get(key);
      if (!prev) continue;
      this.#data.delete(key);
      if (prev.lease !== '0') this.#leases.detach(prev.lease, key);
      changes.push({ type: 'delete', key, prev, revision });
    }
    this.#publish(changes);
    return changes.length;
  }

  #publish(changes: readonly Change[]): void {
    for (const watcher of this.#watchers) {
      const matching = changes.filter((c) => (watcher.prefix ? c.key.startsWith(watcher.key) : c.key === watcher.key));
      if (matching.length > 0) this.#enqueue(() => watcher.deliver(matching));
    }
  }

  #enqueue(callback: () => void): void {
    this.#outbox.push(callback);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#outbox.shift(); next; next = this.#outbox.shift()) next();
    } finally {
      this.#draining = false;
    }
  }
}

function check(current: Entry | undefined, expected: Expected): WriteResult<never> | undefined {
  if (expected === undefined) return undefined;
  if (expected === null) return current ? { ok: false, reason: 'exists', current } : undefined;
  if (!current) return { ok: false, reason: 'not-found' };
  return current.modRevision === expected ? undefined : { ok: false, reason: 'modified', current };
}
