/** Errors from talking to etcd: unreachable, refused, failed, compacted, cancelled. */
import { RollcallError, type ErrorDetails, type RollcallErrorOptions } from './rollcall-error.js';

/** The call that failed, when the error comes from a call to etcd. */
export interface EtcdCallDetails {
  /** What rollcall was doing, e.g. `put services/api/a1`. */
  readonly operation?: string;
  readonly endpoints?: readonly string[];
}

export interface EtcdUnavailableDetails extends EtcdCallDetails {
  readonly timeoutMs?: number;
  /** The watched range, when a watch could not be (re)established. */
  readonly range?: string;
  /** `Catalog.open` with a cache file that could not be used either. */
  readonly cacheFile?: string;
  readonly cacheError?: unknown;
}

/** etcd did not answer within the deadline, or no endpoint could be reached. */
export class EtcdUnavailableError extends RollcallError<'ERR_ETCD_UNAVAILABLE', EtcdUnavailableDetails> {
  static readonly code = 'ERR_ETCD_UNAVAILABLE';
  constructor(message: string, options?: RollcallErrorOptions<EtcdUnavailableDetails>) {
    super(EtcdUnavailableError.code, message, options);
  }
}

/** etcd refused the credentials (wrong user or password, invalid token, permission denied). */
export class EtcdAuthError extends RollcallError<'ERR_ETCD_AUTH', EtcdCallDetails> {
  static readonly code = 'ERR_ETCD_AUTH';
  constructor(message: string, options?: RollcallErrorOptions<EtcdCallDetails>) {
    super(EtcdAuthError.code, message, options);
  }
}

/** The TLS handshake with etcd failed (wrong CA, bad client certificate, plain-text server). */
export class EtcdTlsError extends RollcallError<'ERR_ETCD_TLS', EtcdCallDetails> {
  static readonly code = 'ERR_ETCD_TLS';
  constructor(message: string, options?: RollcallErrorOptions<EtcdCallDetails>) {
    super(EtcdTlsError.code, message, options);
  }
}

/** etcd answered with an error rollcall has no more specific class for; `cause` is etcd3's error. */
export class EtcdRequestError extends RollcallError<'ERR_ETCD_REQUEST', ErrorDetails> {
  static readonly code = 'ERR_ETCD_REQUEST';
  constructor(message: string, options?: RollcallErrorOptions) {
    super(EtcdRequestError.code, message, options);
  }
}

export interface CompactedDetails {
  /** The revision that is no longer available. */
  readonly revision?: number;
  readonly range?: string;
}

/** The requested revision has been compacted away; the watcher relists (internal, also surfaced in events). */
export class CompactedError extends RollcallError<'ERR_COMPACTED', CompactedDetails> {
  static readonly code = 'ERR_COMPACTED';
  constructor(message: string, options?: RollcallErrorOptions<CompactedDetails>) {
    super(CompactedError.code, message, options);
  }
}

export interface WatchCanceledDetails {
  /** etcd's cancel reason, e.g. `permission denied`. */
  readonly reason?: string;
}

/** etcd cancelled a watch for a reason other than compaction (e.g. permission denied); the watcher relists and retries. */
export class WatchCanceledError extends RollcallError<'ERR_WATCH_CANCELED', WatchCanceledDetails> {
  static readonly code = 'ERR_WATCH_CANCELED';
  constructor(message: string, options?: RollcallErrorOptions<WatchCanceledDetails>) {
    super(WatchCanceledError.code, message, options);
  }
}
