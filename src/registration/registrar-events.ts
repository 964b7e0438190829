/**
 * Events of a Registrar, with their payloads. Background failures never throw and never crash a
 * process that listens to nothing:
 *
 * - `warning` carries failures rollcall is handling itself (it retries): a failed re-grant or
 *   re-put attempt, a health-flip write that failed. Emitting `warning` with no listener is a no-op.
 * - `error` carries failures rollcall will not fix by retrying (a registration displaced by another
 *   owner, a closed etcd client, a failed signal-driven shutdown). It is emitted only while at
 *   least one `error` listener is attached; otherwise the same error goes to `warning`, so an
 *   unlistened `error` never throws.
 * - A failed keepalive is reported as `keepaliveFailed` and is NOT a lost lease, however long
 *   keepalives go unanswered: the lease is lost only when etcd says so.
 */
import type { InstanceStatus } from '../codec/index.js';
import type { DuplicateInstanceError, HealthCheckError, LeaseLostError, RollcallError } from '../errors.js';
import type { LeaseState } from './lease-state.js';
import type { Registration } from './registration.js';

export interface RegistrarEvents {
  /** The lease state changed (see LeaseState). For tracing and metrics. */
  stateChange: [info: { from: LeaseState; to: LeaseState; leaseId: string | undefined }];
  /** A lease was granted: the first one (`previousLeaseId` undefined) or one replacing a lost lease. */
  leaseGranted: [info: { leaseId: string; ttl: number; previousLeaseId: string | undefined }];
  /**
   * A keepalive got no answer (member paused or cut off, no leader yet, etcd down, stream broken;
   * each attempt waits at most TTL/3). Not a loss, even past the TTL: on a cluster a new leader
   * extends every lease. Keepalives continue for the same lease, the next one on the next
   * endpoint, until etcd answers. `sinceLastKeepAliveMs` counts from when the last answered
   * keepalive was sent.
   */
  keepaliveFailed: [info: { leaseId: string; error: RollcallError; sinceLastKeepAliveMs: number }];
  /**
   * etcd said the lease is gone: a keepalive answered TTL 0 or "lease not found" (`expired`:
   * expired, revoked, or etcd's data was wiped), or a put was refused with "lease not found"
   * (`rejected`). Never fired for keepalives that merely went unanswered. Consumers may have seen
   * the keys deleted. rollcall is already granting a new lease; `reregistered` follows when done.
   * `error.details`: `{ leaseId, reason: 'expired' | 'rejected', sinceLastKeepAliveMs }`.
   */
  lost: [error: LeaseLostError];
  /** Every live registration was put again under the new lease `leaseId`; `count` records written. */
  reregistered: [info: { leaseId: string; previousLeaseId: string | undefined; count: number }];
  /**
   * A registration's health check changed its answer (passing <-> failing), including a first
   * check that fails at register() time; `status` is the status it now asks for (`draining` while
   * failing), `error` says why it fails. Not repeated while the answer stays the same.
   */
  health: [info: { registration: Registration; healthy: boolean; status: InstanceStatus; error?: HealthCheckError }];
  /**
   * Another owner took a registration's key over: a put under a lease that is not this
   * registrar's (`replace: true` in another Registrar, `etcdctl put --lease`, a put with no
   * lease), seen on the registrar's watch of its keys or refused at its next write. The
   * registration is `displaced`: never written or deleted again (deregister() and close() leave
   * the key alone). `holder.leaseId` is the new holder's decimal lease id ("0": no lease),
   * `holder.address` the new value's address when it decodes. Also delivered as `error` (or `warning`).
   */
  displaced: [info: { registration: Registration; error: DuplicateInstanceError; holder: { leaseId: string; address?: string } }];
  /**
   * Someone else deleted a registration's key while this registrar's lease was alive (an
   * operator's `rollcall deregister`, `etcdctl del`). Treated as a deliberate removal: the key is
   * NOT put back and the registration is `removed` for good. A key deleted because the lease
   * expired is not this event: that is `lost`, then `reregistered`. Not an error.
   */
  removed: [info: { registration: Registration; leaseId: string; revision: number }];
  /** A background failure rollcall retries by itself. */
  warning: [error: RollcallError];
  /** A background failure retrying will not fix. Emitted only when a listener is attached (else: `warning`). */
  error: [error: RollcallError];
  /** close() finished: keys removed (or left to expire if etcd was unreachable), lease revoked. */
  closed: [];
}
