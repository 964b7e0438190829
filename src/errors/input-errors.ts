/** Errors about what the caller gave rollcall: names, options, values read from etcd. */
import { RollcallError, type ErrorDetails, type RollcallErrorOptions } from './rollcall-error.js';

export interface InvalidNameDetails {
  /** What was being named: `service name`, `instance id`, `lock name`, `election name`. */
  readonly kind?: string;
  /** The rejected name, as given. */
  readonly name?: unknown;
  /** The rejected key prefix (prefix checks). */
  readonly prefix?: string;
}

/** A service name, instance id or key segment is not acceptable (empty, `/`, whitespace, too long). */
export class InvalidNameError extends RollcallError<'ERR_INVALID_NAME', InvalidNameDetails> {
  static readonly code = 'ERR_INVALID_NAME';
  constructor(message: string, options?: RollcallErrorOptions<InvalidNameDetails>) {
    super(InvalidNameError.code, message, options);
  }
}

/**
 * Options given to a rollcall constructor or function are invalid. `details` names the offending
 * option (its name is the key, e.g. `{ ttl: -1 }`, or `{ field: 'outlier.baseEjectionMs' }`).
 */
export class InvalidConfigError extends RollcallError<'ERR_INVALID_CONFIG', ErrorDetails> {
  static readonly code = 'ERR_INVALID_CONFIG';
  constructor(message: string, options?: RollcallErrorOptions) {
    super(InvalidConfigError.code, message, options);
  }
}

export interface MalformedValueDetails {
  /** The etcd key whose value was skipped. */
  readonly key?: string;
  /** Why the value is not a valid instance record. */
  readonly reason?: string;
  readonly modRevision?: number;
  /** True when the bad value replaced a valid instance, which is therefore removed. */
  readonly removed?: boolean;
}

/** A value read from etcd is not a valid instance record. Emitted as a warning, never thrown by watchers. */
export class MalformedValueError extends RollcallError<'ERR_MALFORMED_VALUE', MalformedValueDetails> {
  static readonly code = 'ERR_MALFORMED_VALUE';
  constructor(message: string, options?: RollcallErrorOptions<MalformedValueDetails>) {
    super(MalformedValueError.code, message, options);
  }
}
