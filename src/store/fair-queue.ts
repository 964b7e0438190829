/**
 * The fair queue behind locks and elections, etcd's concurrency recipe (mutex.go, election.go,
 * key.go) over KvPrimitives. Each contender creates `<prefix><lease hex>` under its own lease;
 * the key with the lowest create revision holds; every other contender waits for the DELETE of
 * the key created just before its own, then checks again. One wake-up per release, FIFO by the
 * order the keys were created.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { debuglog } from 'node:util';
import { ClosedError, EtcdRequestError, LeaseLostError, LockLostError, RollcallError } from '../errors.js';
import { publish } from '../diagnostics/publish.js';
import { Backoff, BACKOFF } from '../etcd/backoff.js';
import { leaseHex } from '../etcd/lease-id.js';
import type { KVPair, StoreValue } from './kv-pair.js';
import { queueKey, REPORT_WARNING, type KvPrimitives } from './kv-primitives.js';
import type { Session } from './store.js';

const debug = debuglog('rollcall');

/** A contender that reached the head of its queue. */
export interface Position {
  readonly session: Session;
  readonly kv: KVPair;
}

/**
 * Joins the queue under `prefix` and resolves once at its head. On abort, on failure and when
 * the session dies, the queue key is removed (session revoked) before rejecting: with
 * `signal.reason`, with LeaseLostError when the lease died (the lock was never held, so it is
 * not a LockLostError), or with the store's error.
 */
export async function joinQueue(
  kv: KvPrimitives,
  prefix: string,
  value: StoreValue,
  options: { ttl?: number; signal?: AbortSignal },
  subject: { kind: 'lock' | 'election'; name: string },
): Promise<Position> {
  options.signal?.throwIfAborted();
  const label = `${subject.kind} ${subject.name}`;
  const started = Date.now();
  const waited = (acquired: boolean): void =>
    publish('rollcall:store:lock-wait', () => ({ kind: subject.kind, name: subject.name, waitedMs: Date.now() - started, acquired }));
  // The signal also covers the grant: a session granted after an abort is revoked, not leaked.
  const session = await kv.session(options);
  // Either the caller giving up or the lease ending stops the wait.
  const signal = options.signal ? AbortSignal.any([options.signal, session.lost]) : session.lost;
  try {
    signal.throwIfAborted();
    const own = await kv.atomicPut(queueKey(prefix, session.lease), value, null, { lease: session.lease, signal });
    await waitForTurn(kv, prefix, own, signal, label);
    debug('%s: queued at revision %d, now at the head', label, own.createRevision);
    waited(true);
    return { session, kv: own };
  } catch (error) {
    waited(false);
    await session.close().catch((closeError: unknown) => {
      // The key stays until its TTL runs out; the caller still gets the reason it asked about.
      const reason = closeError instanceof Error ? closeError.message : String(closeError);
      kv[REPORT_WARNING](
        new EtcdRequestError(`could not remove the queue key of ${label}; it goes when its lease expires (${session.ttl} s): ${reason}`, {
          cause: closeError,
          details: { leaseId: session.lease, retryable: closeError instanceof RollcallError },
        }),
      );
    });
    if (options.signal?.aborted) throw options.signal.reason;
    if (session.lost.aborted && session.lost.reason instanceof LeaseLostError) {
      throw new LeaseLostError(`${label}: its lease ${leaseHex(session.lease)} ended while waiting, before the lock was held`, {
        cause: session.lost.reason,
        details: { leaseId: session.lease },
      });
    }
    // The store closed while waiting. A read racing the close may already have seen the queue key
    // revoked ("vanished"); the close is the reason, not that.
    if (session.lost.aborted && session.lost.reason instanceof ClosedError) throw session.lost.reason;
    throw error;
  }
}

async function waitForTurn(
  kv: KvPrimitives,
  prefix: string,
  own: KVPair,
  signal: AbortSignal,
  label: string,
): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const contenders = await kv.list(prefix, { signal });
    if (!contenders.some((c) => c.key === own.key && c.createRevision === own.createRevision)) {
      throw new LockLostError(`${label}: queue key ${own.key} vanished while waiting`, { details: { key: own.key } });
    }
    let previous: KVPair | undefined;
    for (const c of contenders) {
      if (c.createRevision < own.createRevision && (!previous || c.createRevision > previous.createRevision)) previous = c;
    }
    if (!previous) return;
    debug('%s: waiting for %s (revision %d) to go', label, previous.key, previous.createRevision);
    await waitForDelete(kv, previous, signal);
  }
}

/** Returns when `target` is gone, or when the watch ended (abort or close: the caller re-checks). */
async function waitForDelete(kv: KvPrimitives, target: KVPair, signal: AbortSignal): Promise<void> {
  for await (const event of kv.watch(target.key, { signal })) {
    if (event.type === 'delete') return;
    if (event.type === 'snapshot' && event.kv?.createRevision !== target.createRevision) return;
  }
}

/** `held` until released or lost; nothing leaves `released` or `lost`. */
export const HoldState = {
  Held: 'held',
  Released: 'released',
  Lost: 'lost',
} as const;
export type HoldState = (typeof HoldState)[keyof typeof HoldState];

/**
 * The head of a queue: watches its own key and its session, and aborts `lost` (LockLostError)
 * when either goes while still HELD. Base of HeldLock and HeldLeadership.
 */
export class Hold {
  readonly key: string;
  readonly lease: string;
  /** The lease's decimal id (`lease` is the same, kept for compatibility). */
  get leaseId(): string {
    return this.lease;
  }
  readonly createRevision: number;
  protected readonly kvPrimitives: KvPrimitives;
  readonly #session: Session;
  readonly #label: string;
  #state: HoldState = HoldState.Held;
  readonly #lost = new AbortController();
  readonly #stopMonitor = new AbortController();
  readonly #onSessionLost = (): void => {
    this.markLost(`${this.#label} lost: its lease ended`, this.#session.lost.reason);
  };

  constructor(kv: KvPrimitives, position: Position, label: string) {
    this.kvPrimitives = kv;
    this.#session = position.session;
    this.#label = label;
    this.key = position.kv.key;
    this.lease = position.session.lease;
    this.createRevision = position.kv.createRevision;
    if (this.#session.lost.aborted) this.#onSessionLost();
    else this.#session.lost.addEventListener('abort', this.#onSessionLost, { once: true });
    this.#monitor().catch((error: unknown) => {
      // #monitor() handles its own failures; an escape is a bug, reported rather than lost. It is
      // not a loss: only etcd (key deleted, lease gone) or the store closing ends a hold.
      this.kvPrimitives[REPORT_WARNING](
        error instanceof RollcallError ? error : new EtcdRequestError(`${this.#label}: monitor stopped: ${String(error)}`, { cause: error }),
      );
    });
  }

  get state(): HoldState {
    return this.#state;
  }

  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** Release or resign: HELD -> RELEASED, then revoke the lease (also after a loss, to free it). */
  protected async end(): Promise<void> {
    this.#transition([HoldState.Held], HoldState.Released);
    await this.#session.close();
  }

  /** HELD -> LOST; returns the error `lost` carries (the earlier one if already lost). */
  protected markLost(message: string, cause: unknown): unknown {
    const error = new LockLostError(message, { cause, details: { key: this.key } });
    this.#transition([HoldState.Held], HoldState.Lost, error);
    return this.#lost.signal.aborted ? this.#lost.signal.reason : new ClosedError(`${this.#label} was given up`);
  }

  #transition(from: readonly HoldState[], to: HoldState, error?: LockLostError): boolean {
    if (!from.includes(this.#state)) return false;
    const previous = this.#state;
    this.#state = to;
    switch (to) {
      case HoldState.Released:
      case HoldState.Lost:
        this.#stopMonitor.abort();
        this.#session.lost.removeEventListener('abort', this.#onSessionLost);
        if (to === HoldState.Lost) this.#lost.abort(error);
        break;
      case HoldState.Held:
        break;
    }
    debug('%s: %s -> %s', this.#label, previous, to);
    return true;
  }

  /**
   * Watches the key until the hold ends. A watch that fails (its first listing timed out during a
   * leader change, a member paused) says nothing about the lock: the key may well be there. It is
   * reported as a warning and watched again after a backoff; the new watch's snapshot then tells
   * whether the key is still ours. Only etcd ends a hold (key deleted or re-created, lease gone),
   * or the store closing.
   */
  async #monitor(): Promise<void> {
    const signal = this.#stopMonitor.signal;
    const backoff = new Backoff(BACKOFF.rewatch);
    while (!signal.aborted) {
      try {
        for await (const event of this.kvPrimitives.watch(this.key, { signal })) {
          backoff.reset();
          const gone =
            event.type === 'delete' || (event.type === 'snapshot' && event.kv?.createRevision !== this.createRevision);
          if (gone) {
            this.markLost(`${this.#label} lost: its key ${this.key} was deleted`, undefined);
            return;
          }
        }
        // A watch only ends by itself when its store closes.
        if (!signal.aborted) this.markLost(`${this.#label} lost: its store closed`, new ClosedError('store closed'));
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ClosedError) {
          this.markLost(`${this.#label} lost: its store closed`, error);
          return;
        }
        const delayMs = backoff.next();
        const reason = error instanceof Error ? error.message : String(error);
        this.kvPrimitives[REPORT_WARNING](
          new EtcdRequestError(`${this.#label}: watching its key ${this.key} failed, watching again in ${delayMs} ms (still held): ${reason}`, {
            cause: error,
            details: { key: this.key, retryable: true },
          }),
        );
        try {
          await delay(delayMs, undefined, { signal });
        } catch {
          return;
        }
      }
    }
  }
}
