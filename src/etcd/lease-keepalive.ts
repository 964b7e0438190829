/**
 * Keeps one lease alive until etcd says it is gone or the caller stops: the one keepalive loop of
 * the Registrar's lease keeper, the Store's sessions and `rollcall lease keep-alive`.
 *
 * The rule it implements: a lease is lost only when etcd says so — a keepalive answered with TTL
 * 0 (expired, revoked, data wiped) or "lease not found". A keepalive that gets no answer says
 * nothing about the lease: on a cluster a newly elected leader extends every lease, and a member
 * that does not answer may be paused or cut off while the others keep the lease. So a failed
 * keepalive is reported (`failed`), the next one goes to the next endpoint at once, and keepalives
 * continue for the same lease, however long it takes, until etcd answers one way or the other.
 *
 * Liveness is counted from when a keepalive was SENT: an answer means the lease lives at least
 * `ttl` seconds from the moment the request left, which is what `confirmedAt` reports.
 */
import { Backoff, BACKOFF, pause } from './backoff.js';
import type { EtcdConnection } from './etcd-connection.js';
import { KeepAliveChannel } from './keepalive-channel.js';
import { leaseHex } from './lease-id.js';
import { isLeaseNotFound, translateEtcdError } from './translate-error.js';
import { ClosedError, RollcallError } from '../errors.js';
import type { LeaseOwner } from '../diagnostics/channels.js';
import { publish } from '../diagnostics/publish.js';

/** What the loop tells its owner; called synchronously, one at a time. */
export interface KeepAliveListener {
  /** etcd answered: the lease lives `ttl` more seconds counted from `confirmedAt` (the send time). */
  answered(info: { ttl: number; confirmedAt: number; endpoint: string }): void;
  /**
   * No answer (deadline passed, stream broken, member unreachable). Not a loss: the next
   * keepalive goes to the next endpoint. `sinceConfirmedMs` counts from the last confirmed send.
   */
  failed(info: { error: RollcallError; sinceConfirmedMs: number; endpoint: string }): void;
  /** etcd answered that the lease is gone (TTL 0 or "lease not found"). The loop has ended. */
  gone(info: { cause?: unknown }): void;
  /**
   * Keepalives cannot go on: the etcd client was closed underneath (e.g. a client the user passed
   * in). Nothing is known about the lease; the loop has ended.
   */
  ended(info: { error: RollcallError }): void;
}

export interface KeepAliveOptions {
  readonly leaseId: string;
  /** TTL in seconds the lease was granted with: the first interval is a third of it. */
  readonly ttl: number;
  /** When the lease was last known alive (the grant's send time). Default: now. */
  readonly confirmedAt?: number;
  /** Delay before the first keepalive. Default: a third of the TTL (the grant just refreshed it). */
  readonly firstAfterMs?: number;
  /** Ends the loop (without revoking anything). */
  readonly signal: AbortSignal;
  /** Who holds the lease, for `rollcall:lease:keepalive`; no publication without it (the CLI). */
  readonly owner?: LeaseOwner;
}

/** Per-attempt deadline: a third of the TTL (at least 250 ms), never more than the connection's timeout. */
export function keepAliveDeadlineMs(ttlMs: number, timeoutMs: number): number {
  return Math.min(timeoutMs, Math.max(250, ttlMs / 3));
}

/**
 * Runs keepalives for one lease until `gone` or the signal. Resolves when the loop ends; rejects
 * only when a listener threw (the owner reports it).
 */
export async function keepLeaseAlive(conn: EtcdConnection, options: KeepAliveOptions, listener: KeepAliveListener): Promise<void> {
  const { leaseId, signal, owner } = options;
  const roundTrip = (sentAt: number, outcome: { ttl: number } | { error: Error }): void => {
    if (owner === undefined) return;
    publish('rollcall:lease:keepalive', () => ({ owner, leaseId, ok: 'ttl' in outcome, roundTripMs: Date.now() - sentAt, ...outcome }));
  };
  const channel = new KeepAliveChannel(conn);
  let ttlMs = options.ttl * 1000;
  let confirmedAt = options.confirmedAt ?? Date.now();
  const retry = new Backoff(BACKOFF.keepaliveRetry(ttlMs / 3));
  let unanswered = 0;
  try {
    if (!(await pause(options.firstAfterMs ?? ttlMs / 3, signal))) return;
    while (!signal.aborted) {
      const sentAt = Date.now();
      const endpoint = channel.endpoint;
      let ttl: number;
      try {
        ttl = await channel.send(leaseId, keepAliveDeadlineMs(ttlMs, conn.timeoutMs), signal);
      } catch (error) {
        if (signal.aborted) return;
        if (isLeaseNotFound(error)) {
          roundTrip(sentAt, { ttl: 0 });
          listener.gone({ cause: error });
          return;
        }
        const failure =
          error instanceof RollcallError ? error : translateEtcdError(error, { operation: `keepalive lease ${leaseHex(leaseId)}`, endpoints: conn.endpoints });
        roundTrip(sentAt, { error: failure });
        if (failure instanceof ClosedError) {
          listener.ended({ error: failure });
          return;
        }
        listener.failed({ error: failure, sinceConfirmedMs: Date.now() - confirmedAt, endpoint });
        // Each other endpoint is tried at once; once every one failed in a row, etcd is
        // unreachable and the retries slow down (never below one per keepalive interval).
        unanswered += 1;
        if (!(await pause(unanswered < conn.endpointClients.count ? 0 : retry.next(), signal))) return;
        continue;
      }
      if (signal.aborted) return;
      roundTrip(sentAt, { ttl });
      if (ttl <= 0) {
        listener.gone({});
        return;
      }
      confirmedAt = sentAt;
      ttlMs = ttl * 1000;
      unanswered = 0;
      retry.reset();
      listener.answered({ ttl, confirmedAt, endpoint });
      if (!(await pause(ttlMs / 3, signal))) return;
    }
  } finally {
    channel.reset();
  }
}
