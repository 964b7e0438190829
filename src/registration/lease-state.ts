/**
 * The states of a Registrar's one lease. LeaseKeeper.transition() is the only place that changes
 * it; each change is traced as `FROM -> TO` (NODE_DEBUG=rollcall:registrar) and reported as a
 * `stateChange` event.
 *
 *   idle ──register()──▶ granting ──granted──▶ alive ◀──keepalive ok── unreachable
 *     ▲                     │                   │  ╲──keepalive failed──▶  │
 *     └───grant failed──────┘                   │                          │
 *                                               ▼                          ▼
 *              alive ◀──re-granted── lost ◀── etcd answers TTL 0 / "lease not found"
 *
 *   any state ──close()──▶ closing ──▶ closed
 */
export const LeaseState = {
  /** No lease yet: one is granted by the first register(). */
  Idle: 'idle',
  /** The first grant is in flight; register() calls wait for it. */
  Granting: 'granting',
  /** Granted and keepalives are answered. */
  Alive: 'alive',
  /**
   * Keepalives get no answer (a member paused or cut off, no leader yet, etcd down). However long
   * it lasts, nothing is lost until etcd says so: a new leader extends every lease, so the lease
   * may well be alive. Keepalives go on for the same lease, moving from endpoint to endpoint.
   */
  Unreachable: 'unreachable',
  /** The lease is gone; a new one is being granted with backoff, then every registration is re-put. */
  Lost: 'lost',
  /** close() is running: no keepalive, no re-grant, no re-put. */
  Closing: 'closing',
  /** Closed for good. */
  Closed: 'closed',
} as const;
export type LeaseState = (typeof LeaseState)[keyof typeof LeaseState];

/** Why a lease was declared lost (LeaseLostError `details.reason`). */
export type LeaseLossReason =
  /** A keepalive was answered with TTL 0 or "lease not found": etcd no longer has the lease (expired, revoked, wiped). */
  | 'expired'
  /**
   * No longer reported: a whole TTL without an answered keepalive is not a loss (a new leader
   * extends every lease). Kept so code matching on it still compiles.
   */
  | 'unreachable'
  /** etcd refused a write with "requested lease not found". */
  | 'rejected';
