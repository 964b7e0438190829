/**
 * What every Store backend shares, so EtcdStore and MemoryStore differ only in how they reach
 * their data. This base owns the contract's rules: argument checks, the signal check before any
 * work, the ttl/lease rules of a write, the compare-and-swap `previous` check, the OPEN -> CLOSED
 * state with close()/crash(), tracking of sessions and watch iterations, and the lock/election
 * recipe (./lock.ts, ./election.ts) over the store's own primitives. A backend implements the
 * protected hooks below; they get keys relative to the namespace, already checked, on an open
 * store, with a signal that was not aborted when the call began.
 */
import { addAbortListener } from 'node:events';
import { debuglog } from 'node:util';
import { ClosedError, InvalidConfigError, InvalidNameError, type RollcallError } from '../errors.js';
import { AsyncQueue } from '../events/async-queue.js';
import { SafeEmitter } from '../events/safe-emitter.js';
import { campaign, currentLeader, observeLeader } from './election.js';
import { toBytes, type KVPair, type StoreValue } from './kv-pair.js';
import { REPORT_WARNING, type KvPrimitives } from './kv-primitives.js';
import { acquireLock } from './lock.js';
import type * as api from './store.js';
import { checkTtl, type ResolvedStoreOptions } from './store-options.js';
import type { KeyWatchEvent, TreeWatchEvent } from './watch-events.js';

const trace = debuglog('rollcall:store');

/** The test-only crash hook's key (see crashStore in src/testing): not part of the public surface. */
export const CRASH_STORE = Symbol('rollcall.store.crash');

/** `open` until close() or a test crash; `closed` is final. (Every state type: a const object and its union.) */
export const StoreState = {
  Open: 'open',
  Closed: 'closed',
} as const;
export type StoreState = (typeof StoreState)[keyof typeof StoreState];

/** What a backend watch follows: one key, or every key under a prefix (relative to the namespace). */
export interface WatchTarget {
  readonly key: string;
  readonly prefix: boolean;
}

/** Where a backend watch delivers: the snapshot first, then changes; `fail` ends the iteration with an error. */
export interface WatchSink {
  push(event: KeyWatchEvent | TreeWatchEvent): void;
  fail(error: unknown): void;
}

/** What a write compares: undefined nothing (put), null absent (create-only), else the modRevision. */
export type Expected = number | null | undefined;

const LEASE_ID = /^(0|[1-9][0-9]{0,18})$/;

export abstract class BaseStore<S extends api.Session = api.Session> extends SafeEmitter<api.StoreEvents> implements api.Store, KvPrimitives {
  readonly options: ResolvedStoreOptions;
  #state: StoreState = StoreState.Open;
  #closing: Promise<void> | undefined;
  readonly #sessions = new Set<S>();
  /** Session grants in flight and closes of sessions granted too late: close() waits for both. */
  readonly #settling = new Set<Promise<unknown>>();
  readonly #watchStops = new Set<() => void>();

  protected constructor(options: ResolvedStoreOptions) {
    super('store');
    this.options = options;
  }

  /** Problems the store handled itself reach the `warning` event (and so `rollcall:warning`). */
  [REPORT_WARNING](error: RollcallError): void {
    this.emit('warning', error);
  }

  get state(): StoreState {
    return this.#state;
  }

  protected abstract getKey(key: string, signal: AbortSignal | undefined): Promise<KVPair | null>;
  /** Writes `value` on `lease` ("0": none) if `expected` holds; throws compareFailed / unknownLease errors. */
  protected abstract putKey(key: string, value: Uint8Array, lease: string, expected: Expected, signal: AbortSignal | undefined): Promise<KVPair>;
  protected abstract deleteKey(key: string, signal: AbortSignal | undefined): Promise<boolean>;
  protected abstract deleteAt(key: string, expected: number, signal: AbortSignal | undefined): Promise<void>;
  /** `limit` 0: every key. */
  protected abstract listPrefix(prefix: string, limit: number, signal: AbortSignal | undefined): Promise<KVPair[]>;
  protected abstract deletePrefix(prefix: string, signal: AbortSignal | undefined): Promise<number>;
  /** A lease of `ttl` seconds nobody keeps alive, for a put with `ttl`. */
  protected abstract grantTtlLease(ttl: number): Promise<string>;
  /** Revokes a lease granted for a put that then failed; never rejects (the lease expires anyway). */
  protected abstract dropLease(lease: string): Promise<void>;
  /** Starts following `target` into `sink` (snapshot first); returns how to stop. */
  protected abstract startWatch(target: WatchTarget, sink: WatchSink): () => void;
  /** Grants a kept-alive lease; `onDone` runs once when the session ends, however it ends. */
  protected abstract openSession(ttl: number, onDone: (session: S) => void): Promise<S>;
  /** The store is closing (`crash`: as if the process died): end `session`, aborting its `lost` with `reason`. */
  protected abstract endSession(session: S, crash: boolean, reason: ClosedError): Promise<void> | void;
  /** Runs last in close()/crash(), after the sessions ended and the iterations stopped. */
  protected closeBackend(): void {}

  async get(key: string, options: api.OperationOptions = {}): Promise<KVPair | null> {
    return this.getKey(this.#key(key, options.signal), options.signal);
  }

  async put(key: string, value: StoreValue, options: api.PutOptions = {}): Promise<KVPair> {
    return this.#write(key, value, undefined, options);
  }

  async delete(key: string, options: api.OperationOptions = {}): Promise<boolean> {
    return this.deleteKey(this.#key(key, options.signal), options.signal);
  }

  async exists(key: string, options: api.OperationOptions = {}): Promise<boolean> {
    return (await this.getKey(this.#key(key, options.signal), options.signal)) !== null;
  }

  async list(prefix: string, options: api.ListOptions = {}): Promise<KVPair[]> {
    const checked = this.#prefix(prefix, options.signal);
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new InvalidConfigError(`limit must be a whole number >= 0, got ${String(limit)}`);
    }
    return this.listPrefix(checked, limit ?? 0, options.signal);
  }

  async deleteTree(prefix: string, options: api.OperationOptions = {}): Promise<number> {
    return this.deletePrefix(this.#prefix(prefix, options.signal), options.signal);
  }

  watch(key: string, options: api.WatchOptions = {}): AsyncIterable<KeyWatchEvent> {
    return {
      [Symbol.asyncIterator]: () => this.#follow<KeyWatchEvent>(() => ({ key: this.#key(key), prefix: false }), options.signal),
    };
  }

  watchTree(prefix: string, options: api.WatchOptions = {}): AsyncIterable<TreeWatchEvent> {
    return {
      [Symbol.asyncIterator]: () => this.#follow<TreeWatchEvent>(() => ({ key: this.#prefix(prefix), prefix: true }), options.signal),
    };
  }

  async atomicPut(key: string, value: StoreValue, previous: KVPair | null, options: api.PutOptions = {}): Promise<KVPair> {
    options.signal?.throwIfAborted();
    return this.#write(key, value, expectedRevision(key, previous, 'atomicPut'), options);
  }

  async atomicDelete(key: string, previous: KVPair, options: api.OperationOptions = {}): Promise<void> {
    const checked = this.#key(key, options.signal);
    const expected = expectedRevision(key, previous, 'atomicDelete');
    if (expected === null) throw new InvalidConfigError('atomicDelete needs the previous KVPair, got null');
    await this.deleteAt(checked, expected, options.signal);
  }

  async session(options: api.SessionOptions = {}): Promise<api.Session> {
    const { signal } = options;
    this.#checkOpen(signal);
    const ttl = options.ttl ?? this.options.sessionTtl;
    checkTtl(ttl, 'ttl');
    const session = await unlessAborted(
      this.#settle(this.openSession(ttl, (done) => this.#sessions.delete(done))),
      signal,
      (late) => this.#settle(late.close()),
    );
    if (this.#state !== StoreState.Open || signal?.aborted) {
      // Granted after close() began or after the caller gave up: nobody will use it.
      await this.#settle(session.close()).catch(() => undefined);
      if (this.#state !== StoreState.Open) throw new ClosedError('the store was closed while the session lease was being granted');
      throw signal?.reason;
    }
    this.#sessions.add(session);
    return session;
  }

  lock(name: string, options: api.WaitOptions = {}): Promise<api.Lock> {
    return acquireLock(this, this.options.lockPrefix, name, options);
  }

  campaign(election: string, value: StoreValue, options: api.WaitOptions = {}): Promise<api.Leadership> {
    return campaign(this, this.options.electionPrefix, election, value, options);
  }

  leader(election: string, options: api.OperationOptions = {}): Promise<KVPair | null> {
    return currentLeader(this, this.options.electionPrefix, election, options);
  }

  observe(election: string, options: api.WatchOptions = {}): AsyncIterable<KVPair | null> {
    return observeLeader(this, this.options.electionPrefix, election, options);
  }

  /**
   * Ends this store's sessions (their `lost` abort with ClosedError; locks and leaderships held
   * through them pass on), ends its iterators, then lets the backend close. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown(false);
    return this.#closing;
  }

  /**
   * Test hook, reached only through `crashStore()` from rollcall/testing (the symbol keeps it off
   * the public class): behaves as if this process died. Sessions end without a clean release, so
   * other clients get their locks only when the backend expires the leases (EtcdStore: after the
   * TTL; MemoryStore: at once). Then the handle is closed as by close(). Keys put with `ttl` keep
   * their own leases.
   */
  [CRASH_STORE](): Promise<void> {
    this.#closing ??= this.#shutdown(true);
    return this.#closing;
  }

  async #shutdown(crash: boolean): Promise<void> {
    if (this.#state !== StoreState.Open) return;
    this.#state = StoreState.Closed;
    trace('store %s: OPEN -> CLOSED (%s)', this.options.namespace, crash ? 'crash' : 'close');
    const reason = new ClosedError(crash ? 'the store crashed (test hook)' : 'the store was closed');
    const ends = [...this.#sessions].map((session) => this.endSession(session, crash, reason));
    for (const stop of [...this.#watchStops]) stop();
    await Promise.all(ends);
    // A lease granted after a caller gave up must be revoked before the connection goes.
    while (this.#settling.size > 0) await Promise.allSettled([...this.#settling]);
    this.closeBackend();
  }

  /** Tracks `work` until it settles, so that close() waits for it. */
  #settle<T>(work: Promise<T>): Promise<T> {
    this.#settling.add(work);
    const forget = (): void => void this.#settling.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** One watch iteration: checks run when iteration starts, and fail its first next(), never watch() itself. */
  #follow<E extends KeyWatchEvent | TreeWatchEvent>(target: () => WatchTarget, signal: AbortSignal | undefined): AsyncQueue<E> {
    let stopped = false;
    let unwatch: (() => void) | undefined;
    let onAbort: Disposable | undefined;
    // Every end (abort, store close, the consumer's break, a failure) drops unread events.
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      unwatch?.();
      onAbort?.[Symbol.dispose]();
      this.#watchStops.delete(stop);
      queue.stop();
    };
    const queue: AsyncQueue<E> = new AsyncQueue<E>({ onEnd: stop });
    let resolved: WatchTarget;
    try {
      resolved = target();
    } catch (error) {
      queue.fail(error);
      return queue;
    }
    if (signal?.aborted) {
      stop();
      return queue;
    }
    if (signal) onAbort = addAbortListener(signal, stop);
    this.#watchStops.add(stop);
    const stopWatch = this.startWatch(resolved, { push: (event) => queue.push(event as E), fail: (error) => queue.fail(error) });
    if (stopped) stopWatch();
    else unwatch = stopWatch;
    return queue;
  }

  async #write(key: string, value: StoreValue, expected: Expected, options: api.PutOptions): Promise<KVPair> {
    const { ttl, lease, signal } = options;
    const checked = this.#key(key, signal);
    const bytes = toBytes(value);
    if (ttl !== undefined && lease !== undefined) throw new InvalidConfigError('give ttl or lease, not both');
    if (lease !== undefined && (typeof lease !== 'string' || !LEASE_ID.test(lease))) {
      throw new InvalidConfigError(`lease must be a decimal lease id, got ${String(lease)}`, { details: { lease } });
    }
    if (ttl !== undefined) checkTtl(ttl, 'ttl');
    const granted = ttl === undefined ? undefined : await unlessAborted(this.grantTtlLease(ttl), signal, (late) => this.dropLease(late));
    try {
      return await this.putKey(checked, bytes, granted ?? lease ?? '0', expected, signal);
    } catch (error) {
      if (granted !== undefined) await this.dropLease(granted);
      throw error;
    }
  }

  /** Rejects an aborted signal with its reason first (nothing starts), then a closed store. */
  #checkOpen(signal?: AbortSignal): void {
    signal?.throwIfAborted();
    if (this.#state !== StoreState.Open) throw new ClosedError('the store is closed');
  }

  /** A key for a single-key operation: the store is open and the key non-empty. */
  #key(key: string, signal?: AbortSignal): string {
    this.#checkOpen(signal);
    if (typeof key !== 'string' || key === '') {
      throw new InvalidNameError(`a key must be a non-empty string, got ${JSON.stringify(key)}`);
    }
    return key;
  }

  /** A prefix (`''`: the whole namespace); the store is open. */
  #prefix(prefix: string, signal?: AbortSignal): string {
    this.#checkOpen(signal);
    if (typeof prefix !== 'string') throw new InvalidNameError(`a prefix must be a string, got ${typeof prefix}`);
    return prefix;
  }
}

/** The modRevision to compare, null for create-only; rejects a `previous` for another key. */
function expectedRevision(key: string, previous: KVPair | null, method: string): number | null {
  if (previous === null) return null;
  if (typeof previous !== 'object' || typeof previous.modRevision !== 'number') {
    throw new InvalidConfigError(`${method}: previous must be a KVPair or null`);
  }
  if (previous.key !== key) {
    throw new InvalidConfigError(`${method}: previous is for key "${previous.key}", not "${key}"`, {
      details: { key, previousKey: previous.key },
    });
  }
  return previous.modRevision;
}

/**
 * `work`, given up at once when `signal` aborts (rejecting with its reason). A grant cannot be
 * recalled once sent, so what `work` still yields after the abort goes to `discard` (revoke)
 * instead of to nobody.
 */
async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, discard: (late: T) => Promise<void>): Promise<T> {
  if (!signal) return work;
  let onAbort: Disposable | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = addAbortListener(signal, () => reject(signal.reason));
  });
  try {
    return await Promise.race([work, aborted]);
  } catch (error) {
    if (signal.aborted) work.then(discard).catch(() => undefined);
    throw error;
  } finally {
    onAbort?.[Symbol.dispose]();
  }
}
