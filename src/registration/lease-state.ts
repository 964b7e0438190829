/**
 * The states of a Registrar's one lease. LeaseKeeper.transition() is the only place that changes
 * it; each change is traced as `FROM -> TO` (NODE_DEBUG=rollcall:registrar) and reported as a
 * `stateChange` event.
 *
 *   idle ──register()──▶ granting ──granted──▶ alive ◀──keepalive ok── unreachable
 *     ▲                     │                   │  ╲──keepalive failed──▶  │
 *     └───grant failed──────┘                   │                          │
 *                                               ▼                          ▼
 *              alive ◀──re-granted── lost ◀── TTL 0 / "lease not found" / TTL passed unanswered
 *
 *   any state ──close()──▶ closing ──▶ closed
 */
export enum LeaseState {
  /** No lease yet: one is granted by the first register(). */
  Idle = 'idle',
  /** The first grant is in flight; register() calls wait for it. */
  Granting = 'granting',
  /** Granted and keepalives are answered. */
  Alive = 'alive',
  /**
   * Keepalives fail (etcd unreachable) but the lease's TTL has not certainly passed since the
   * last answered one: etcd may still hold it, nothing is lost yet.
   */
  Unreachable = 'unreachable',
  /** The lease is gone; a new one is being granted with backoff, then every registration is re-put. */
  Lost = 'lost',
  /** close() is running: no keepalive, no re-grant, no re-put. */
  Closing = 'closing',
  /** Closed for good. */
  Closed = 'closed',
}

/** Why a lease was declared lost (LeaseLostError `details.reason`). */
export type LeaseLossReason =
  /** A keepalive was answered with TTL 0: etcd no longer has the lease (expired, revoked, wiped). */
  | 'expired'
  /** No keepalive was answered for a whole TTL: etcd has certainly expired it by now. */
  | 'unreachable'
  /** etcd refused a write with "requested lease not found". */
  | 'rejected';
