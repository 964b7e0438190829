/**
 * The unary lease calls, one place for every user of a lease (Registrar, Store sessions and puts
 * with a TTL, the CLI): grant, revoke and time-to-live. Each goes through EtcdConnection.call, so
 * it has the connection's deadline and fails with a typed error naming the lease in hex.
 */
import type { EtcdConnection } from './etcd-connection.js';
import { EtcdUnavailableError } from '../errors.js';
import { leaseHex } from './lease-id.js';
import { isLeaseNotFound } from './translate-error.js';

export interface GrantedLease {
  /** Decimal lease id, as etcd3 gives it. */
  readonly leaseId: string;
  /** TTL etcd granted, in seconds (etcd raises a TTL below its minimum). */
  readonly ttl: number;
  /** When the grant was sent (ms since the epoch): the lease lives at least `ttl` from then. */
  readonly sentAt: number;
}

export interface LeaseTimeToLive {
  /** Seconds left; -1 when etcd does not know the lease (expired or revoked). */
  readonly ttl: number;
  /** TTL the lease was granted (or last kept alive) with. */
  readonly grantedTtl: number;
  /** Keys attached to the lease (only when asked for). */
  readonly keys: readonly string[];
}

/** Grants a lease of `ttl` seconds. `what` names it in errors ("session lease"). */
export async function grantLease(conn: EtcdConnection, ttl: number, options: { what?: string; signal?: AbortSignal } = {}): Promise<GrantedLease> {
  const sentAt = Date.now();
  const operation = `grant ${options.what ?? 'lease'} (ttl ${ttl} s)`;
  const response = await conn.call(operation, () => conn.client.leaseClient.leaseGrant({ TTL: ttl }), options.signal);
  if (response.error) {
    throw new EtcdUnavailableError(`${operation}: etcd refused: ${response.error}`, { details: { operation, endpoints: conn.endpoints } });
  }
  return { leaseId: String(response.ID), ttl: Number(response.TTL) || ttl, sentAt };
}

/**
 * Revokes a lease: its keys are deleted in one revision. Resolves true once etcd committed it,
 * false when etcd no longer knew the lease (already expired or revoked: the same end state).
 * After a retry, "not found" may be the answer to our own earlier attempt: that counts as revoked.
 */
export async function revokeLease(conn: EtcdConnection, leaseId: string, signal?: AbortSignal): Promise<boolean> {
  // A revoke can safely be sent again (a second one finds the lease gone), so an unreachable
  // member is not the end: each attempt goes to a member etcd3 picks, once per endpoint at most.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await conn.call(`revoke lease ${leaseHex(leaseId)}`, () => conn.client.leaseClient.leaseRevoke({ ID: leaseId }), signal);
      return true;
    } catch (error) {
      if (isLeaseNotFound(error)) return attempt > 1;
      if (!(error instanceof EtcdUnavailableError) || attempt >= conn.endpoints.length || signal?.aborted === true) throw error;
    }
  }
}

/** What etcd knows of a lease: time left (-1 when gone), granted TTL, and with `keys` its keys. */
export async function leaseTimeToLive(
  conn: EtcdConnection,
  leaseId: string,
  options: { keys?: boolean; signal?: AbortSignal } = {},
): Promise<LeaseTimeToLive> {
  const keys = options.keys === true;
  const response = await conn.call(
    `lease ${leaseHex(leaseId)} time to live`,
    () => conn.client.leaseClient.leaseTimeToLive({ ID: leaseId, keys }),
    options.signal,
  );
  return { ttl: Number(response.TTL), grantedTtl: Number(response.grantedTTL), keys: response.keys.map((k) => k.toString('utf8')) };
}
