/** Errors of the consumer side: pickers, the catalog's cache file, user callbacks. */
import type { NoInstanceReason } from '../balance/picker.js';
import { RollcallError, type RollcallErrorOptions } from './rollcall-error.js';

export interface NoInstanceDetails {
  readonly service?: string;
  /** Why nothing could be picked. */
  readonly reason?: NoInstanceReason;
  /** Instances known for the service. */
  readonly total?: number;
  /** Of those, instances with status `up`. */
  readonly up?: number;
  /** Of those, instances that passed the filter. */
  readonly matching?: number;
  /** Of those, instances ejected as outliers. */
  readonly ejected?: number;
}

/** A picker found no instance to pick (none registered, all draining, filtered out or ejected). */
export class NoInstanceError extends RollcallError<'ERR_NO_INSTANCE', NoInstanceDetails> {
  static readonly code = 'ERR_NO_INSTANCE';
  constructor(message: string, options?: RollcallErrorOptions<NoInstanceDetails>) {
    super(NoInstanceError.code, message, options);
  }
}

export interface HashKeyRequiredDetails {
  readonly service?: string;
}

/** A hash picker's `pick()`/`acquire()`/`run()` was called without a key (string or Uint8Array) to hash. */
export class HashKeyRequiredError extends RollcallError<'ERR_HASH_KEY_REQUIRED', HashKeyRequiredDetails> {
  static readonly code = 'ERR_HASH_KEY_REQUIRED';
  constructor(message: string, options?: RollcallErrorOptions<HashKeyRequiredDetails>) {
    super(HashKeyRequiredError.code, message, options);
  }
}

export interface CacheFileDetails {
  readonly path?: string;
  /** Why the file's content is not usable (missing field, other prefix...). */
  readonly reason?: string;
}

/** The catalog's cache file could not be read (missing, unreadable, not a rollcall cache, other prefix) or written. */
export class CacheFileError extends RollcallError<'ERR_CACHE_FILE', CacheFileDetails> {
  static readonly code = 'ERR_CACHE_FILE';
  constructor(message: string, options?: RollcallErrorOptions<CacheFileDetails>) {
    super(CacheFileError.code, message, options);
  }
}

export interface ListenerDetails {
  /** The event whose listener threw. */
  readonly event?: string;
  /** The service whose picker filter threw. */
  readonly service?: string;
}

/** A callback given to rollcall (an event listener, a picker filter) threw; rollcall's state is unaffected and the error is reported as a `warning`. */
export class ListenerError extends RollcallError<'ERR_LISTENER', ListenerDetails> {
  static readonly code = 'ERR_LISTENER';
  constructor(message: string, options?: RollcallErrorOptions<ListenerDetails>) {
    super(ListenerError.code, message, options);
  }
}
