/** Errors of the dev harness (a local etcd for tests, `rollcall etcd`, `rollcall demo`). */
import { RollcallError, type ErrorDetails, type RollcallErrorOptions } from './rollcall-error.js';

export interface EtcdBinaryNotFoundDetails {
  /** `etcd` or `etcdctl`. */
  readonly tool?: string;
  /** The configured path that is not an executable file. */
  readonly path?: string;
  /** The environment variable that names the binary (`ROLLCALL_ETCD_BIN`). */
  readonly env?: string;
}

/** The `etcd` binary was not found (dev harness and `rollcall etcd`). */
export class EtcdBinaryNotFoundError extends RollcallError<'ERR_ETCD_BINARY_NOT_FOUND', EtcdBinaryNotFoundDetails> {
  static readonly code = 'ERR_ETCD_BINARY_NOT_FOUND';
  constructor(message: string, options?: RollcallErrorOptions<EtcdBinaryNotFoundDetails>) {
    super(EtcdBinaryNotFoundError.code, message, options);
  }
}

/** A local etcd process (dev harness) failed to start or to answer in time; `details` describes the process. */
export class EtcdProcessError extends RollcallError<'ERR_ETCD_PROCESS', ErrorDetails> {
  static readonly code = 'ERR_ETCD_PROCESS';
  constructor(message: string, options?: RollcallErrorOptions) {
    super(EtcdProcessError.code, message, options);
  }
}

export interface WaitTimeoutDetails {
  readonly timeoutMs?: number;
  readonly attempts?: number;
  /** What was being waited for. */
  readonly what?: string;
  /** The probe's last error, as text. */
  readonly lastError?: string;
}

/** A bounded wait (dev harness, test helpers) ended before its condition held; `details.lastError` says why. */
export class WaitTimeoutError extends RollcallError<'ERR_WAIT_TIMEOUT', WaitTimeoutDetails> {
  static readonly code = 'ERR_WAIT_TIMEOUT';
  constructor(message: string, options?: RollcallErrorOptions<WaitTimeoutDetails>) {
    super(WaitTimeoutError.code, message, options);
  }
}
