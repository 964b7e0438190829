/**
 * The errors of a failed conditional or leased write, built in one place so both backends name
 * the key (relative to the namespace) and the revisions the same way.
 */
import { KeyExistsError, KeyModifiedError, KeyNotFoundError, LeaseNotFoundError } from '../errors.js';
import { leaseHex } from '../etcd/lease-id.js';

/**
 * A compare-and-swap whose compare failed. `expected` is the modRevision the caller held (null:
 * create-only); `found` the key's modRevision as read when the compare failed (undefined: absent).
 */
export function compareFailed(key: string, expected: number | null, found: number | undefined): Error {
  if (expected === null) {
    return new KeyExistsError(`key "${key}" already exists (modRevision ${String(found)})`, {
      details: { key, modRevision: found },
    });
  }
  if (found === undefined) {
    return new KeyNotFoundError(`key "${key}" does not exist (expected modRevision ${expected})`, {
      details: { key, expected },
    });
  }
  return new KeyModifiedError(`key "${key}" was modified: expected modRevision ${expected}, found ${found}`, {
    details: { key, expected, modRevision: found },
  });
}

/** A put naming a lease the server does not know (expired, revoked, never granted). */
export function unknownLease(key: string, lease: string, cause?: unknown): Error {
  return new LeaseNotFoundError(`lease ${leaseHex(lease)} not found: it was never granted, expired or was revoked (put ${key})`, {
    cause,
    details: { key, leaseId: lease },
  });
}
