/**
 * An EtcdStore session: one etcd lease, kept alive every TTL/3 (keepLeaseAlive, the same loop as
 * the Registrar's) until close(). Unlike the Registrar's LeaseKeeper it never re-grants: a session
 * whose lease is gone is over, and `lost` says so.
 *
 * What `lost` means (kv-primitives.ts): it aborts with LeaseLostError only when etcd says the
 * lease is gone — a keepalive answered with TTL 0 or "lease not found" (expired, revoked
 * elsewhere, etcd wiped). Keepalives that get no answer only move ALIVE -> UNCONFIRMED, however
 * long that lasts: on a cluster a new leader extends every lease, and a member that answers
 * nothing may be paused while the others keep the lease; the next keepalive goes to the next
 * endpoint. `unconfirmedForMs` tells how long the lease has gone unconfirmed, for a caller that
 * must act on a possibly lost lock before etcd can answer. It aborts with ClosedError when the
 * store closed or crashed.
 *
 *   ALIVE <-> UNCONFIRMED ──etcd: TTL 0 / "lease not found"──▶ LOST
 *     └──────────┴──close() / store close──▶ CLOSED      └──store crash()──▶ ABANDONED
 */
import { debuglog } from 'node:util';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { grantLease, revokeLease } from '../etcd/lease-calls.js';
import { leaseHex } from '../etcd/lease-id.js';
import { keepLeaseAlive } from '../etcd/lease-keepalive.js';
import { ClosedError, EtcdRequestError, LeaseLostError, type RollcallError } from '../errors.js';
import { publish } from '../diagnostics/publish.js';
import type { Session } from './store.js';

const trace = debuglog('rollcall:store');

export const EtcdSessionState = {
  Alive: 'alive',
  /** Keepalives get no answer; the lease is not lost until etcd says so. */
  Unconfirmed: 'unconfirmed',
  Lost: 'lost',
  Closed: 'closed',
  /** The store crashed (test hook): no keepalive, no revoke; the lease runs out on etcd. */
  Abandoned: 'abandoned',
} as const;
export type EtcdSessionState = (typeof EtcdSessionState)[keyof typeof EtcdSessionState];

const LIVE = [EtcdSessionState.Alive, EtcdSessionState.Unconfirmed] as const;

export class EtcdSession implements Session {
  readonly lease: string;
  /** The lease's decimal id (`lease` is the same, kept for compatibility). */
  get leaseId(): string {
    return this.lease;
  }
  readonly ttl: number;
  readonly #conn: EtcdConnection;
  readonly #lost = new AbortController();
  /** Aborted when keepalives must stop (any end). */
  readonly #scope = new AbortController();
  readonly #onDone: (session: EtcdSession) => void;
  #state: EtcdSessionState = EtcdSessionState.Alive;
  #confirmedAt: number;
  #revoking: Promise<void> | undefined;

  /** Grants the lease; the session is alive once this resolves. */
  static async grant(conn: EtcdConnection, ttl: number, onDone: (session: EtcdSession) => void): Promise<EtcdSession> {
    const granted = await grantLease(conn, ttl, { what: 'session lease' });
    return new EtcdSession(conn, granted.leaseId, granted.ttl, granted.sentAt, onDone);
  }

  private constructor(conn: EtcdConnection, lease: string, ttl: number, sentAt: number, onDone: (session: EtcdSession) => void) {
    this.#conn = conn;
    this.lease = lease;
    this.ttl = ttl;
    this.#confirmedAt = sentAt;
    this.#onDone = onDone;
    this.#keepAlive().catch((error: unknown) => {
      // The loop handles its own failures; an escape is a bug, and must not become unhandled.
      trace('session %s: keepalive loop stopped: %s', lease, String(error));
    });
  }

  get state(): EtcdSessionState {
    return this.#state;
  }

  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** How long since the last keepalive etcd answered was sent (or the grant): 0 while ALIVE. */
  get unconfirmedForMs(): number {
    return this.#state === EtcdSessionState.Unconfirmed ? Date.now() - this.#confirmedAt : 0;
  }

  /**
   * Revokes the lease (its keys go in one revision) and resolves once etcd committed it; a lease
   * etcd no longer knows counts as revoked. Idempotent; after a loss or a crash, resolves at once.
   * Rejects with the etcd error when the revoke fails (the keys then live until the TTL runs out).
   */
  close(): Promise<void> {
    if (this.#transition(LIVE, EtcdSessionState.Closed)) this.#revoking = this.#revoke();
    return this.#revoking ?? Promise.resolve();
  }

  /**
   * The store is closing: `lost` aborts with `reason`, then the lease is revoked. Never rejects: a
   * revoke that fails goes to `report` (the store's `warning` event), since the caller closing the
   * store cannot act on it and the lease expires within its TTL anyway.
   */
  terminate(reason: ClosedError, report: (error: RollcallError) => void): Promise<void> {
    if (this.#transition(LIVE, EtcdSessionState.Closed, reason)) this.#revoking = this.#revoke();
    return (this.#revoking ?? Promise.resolve()).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      report(
        new EtcdRequestError(`could not revoke session lease ${leaseHex(this.lease)} on close; it expires within ${this.ttl} s: ${message}`, {
          cause: error,
          details: { leaseId: this.lease, retryable: false },
        }),
      );
    });
  }

  /** The store crashed: stop keepalives without revoking; `lost` aborts with `reason`. */
  abandon(reason: ClosedError): void {
    this.#transition(LIVE, EtcdSessionState.Abandoned, reason);
  }

  async #revoke(): Promise<void> {
    await revokeLease(this.#conn, this.lease);
  }

  #keepAlive(): Promise<void> {
    const signal = this.#scope.signal;
    return keepLeaseAlive(this.#conn, { leaseId: this.lease, ttl: this.ttl, confirmedAt: this.#confirmedAt, signal, owner: 'store' }, {
      answered: ({ confirmedAt }) => {
        this.#confirmedAt = confirmedAt;
        this.#transition([EtcdSessionState.Unconfirmed], EtcdSessionState.Alive);
      },
      failed: ({ error, sinceConfirmedMs, endpoint }) => {
        this.#transition([EtcdSessionState.Alive], EtcdSessionState.Unconfirmed);
        trace('session %s: keepalive via %s failed (%s), unconfirmed for %d ms', leaseHex(this.lease), endpoint, error.message, sinceConfirmedMs);
      },
      gone: ({ cause }) => this.#lose(`lease ${leaseHex(this.lease)} expired or was revoked elsewhere`, cause),
      // The etcd client was closed underneath: the session cannot be kept, as when its store closes.
      ended: ({ error }) => this.#transition(LIVE, EtcdSessionState.Closed, error),
    });
  }

  #lose(message: string, cause: unknown): void {
    const error = new LeaseLostError(message, { cause, details: { leaseId: this.lease } });
    this.#transition(LIVE, EtcdSessionState.Lost, error);
  }

  /** The one place the state changes; entry actions of every end: stop keepalives, tell the store, abort `lost`. */
  #transition(from: readonly EtcdSessionState[], to: EtcdSessionState, reason?: Error): boolean {
    if (!from.includes(this.#state)) return false;
    const previous = this.#state;
    this.#state = to;
    switch (to) {
      case EtcdSessionState.Lost:
      case EtcdSessionState.Closed:
      case EtcdSessionState.Abandoned:
        this.#scope.abort(new ClosedError(`session ${leaseHex(this.lease)} ended`));
        this.#onDone(this);
        if (reason) this.#lost.abort(reason);
        break;
      case EtcdSessionState.Alive:
      case EtcdSessionState.Unconfirmed:
        break;
    }
    trace('session %s: %s -> %s', this.lease, previous, to);
    const leaseId = this.lease;
    publish('rollcall:store:session', () => ({ leaseId, from: previous, to }));
    publish('rollcall:lease:state', () => ({ owner: 'store', leaseId, from: previous, to }));
    if (to === EtcdSessionState.Lost) publish('rollcall:lease:lost', () => ({ owner: 'store', leaseId, reason: 'expired' }));
    return true;
  }
}
