/**
 * Every error rollcall throws or emits is a RollcallError with a stable `code`.
 * Match on `code` (or `instanceof`), never on message text: messages may improve,
 * codes never change. docs/errors.md lists every code.
 */

export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface RollcallErrorOptions {
  cause?: unknown;
  details?: ErrorDetails;
}

export class RollcallError extends Error {
  /** Stable machine-readable code, e.g. `ERR_ETCD_UNAVAILABLE`. */
  readonly code: string;
  /** What the error is about: the key, endpoint, service or value at fault. */
  readonly details: ErrorDetails;

  constructor(code: string, message: string, options: RollcallErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.name = new.target.name;
  }
}

/** A service name, instance id or key segment is not acceptable (empty, `/`, whitespace, too long). */
export class InvalidNameError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_INVALID_NAME', message, options);
  }
}

/** A value read from etcd is not a valid instance record. Emitted as a warning, never thrown by watchers. */
export class MalformedValueError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_MALFORMED_VALUE', message, options);
  }
}

/** Options given to a rollcall constructor or function are invalid. */
export class InvalidConfigError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_INVALID_CONFIG', message, options);
  }
}

/** etcd did not answer within the deadline, or no endpoint could be reached. */
export class EtcdUnavailableError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_ETCD_UNAVAILABLE', message, options);
  }
}

/** etcd refused the credentials (wrong user or password, invalid token, permission denied). */
export class EtcdAuthError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_ETCD_AUTH', message, options);
  }
}

/** The TLS handshake with etcd failed (wrong CA, bad client certificate, plain-text server). */
export class EtcdTlsError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_ETCD_TLS', message, options);
  }
}

/** etcd answered with an error rollcall has no more specific class for. */
export class EtcdRequestError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_ETCD_REQUEST', message, options);
  }
}

/** The requested revision has been compacted away; the watcher relists (internal, also surfaced in events). */
export class CompactedError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_COMPACTED', message, options);
  }
}

/** An instance id is already registered under another live lease (use `replace: true` to take over). */
export class DuplicateInstanceError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_DUPLICATE_INSTANCE', message, options);
  }
}

/** A lease expired or was revoked; rollcall re-grants and re-registers on its own. */
export class LeaseLostError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_LEASE_LOST', message, options);
  }
}

/** A picker found no instance to pick (none registered, all draining, filtered out or ejected). */
export class NoInstanceError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_NO_INSTANCE', message, options);
  }
}

/** atomicPut/atomicDelete: the key changed since the revision the caller holds. */
export class KeyModifiedError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_KEY_MODIFIED', message, options);
  }
}

/** atomicPut with previous = null: the key already exists. */
export class KeyExistsError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_KEY_EXISTS', message, options);
  }
}

/** The key does not exist (atomicDelete or atomicPut against a key that is gone). */
export class KeyNotFoundError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_KEY_NOT_FOUND', message, options);
  }
}

/** A held lock's lease died: the lock may already be held by someone else. */
export class LockLostError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_LOCK_LOST', message, options);
  }
}

/** The object was closed; no further calls are accepted. */
export class ClosedError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_CLOSED', message, options);
  }
}

/** The `etcd` binary was not found (dev harness and `rollcall etcd`). */
export class EtcdBinaryNotFoundError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_ETCD_BINARY_NOT_FOUND', message, options);
  }
}

/** A local etcd process (dev harness) failed to start or to answer in time. */
export class EtcdProcessError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_ETCD_PROCESS', message, options);
  }
}

/** True for a RollcallError with the given code; safe on unknown values. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return error instanceof RollcallError && error.code === code;
}

/** A bounded wait (dev harness, test helpers) ended before its condition held; `details.lastError` says why. */
export class WaitTimeoutError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_WAIT_TIMEOUT', message, options);
  }
}

/** A hash picker's `pick()`/`acquire()`/`run()` was called without a key (string or Uint8Array) to hash. */
export class HashKeyRequiredError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_HASH_KEY_REQUIRED', message, options);
  }
}

/** A registration's local health check returned false, threw or did not answer in time (the instance is marked draining). */
export class HealthCheckError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_HEALTH_CHECK', message, options);
  }
}

/** The catalog's cache file could not be read (missing, unreadable, not a rollcall cache, other prefix) or written. */
export class CacheFileError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_CACHE_FILE', message, options);
  }
}

/** A callback given to rollcall (an event listener, a picker filter) threw; rollcall's state is unaffected and the error is reported as a `warning`. */
export class ListenerError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_LISTENER', message, options);
  }
}

/** etcd cancelled a watch for a reason other than compaction (e.g. permission denied); the watcher relists and retries. */
export class WatchCanceledError extends RollcallError {
  constructor(message: string, options?: RollcallErrorOptions) {
    super('ERR_WATCH_CANCELED', message, options);
  }
}
