/**
 * The one place where errors from etcd3, grpc-js and cockatiel become rollcall's typed errors.
 * etcd3 already maps gRPC status codes and etcd's messages to classes; we map those classes (and
 * the TLS failures that gRPC reports only as UNAVAILABLE text) to our stable codes.
 */
import {
  ClientClosedError,
  EtcdLeaseInvalidError,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
} from 'etcd3';
import { isBrokenCircuitError } from 'cockatiel';
import {
  ClosedError,
  EtcdAuthError,
  EtcdRequestError,
  EtcdTlsError,
  EtcdUnavailableError,
  RollcallError,
} from '../errors.js';
import type { DeadlineContext } from './deadline.js';

const TLS_FAILURE = /ssl|tls|certificate|handshake|wrong version number|self.signed|unable to verify/i;

export function translateEtcdError(error: unknown, context: DeadlineContext): RollcallError {
  if (error instanceof RollcallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const where = `${context.operation} (endpoints ${context.endpoints.join(', ')})`;
  const options = { cause: error, details: { operation: context.operation, endpoints: context.endpoints } };

  if (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdInvalidAuthTokenError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof GRPCUnauthenticatedError ||
    /authentication failed|invalid auth token|permission denied|user name is empty/i.test(message)
  ) {
    return new EtcdAuthError(`${where}: etcd refused the credentials: ${message}`, options);
  }
  if (TLS_FAILURE.test(message)) {
    return new EtcdTlsError(`${where}: TLS with etcd failed: ${message}`, options);
  }
  if (error instanceof ClientClosedError) {
    return new ClosedError(`${where}: the etcd client is closed`, options);
  }
  if (
    error instanceof GRPCUnavailableError ||
    error instanceof GRPCDeadlineExceededError ||
    (error instanceof Error && isBrokenCircuitError(error)) ||
    /unavailable|deadline exceeded|ECONNREFUSED|No connection established/i.test(message)
  ) {
    return new EtcdUnavailableError(`${where}: etcd is unreachable: ${message}`, options);
  }
  return new EtcdRequestError(`${where}: ${message}`, options);
}

/** Errors that will not go away by retrying the same call with the same options. */
export function isPermanentEtcdError(error: unknown): boolean {
  return error instanceof EtcdAuthError || error instanceof EtcdTlsError || error instanceof ClosedError;
}

/** True when etcd refused a write because the lease it names does not exist (expired, revoked, wiped). */
export function isLeaseNotFound(error: unknown): boolean {
  if (error instanceof EtcdLeaseInvalidError) return true;
  if (error instanceof RollcallError && error.cause !== undefined) return isLeaseNotFound(error.cause);
  return error instanceof Error && /requested lease not found/i.test(error.message);
}
