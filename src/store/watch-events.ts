/**
 * What `watch`, `watchTree` and the lock/election code see. A watch yields one snapshot first,
 * then every change after the snapshot's revision, in revision order, with no gap between them.
 */
import type { KVPair } from './kv-pair.js';

/**
 * First item of `watch(key)`: the key as it was at `revision` (null: absent).
 * Yielded again later only if the backend had to resynchronise against a history that went back
 * (EtcdStore after etcd was wiped or restored): treat it as a fresh state. After a compaction
 * while disconnected, EtcdStore instead yields the difference as put/delete events (intermediate
 * versions collapsed; docs/store.md, Resync). MemoryStore never yields a second snapshot.
 */
export interface KeySnapshot {
  readonly type: 'snapshot';
  readonly kv: KVPair | null;
  /** Store revision the snapshot was read at; the changes that follow are all newer. */
  readonly revision: number;
}

/** First item of `watchTree(prefix)`: every key under the prefix at `revision`, sorted by key. Same resync rule. */
export interface TreeSnapshot {
  readonly type: 'snapshot';
  readonly kvs: readonly KVPair[];
  readonly revision: number;
}

/** A key was created or overwritten at `revision` (`kv.modRevision === revision`). */
export interface PutEvent {
  readonly type: 'put';
  readonly key: string;
  readonly kv: KVPair;
  /** The key before this put; absent when it was created, or when the backend could not supply it. */
  readonly prevKv?: KVPair;
  readonly revision: number;
}

/**
 * A key was deleted at `revision`: by delete/deleteTree/atomicDelete, or because its lease expired
 * or was revoked. The event does not say which.
 */
export interface DeleteEvent {
  readonly type: 'delete';
  readonly key: string;
  /** The key before the delete, when the backend could supply it (MemoryStore always does). */
  readonly prevKv?: KVPair;
  readonly revision: number;
}

/**
 * A change. Several events can share one revision when one operation touched several keys
 * (deleteTree, a lease expiring with many keys); they arrive together, sorted by key.
 */
export type ChangeEvent = PutEvent | DeleteEvent;

/** Items of `watch(key)`. */
export type KeyWatchEvent = KeySnapshot | ChangeEvent;

/** Items of `watchTree(prefix)`. */
export type TreeWatchEvent = TreeSnapshot | ChangeEvent;
