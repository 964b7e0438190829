/**
 * An EtcdStore session: one etcd lease, kept alive every TTL/3 over its own keepalive stream
 * (the Registrar's KeepAliveChannel) until close(). Unlike the Registrar's LeaseKeeper it never
 * re-grants: a session whose lease is gone is over, and `lost` says so.
 *
 * What `lost` means (kv-primitives.ts): it aborts with LeaseLostError only when the lease is
 * really gone — a keepalive answered with TTL 0 (expired, revoked elsewhere, etcd wiped) — or when
 * no keepalive was confirmed for a whole TTL, counted from when the last confirmed one was SENT,
 * so etcd has certainly expired it by then. A failed keepalive alone only moves ALIVE ->
 * UNCONFIRMED. It aborts with ClosedError when the store closed or crashed.
 *
 *   ALIVE <-> UNCONFIRMED ──TTL 0 / TTL passed unconfirmed──▶ LOST
 *     └──────────┴──close() / store close──▶ CLOSED      └──store crash()──▶ ABANDONED
 */
import { debuglog } from 'node:util';
import { Backoff } from '../etcd/backoff.js';
import type { EtcdConnection } from '../etcd/etcd-connection.js';
import { translateEtcdError } from '../etcd/translate-error.js';
import { ClosedError, LeaseLostError, RollcallError } from '../errors.js';
import { isLeaseNotFound } from '../etcd/translate-error.js';
import { KeepAliveChannel } from '../etcd/keepalive-channel.js';
import { pause } from '../etcd/backoff.js';
import type { Session } from './store.js';

const trace = debuglog('rollcall:store');

export enum EtcdSessionState {
  ALIVE = 'ALIVE',
  /** Keepalives fail, but less than a TTL has passed since the last confirmed one. */
  UNCONFIRMED = 'UNCONFIRMED',
  LOST = 'LOST',
  CLOSED = 'CLOSED',
  /** The store crashed (test hook): no keepalive, no revoke; the lease runs out on etcd. */
  ABANDONED = 'ABANDONED',
}

const LIVE = [EtcdSessionState.ALIVE, EtcdSessionState.UNCONFIRMED] as const;

export class EtcdSession implements Session {
  readonly lease: string;
  readonly ttl: number;
  readonly #conn: EtcdConnection;
  readonly #channel: KeepAliveChannel;
  readonly #lost = new AbortController();
  /** Aborted when keepalives must stop (any end). */
  readonly #scope = new AbortController();
  readonly #onDone: (session: EtcdSession) => void;
  #state = EtcdSessionState.ALIVE;
  #confirmedAt: number;
  #revoking: Promise<void> | undefined;

  /** Grants the lease; the session is alive once this resolves. */
  static async grant(conn: EtcdConnection, ttl: number, onDone: (session: EtcdSession) => void): Promise<EtcdSession> {
    const sentAt = Date.now();
    const response = await conn.call(`grant session lease (ttl ${ttl} s)`, () => conn.client.leaseClient.leaseGrant({ TTL: ttl }));
    return new EtcdSession(conn, String(response.ID), Number(response.TTL) || ttl, sentAt, onDone);
  }

  private constructor(conn: EtcdConnection, lease: string, ttl: number, sentAt: number, onDone: (session: EtcdSession) => void) {
    this.#conn = conn;
    this.#channel = new KeepAliveChannel(conn);
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

  /**
   * Revokes the lease (its keys go in one revision) and resolves once etcd committed it; a lease
   * etcd no longer knows counts as revoked. Idempotent; after a loss or a crash, resolves at once.
   * Rejects with the etcd error when the revoke fails (the keys then live until the TTL runs out).
   */
  close(): Promise<void> {
    if (this.#transition(LIVE, EtcdSessionState.CLOSED)) this.#revoking = this.#revoke();
    return this.#revoking ?? Promise.resolve();
  }

  /** The store is closing: `lost` aborts with `reason`, then the lease is revoked. Never rejects. */
  terminate(reason: ClosedError): Promise<void> {
    if (this.#transition(LIVE, EtcdSessionState.CLOSED, reason)) this.#revoking = this.#revoke();
    return (this.#revoking ?? Promise.resolve()).catch((error: unknown) => {
      process.emitWarning(`rollcall: could not revoke session lease ${this.lease} on close (it expires within ${this.ttl} s): ${String(error)}`, {
        type: 'RollcallWarning',
        code: 'ROLLCALL_SESSION_REVOKE',
      });
    });
  }

  /** The store crashed: stop keepalives without revoking; `lost` aborts with `reason`. */
  abandon(reason: ClosedError): void {
    this.#transition(LIVE, EtcdSessionState.ABANDONED, reason);
  }

  async #revoke(): Promise<void> {
    try {
      await this.#conn.call(`revoke session lease ${this.lease}`, () => this.#conn.client.leaseClient.leaseRevoke({ ID: this.lease }));
    } catch (error) {
      if (!isLeaseNotFound(error)) throw error;
    }
  }

  async #keepAlive(): Promise<void> {
    const scope = this.#scope.signal;
    const ttlMs = this.ttl * 1000;
    const retry = new Backoff({ baseMs: 100, maxMs: Math.max(100, ttlMs / 3), minMs: 20 });
    if (!(await pause(ttlMs / 3, scope))) return;
    while (!scope.aborted) {
      const sentAt = Date.now();
      let granted: number;
      try {
        granted = await this.#channel.send(this.lease, Math.min(this.#conn.timeoutMs, Math.max(ttlMs / 3, 250)), scope);
      } catch (error) {
        if (scope.aborted) return;
        const failure = error instanceof RollcallError ? error : translateEtcdError(error, { operation: `keepalive lease ${this.lease}`, endpoints: this.#conn.endpoints });
        const untilExpiry = this.#confirmedAt + ttlMs - Date.now();
        if (untilExpiry <= 0) {
          this.#lose(`lease ${this.lease}: no keepalive confirmed for ${this.ttl} s, etcd has expired it`, failure);
          return;
        }
        this.#transition([EtcdSessionState.ALIVE], EtcdSessionState.UNCONFIRMED);
        trace('session %s: keepalive failed (%s), %d ms left', this.lease, failure.message, untilExpiry);
        if (!(await pause(Math.min(retry.next(), untilExpiry), scope))) return;
        continue;
      }
      if (scope.aborted) return;
      if (granted <= 0) {
        this.#lose(`lease ${this.lease} expired or was revoked elsewhere`, undefined);
        return;
      }
      this.#confirmedAt = sentAt;
      retry.reset();
      this.#transition([EtcdSessionState.UNCONFIRMED], EtcdSessionState.ALIVE);
      if (!(await pause(ttlMs / 3, scope))) return;
    }
  }

  #lose(message: string, cause: unknown): void {
    const error = new LeaseLostError(message, { cause, details: { leaseId: this.lease } });
    this.#transition(LIVE, EtcdSessionState.LOST, error);
  }

  /** The one place the state changes; entry actions of every end: stop keepalives, tell the store, abort `lost`. */
  #transition(from: readonly EtcdSessionState[], to: EtcdSessionState, reason?: Error): boolean {
    if (!from.includes(this.#state)) return false;
    const previous = this.#state;
    this.#state = to;
    switch (to) {
      case EtcdSessionState.LOST:
      case EtcdSessionState.CLOSED:
      case EtcdSessionState.ABANDONED:
        this.#scope.abort(new ClosedError(`session ${this.lease} ended`));
        this.#channel.reset();
        this.#onDone(this);
        if (reason) this.#lost.abort(reason);
        break;
      case EtcdSessionState.ALIVE:
      case EtcdSessionState.UNCONFIRMED:
        break;
    }
    trace('session %s: %s -> %s', this.lease, previous, to);
    return true;
  }
}
