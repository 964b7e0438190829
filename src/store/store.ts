/**
 * The Store: a libkv/valkeyrie-style key-value API over etcd v3 semantics. Two implementations
 * keep one contract (test/contract/store-contract.ts): EtcdStore over the etcd3 client, and
 * MemoryStore, in-process, for tests and offline development only.
 *
 * Every method returns a promise and never throws synchronously; after close() every call
 * rejects with ClosedError. Keys are strings, relative to the store's namespace. Every operation
 * takes an AbortSignal: one already aborted rejects with `signal.reason` before anything starts.
 */
import type { RollcallError } from '../errors.js';
import type { KVPair, StoreValue } from './kv-pair.js';
import type { KeyWatchEvent, TreeWatchEvent } from './watch-events.js';

export interface OperationOptions {
  /**
   * Aborting it rejects the call with `signal.reason`: at once when already aborted (nothing is
   * sent), otherwise as soon as it aborts. A write already sent to etcd may still be applied.
   */
  signal?: AbortSignal;
}

export interface PutOptions extends OperationOptions {
  /** Attach the key to a new lease of this many whole seconds: the key is deleted when it runs out. Not kept alive. */
  ttl?: number;
  /** Attach the key to this existing lease (decimal id, e.g. `session.lease`); "0" means none. Not with `ttl`. */
  lease?: string;
}

export interface ListOptions extends OperationOptions {
  /** Return at most this many keys (the first ones by key order). Default: all. */
  limit?: number;
}

export interface WatchOptions {
  /** Aborting it ends the iteration normally (the loop ends, nothing is thrown). */
  signal?: AbortSignal;
}

export interface SessionOptions extends OperationOptions {
  /** Lease TTL in whole seconds. Default: the store's `sessionTtl` (60). */
  ttl?: number;
}

export interface WaitOptions {
  /** TTL in whole seconds of the lease behind the queue key. Default: the store's `sessionTtl`. */
  ttl?: number;
  /** Aborting it while waiting removes the queue key and rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * A lease the store keeps alive until close(). Keys put with `{ lease: session.lease }` live as
 * long as the session: they vanish when it is closed, when its store closes, or when the client
 * dies and the TTL runs out.
 */
export interface Session {
  /** Decimal lease id. */
  readonly leaseId: string;
  /** @deprecated Same as `leaseId` (objects name the lease they hold `leaseId`; `lease` is for records, as etcd's KeyValue.lease). */
  readonly lease: string;
  /** TTL in seconds the lease was granted with. */
  readonly ttl: number;
  /**
   * Aborted when the lease ends without close(): with LeaseLostError when etcd answers that it
   * expired or was revoked elsewhere, with ClosedError when its store closed. Keepalives that get
   * no answer never abort it, however long: only etcd saying the lease is gone does.
   */
  readonly lost: AbortSignal;
  /** Revokes the lease: every key attached to it is deleted in one revision. Idempotent. */
  close(): Promise<void>;
}

/**
 * A held lock. Holding it is a belief, not a guarantee: the lease can expire (a pause longer than
 * the TTL, a partition) and someone else can then hold it. Check `lost` before each side effect,
 * and fence writes with `createRevision` or compare-and-swap.
 */
export interface Lock {
  /** The lock name given to lock(). */
  readonly name: string;
  /** This holder's queue key, `<lockPrefix><encoded name>/<lease id in hex>` (`%` -> `%25`, `/` -> `%2F`). */
  readonly key: string;
  /** Decimal id of the lease behind the key. */
  readonly leaseId: string;
  /** @deprecated Same as `leaseId`. */
  readonly lease: string;
  /** Create revision of the key. Increases with every new holder: usable as a fencing token. */
  readonly createRevision: number;
  /**
   * Aborted with LockLostError when the key is deleted or its lease dies while held (the cause
   * says why; ClosedError when the store closed). Not aborted by release().
   */
  readonly lost: AbortSignal;
  /** Deletes the key (revokes its lease) so the next waiter gets the lock. Idempotent. */
  release(): Promise<void>;
}

/** Leadership won by campaign(). Same caveats as Lock: it can be lost; watch `lost`. */
export interface Leadership {
  readonly election: string;
  /** This leader's key, `<electionPrefix><encoded election>/<lease id in hex>` (encoded as Lock.key). */
  readonly key: string;
  /** Decimal id of the lease behind the key. */
  readonly leaseId: string;
  /** @deprecated Same as `leaseId`. */
  readonly lease: string;
  /** Create revision of the key; increases with every new leader (a term number). */
  readonly createRevision: number;
  /** The leader key as last written by this leader (its value is the proclaimed value). */
  readonly kv: KVPair;
  /** Aborted with LockLostError when leadership is lost without resign(). */
  readonly lost: AbortSignal;
  /** Replaces the leader value without an election. Rejects with LockLostError once lost. */
  proclaim(value: StoreValue): Promise<KVPair>;
  /** Gives leadership up: the next candidate, if any, becomes leader. Idempotent. */
  resign(): Promise<void>;
}

/** Events of a Store. */
export interface StoreEvents {
  /**
   * A problem the store handled itself and that needs no action from the caller, e.g. a lock wait
   * that ended but whose queue key could not be removed (it goes when its lease runs out).
   * Emitting it with no listener is a no-op; a listener that throws is reported here again as a
   * ListenerError and breaks nothing.
   */
  warning: [error: RollcallError];
}

export interface Store {
  /** Listens for a store event (see StoreEvents). */
  on<K extends keyof StoreEvents>(event: K, listener: (...args: StoreEvents[K]) => void): this;
  off<K extends keyof StoreEvents>(event: K, listener: (...args: StoreEvents[K]) => void): this;
  /** The key, or null when absent. */
  get(key: string, options?: OperationOptions): Promise<KVPair | null>;
  /** Creates or overwrites the key; returns it as written. Rejects with LeaseNotFoundError for an unknown lease. */
  put(key: string, value: StoreValue, options?: PutOptions): Promise<KVPair>;
  /** Deletes the key; true when it existed. */
  delete(key: string, options?: OperationOptions): Promise<boolean>;
  exists(key: string, options?: OperationOptions): Promise<boolean>;
  /**
   * Keys starting with `prefix` (`''`: the whole namespace), sorted by key, read at one revision.
   * A key equal to `prefix` is included (valkeyrie's List returns only the keys below it).
   */
  list(prefix: string, options?: ListOptions): Promise<KVPair[]>;
  /** Deletes every key starting with `prefix`, in one revision; returns how many. `''` empties the namespace. */
  deleteTree(prefix: string, options?: OperationOptions): Promise<number>;

  /**
   * The key's current state (a KeySnapshot), then every change after it, in revision order. The
   * watch starts when iteration starts, and ends (without throwing) when `signal` aborts, the
   * loop breaks, or the store closes. Events are buffered without limit until read: a consumer
   * that stops reading without aborting makes the buffer grow.
   */
  watch(key: string, options?: WatchOptions): AsyncIterable<KeyWatchEvent>;
  /** Like watch, for every key under `prefix`; the first item lists them all (a TreeSnapshot). */
  watchTree(prefix: string, options?: WatchOptions): AsyncIterable<TreeWatchEvent>;

  /**
   * Compare-and-swap. `previous` null: create only, KeyExistsError when the key exists.
   * Otherwise writes only if the key's modRevision still equals `previous.modRevision`:
   * KeyModifiedError when it changed, KeyNotFoundError when it is gone.
   */
  atomicPut(key: string, value: StoreValue, previous: KVPair | null, options?: PutOptions): Promise<KVPair>;
  /** Deletes only if modRevision still equals `previous.modRevision`; same errors as atomicPut. */
  atomicDelete(key: string, previous: KVPair, options?: OperationOptions): Promise<void>;

  /** Grants a lease and keeps it alive until the session (or the store) is closed. */
  session(options?: SessionOptions): Promise<Session>;

  /**
   * Waits for the fair (FIFO by request) mutex `name`, any non-empty string: it is encoded into one
   * key segment, so `a` and `a/b` are independent locks. See Lock for what holding means.
   */
  lock(name: string, options?: WaitOptions): Promise<Lock>;
  /** Queues for election `name` with `value`; resolves once this candidate is leader. */
  campaign(election: string, value: StoreValue, options?: WaitOptions): Promise<Leadership>;
  /** The current leader's key (its value is the leader's value), or null when nobody campaigns. */
  leader(election: string, options?: OperationOptions): Promise<KVPair | null>;
  /**
   * The current leader (null: none), then each change of leader or of its value. Ends like
   * watch(). One operation removing several candidates at once may show intermediate leaders.
   */
  observe(election: string, options?: WatchOptions): AsyncIterable<KVPair | null>;

  /**
   * Revokes this store's sessions (releasing its locks and leaderships, whose `lost` fire),
   * ends its iterators and rejects its pending waits with ClosedError. Keys put with `ttl` are
   * left to expire on their own. Idempotent; every other call then rejects with ClosedError.
   */
  close(): Promise<void>;
}
