/** Errors of the Store: compare-and-swap outcomes, lost locks, closed objects. */
import { RollcallError, type DetailedErrorOptions, type RollcallErrorOptions } from './rollcall-error.js';

export interface KeyConflictDetails {
  readonly key: string;
  /** The modRevision the caller expected. */
  readonly expected?: number;
  /** The key's modRevision found in etcd. */
  readonly modRevision?: number;
  /** The caller's lease (decimal id), when the write was under one. */
  readonly leaseId?: string;
}

/** atomicPut/atomicDelete: the key changed since the revision the caller holds. */
export class KeyModifiedError extends RollcallError<'ERR_KEY_MODIFIED', KeyConflictDetails> {
  static readonly code = 'ERR_KEY_MODIFIED';
  constructor(message: string, options: DetailedErrorOptions<KeyConflictDetails>) {
    super(KeyModifiedError.code, message, options);
  }
}

/** atomicPut with previous = null: the key already exists. */
export class KeyExistsError extends RollcallError<'ERR_KEY_EXISTS', KeyConflictDetails> {
  static readonly code = 'ERR_KEY_EXISTS';
  constructor(message: string, options: DetailedErrorOptions<KeyConflictDetails>) {
    super(KeyExistsError.code, message, options);
  }
}

/** The key does not exist (atomicDelete or atomicPut against a key that is gone). */
export class KeyNotFoundError extends RollcallError<'ERR_KEY_NOT_FOUND', KeyConflictDetails> {
  static readonly code = 'ERR_KEY_NOT_FOUND';
  constructor(message: string, options: DetailedErrorOptions<KeyConflictDetails>) {
    super(KeyNotFoundError.code, message, options);
  }
}

export interface LockLostDetails {
  /** The lock's or leadership's key. */
  readonly key?: string;
}

/** A held lock's or leadership's lease died or its key was deleted: someone else may hold it now. */
export class LockLostError extends RollcallError<'ERR_LOCK_LOST', LockLostDetails> {
  static readonly code = 'ERR_LOCK_LOST';
  constructor(message: string, options?: RollcallErrorOptions<LockLostDetails>) {
    super(LockLostError.code, message, options);
  }
}

export interface ClosedDetails {
  /** The key of the closed registration or lock. */
  readonly key?: string;
  /** The lease of the closed session (decimal id). */
  readonly leaseId?: string;
  readonly operation?: string;
  readonly endpoints?: readonly string[];
}

/** The object was closed; no further calls are accepted. */
export class ClosedError extends RollcallError<'ERR_CLOSED', ClosedDetails> {
  static readonly code = 'ERR_CLOSED';
  constructor(message: string, options?: RollcallErrorOptions<ClosedDetails>) {
    super(ClosedError.code, message, options);
  }
}
