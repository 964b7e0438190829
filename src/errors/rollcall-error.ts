/**
 * The base of every rollcall error, and the brand that makes `instanceof` work across copies.
 *
 * An application can end up with two copies of rollcall (a library depends on another version,
 * or a bundler duplicates it). An error built by one copy would then fail `instanceof` against
 * the other copy's classes, and `hasErrorCode` would say false. So, as undici does, every error
 * carries a brand under a global symbol (`Symbol.for`, shared by all copies in the process), and
 * `instanceof` is answered from the brand and the stable `code` rather than from the prototype
 * chain.
 */

/** Every error code rollcall uses; docs/errors.md lists each with its `details`. */
export const ROLLCALL_ERROR_CODES = [
  'ERR_INVALID_NAME',
  'ERR_INVALID_CONFIG',
  'ERR_MALFORMED_VALUE',
  'ERR_ETCD_UNAVAILABLE',
  'ERR_ETCD_AUTH',
  'ERR_ETCD_TLS',
  'ERR_ETCD_REQUEST',
  'ERR_COMPACTED',
  'ERR_WATCH_CANCELED',
  'ERR_DUPLICATE_INSTANCE',
  'ERR_LEASE_LOST',
  'ERR_LEASE_NOT_FOUND',
  'ERR_HEALTH_CHECK',
  'ERR_NO_INSTANCE',
  'ERR_HASH_KEY_REQUIRED',
  'ERR_KEY_MODIFIED',
  'ERR_KEY_EXISTS',
  'ERR_KEY_NOT_FOUND',
  'ERR_LOCK_LOST',
  'ERR_CLOSED',
  'ERR_CACHE_FILE',
  'ERR_LISTENER',
  'ERR_ETCD_BINARY_NOT_FOUND',
  'ERR_ETCD_PROCESS',
  'ERR_WAIT_TIMEOUT',
] as const;

export type RollcallErrorCode = (typeof ROLLCALL_ERROR_CODES)[number];

/** Free-form details, for errors whose facts vary with the failing option or call. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface RollcallErrorOptions<Details extends object = ErrorDetails> {
  cause?: unknown;
  details?: Details;
}

/** Options of an error class whose details have required fields: `details` must be given. */
export interface DetailedErrorOptions<Details extends object> extends RollcallErrorOptions<Details> {
  details: Details;
}

/** Shared by every copy of rollcall loaded in the process. */
const kRollcallError = Symbol.for('rollcall.error');

function isBranded(value: unknown): value is { readonly code: unknown } {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    (value as { [kRollcallError]?: unknown })[kRollcallError] === true
  );
}

export class RollcallError<Code extends string = RollcallErrorCode, Details extends object = ErrorDetails> extends Error {
  /** Stable machine-readable code, e.g. `ERR_ETCD_UNAVAILABLE`. */
  readonly code: Code;
  /** What the error is about, as data: the key, endpoint, service or value at fault. */
  readonly details: Readonly<Details>;

  constructor(code: Code, message: string, options: RollcallErrorOptions<Details> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    // Classes whose details have required fields make their constructor require them.
    this.details = options.details ?? ({} as Details);
    this.name = new.target.name;
  }

  /** The brand other copies of rollcall recognise. */
  get [kRollcallError](): true {
    return true;
  }

  /**
   * `x instanceof RollcallError`: x carries the brand. `x instanceof LeaseLostError` (any class
   * with a static `code`): the brand and that code. A class without its own static `code` (a
   * subclass written by a user) falls back to the prototype chain.
   */
  static override [Symbol.hasInstance](this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
    if (!isBranded(value)) return false;
    if (this === RollcallError) return true;
    if (Object.hasOwn(this, 'code')) return value.code === (this as unknown as { code: unknown }).code;
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}
