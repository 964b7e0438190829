/**
 * Every error rollcall throws or emits is a RollcallError with a stable `code` and typed
 * `details`. Match on `code` (hasErrorCode) or `instanceof`, never on message text: messages may
 * improve, codes never change. Both work across two copies of rollcall in one process (see
 * ./errors/rollcall-error.ts). docs/errors.md lists every code with its details.
 */
import type { CompactedError, EtcdAuthError, EtcdRequestError, EtcdTlsError, EtcdUnavailableError, WatchCanceledError } from './errors/etcd-errors.js';
import type { CacheFileError, HashKeyRequiredError, ListenerError, NoInstanceError } from './errors/discovery-errors.js';
import type { EtcdBinaryNotFoundError, EtcdProcessError, WaitTimeoutError } from './errors/harness-errors.js';
import type { InvalidConfigError, InvalidNameError, MalformedValueError } from './errors/input-errors.js';
import type { DuplicateInstanceError, HealthCheckError, LeaseLostError, LeaseNotFoundError } from './errors/lease-errors.js';
import { RollcallError, type RollcallErrorCode } from './errors/rollcall-error.js';
import type { ClosedError, KeyExistsError, KeyModifiedError, KeyNotFoundError, LockLostError } from './errors/store-errors.js';

export * from './errors/rollcall-error.js';
export * from './errors/input-errors.js';
export * from './errors/etcd-errors.js';
export * from './errors/lease-errors.js';
export * from './errors/discovery-errors.js';
export * from './errors/store-errors.js';
export * from './errors/harness-errors.js';

/** The class of each code: what `hasErrorCode(error, code)` narrows to. */
export interface RollcallErrorByCode {
  ERR_INVALID_NAME: InvalidNameError;
  ERR_INVALID_CONFIG: InvalidConfigError;
  ERR_MALFORMED_VALUE: MalformedValueError;
  ERR_ETCD_UNAVAILABLE: EtcdUnavailableError;
  ERR_ETCD_AUTH: EtcdAuthError;
  ERR_ETCD_TLS: EtcdTlsError;
  ERR_ETCD_REQUEST: EtcdRequestError;
  ERR_COMPACTED: CompactedError;
  ERR_WATCH_CANCELED: WatchCanceledError;
  ERR_DUPLICATE_INSTANCE: DuplicateInstanceError;
  ERR_LEASE_LOST: LeaseLostError;
  ERR_LEASE_NOT_FOUND: LeaseNotFoundError;
  ERR_HEALTH_CHECK: HealthCheckError;
  ERR_NO_INSTANCE: NoInstanceError;
  ERR_HASH_KEY_REQUIRED: HashKeyRequiredError;
  ERR_KEY_MODIFIED: KeyModifiedError;
  ERR_KEY_EXISTS: KeyExistsError;
  ERR_KEY_NOT_FOUND: KeyNotFoundError;
  ERR_LOCK_LOST: LockLostError;
  ERR_CLOSED: ClosedError;
  ERR_CACHE_FILE: CacheFileError;
  ERR_LISTENER: ListenerError;
  ERR_ETCD_BINARY_NOT_FOUND: EtcdBinaryNotFoundError;
  ERR_ETCD_PROCESS: EtcdProcessError;
  ERR_WAIT_TIMEOUT: WaitTimeoutError;
}

// Fails to compile if a code is added to the list without a class here, or the other way round.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const everyCodeHasAClass: Same<keyof RollcallErrorByCode, RollcallErrorCode> = true;
void everyCodeHasAClass;

/** True for a rollcall error (from any copy of rollcall) with the given code; safe on any value. */
export function hasErrorCode<Code extends RollcallErrorCode>(error: unknown, code: Code): error is RollcallErrorByCode[Code] {
  return error instanceof RollcallError && error.code === code;
}
