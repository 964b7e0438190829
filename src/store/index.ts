// The Store: one contract (./store.ts), two backends. Re-exports only; the lock/election recipe
// (./fair-queue.ts, ./kv-primitives.ts) is internal and shared by the backends.
export type {
  Leadership,
  ListOptions,
  Lock,
  OperationOptions,
  PutOptions,
  Session,
  SessionOptions,
  Store,
  StoreEvents,
  WaitOptions,
  WatchOptions,
} from './store.js';
export {
  DEFAULT_ELECTION_PREFIX,
  DEFAULT_LOCK_PREFIX,
  DEFAULT_SESSION_TTL,
  DEFAULT_STORE_TIMEOUT_MS,
  resolveStoreOptions,
  ENV_STORE_NAMESPACE,
  ENV_STORE_SESSION_TTL,
  type ResolvedStoreOptions,
  type StoreOptions,
} from './store-options.js';
export { KVPair, type KVPairFields, type StoreValue } from './kv-pair.js';
export type {
  ChangeEvent,
  DeleteEvent,
  KeySnapshot,
  KeyWatchEvent,
  PutEvent,
  TreeSnapshot,
  TreeWatchEvent,
} from './watch-events.js';
export { MemoryBackend } from './memory-backend.js';
export { StoreState } from './base-store.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { EtcdStore, type EtcdStoreOptions } from './etcd-store.js';
export { EtcdSessionState } from './etcd-session.js';
