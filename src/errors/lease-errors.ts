/** Errors about registrations and the leases that keep keys alive. */
import { RollcallError, type DetailedErrorOptions, type RollcallErrorOptions } from './rollcall-error.js';

export interface DuplicateInstanceDetails {
  /** The instance key that is taken. */
  readonly key: string;
  /** The lease (decimal id) that holds the key now. */
  readonly holderLease?: string;
  /** This registrar's lease (decimal id). */
  readonly leaseId?: string;
}

/** An instance id is already registered under another live lease (use `replace: true` to take over). */
export class DuplicateInstanceError extends RollcallError<'ERR_DUPLICATE_INSTANCE', DuplicateInstanceDetails> {
  static readonly code = 'ERR_DUPLICATE_INSTANCE';
  constructor(message: string, options: DetailedErrorOptions<DuplicateInstanceDetails>) {
    super(DuplicateInstanceError.code, message, options);
  }
}

export interface LeaseLostDetails {
  /** The lost lease, as etcd's decimal id (messages show it in hex, as etcdctl does). */
  readonly leaseId: string;
  /** Registrar only: `expired`, `unreachable` or `rejected` (see docs/registration.md). */
  readonly reason?: string;
  /** Registrar only: time since the last answered keepalive. */
  readonly sinceLastKeepAliveMs?: number;
}

/** A lease expired or was revoked; rollcall re-grants and re-registers on its own. */
export class LeaseLostError extends RollcallError<'ERR_LEASE_LOST', LeaseLostDetails> {
  static readonly code = 'ERR_LEASE_LOST';
  constructor(message: string, options: DetailedErrorOptions<LeaseLostDetails>) {
    super(LeaseLostError.code, message, options);
  }
}

export interface LeaseNotFoundDetails {
  /** The key the write was for. */
  readonly key: string;
  /** The lease named by the caller (decimal id). */
  readonly leaseId: string;
}

/**
 * A write named a lease etcd does not have (never granted, expired, or revoked). Unlike
 * LeaseLostError, nothing of the caller's was lost: the lease it passed was not usable.
 */
export class LeaseNotFoundError extends RollcallError<'ERR_LEASE_NOT_FOUND', LeaseNotFoundDetails> {
  static readonly code = 'ERR_LEASE_NOT_FOUND';
  constructor(message: string, options: DetailedErrorOptions<LeaseNotFoundDetails>) {
    super(LeaseNotFoundError.code, message, options);
  }
}

export interface HealthCheckDetails {
  /** The instance checked (`service/id`). */
  readonly instance?: string;
  /** Set when the check did not answer in time. */
  readonly timeoutMs?: number;
  /** HTTP check: the URL, and the status when it answered with a non-2xx one. */
  readonly url?: string;
  readonly status?: number;
  /** Command check: the command, and its exit code when it exited non-zero. */
  readonly command?: string;
  readonly exitCode?: number | null;
}

/** A registration's local health check returned false, threw or did not answer in time (the instance is marked draining). */
export class HealthCheckError extends RollcallError<'ERR_HEALTH_CHECK', HealthCheckDetails> {
  static readonly code = 'ERR_HEALTH_CHECK';
  constructor(message: string, options?: RollcallErrorOptions<HealthCheckDetails>) {
    super(HealthCheckError.code, message, options);
  }
}
