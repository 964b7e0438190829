/**
 * The one place where errors from etcd3, grpc-js and cockatiel become rollcall's typed errors.
 * etcd3 already maps gRPC status codes and etcd's messages to classes; we map those classes (and
 * the TLS failures that gRPC reports only as UNAVAILABLE text) to our stable codes.
 *
 * Messages are one sentence for a person: what was being done, which endpoint(s), what went
 * wrong in plain words and what to check. gRPC's own text ("14 UNAVAILABLE: No connection
 * established. Last error: … Resolution note:") stays in `cause` for debugging.
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
/** A TLS client talking to a plain-text etcd sees the connection close mid-handshake. */
const CLOSED_DURING_HANDSHAKE = /before secure TLS connection|ECONNRESET|socket hang up|wrong version number|packet length too long/i;
const UNAVAILABLE = /unavailable|Name resolution failed|deadline exceeded|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|No connection established/i;

/** The endpoints of a call, as a person reads them: `etcd at http://a:2379` or `etcd (endpoints a, b)`. */
export function etcdAt(endpoints: readonly string[]): string {
  return endpoints.length === 1 ? `etcd at ${endpoints[0] ?? ''}` : `etcd (endpoints ${endpoints.join(', ')})`;
}

/** Why a connection failed, in plain words, from the socket error gRPC wraps in its text. */
export function unreachableReason(message: string): string {
  if (/ECONNREFUSED/i.test(message)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|Name resolution failed/i.test(message)) return 'host name not found';
  if (/EHOSTUNREACH|ENETUNREACH/i.test(message)) return 'no route to the host';
  if (/ECONNRESET|socket hang up/i.test(message)) return 'connection reset';
  if (/ETIMEDOUT|deadline exceeded/i.test(message)) return 'no answer in time';
  return 'no connection';
}

/** What went wrong in a TLS handshake and what to check, in plain words. */
function tlsProblem(message: string): string {
  if (CLOSED_DURING_HANDSHAKE.test(message)) return 'the connection closed during the handshake; check that etcd serves https (not plain http) there';
  if (/self.signed|unable to verify|unable to get (local )?issuer|certificate verify failed/i.test(message)) {
    return "etcd's certificate is not signed by the given CA; check the CA bundle";
  }
  if (/altname|hostname|is not in the cert/i.test(message)) return "etcd's certificate does not name this host; use a host name or IP its certificate lists";
  if (/certificate (has )?expired|not yet valid/i.test(message)) return "a certificate has expired or is not yet valid; check the certificates' dates and the clock";
  if (/bad certificate|certificate required|unknown ca|alert/i.test(message)) return 'etcd rejected the client certificate; check the client certificate and key';
  return 'the handshake failed; check that etcd serves https there and the CA bundle';
}

function authProblem(message: string): { reason: string; check: string } {
  if (/permission denied/i.test(message)) return { reason: 'permission denied', check: "check the user's roles" };
  if (/invalid auth token/i.test(message)) return { reason: 'invalid auth token', check: 'check the user name and password' };
  if (/user name is empty/i.test(message)) return { reason: 'no user given', check: 'give a user and password (etcd has auth enabled)' };
  return { reason: 'authentication failed', check: 'check the user name and password' };
}

/** etcd's own words without gRPC's status prefix: `3 INVALID_ARGUMENT: etcdserver: key is not provided` -> `key is not provided`. */
export function etcdSays(message: string): string {
  return message
    .replace(/^\d+ [A-Z_]+: /, '')
    .replace(/^etcdserver: /, '')
    .replace(/^mvcc: /, '')
    .trim();
}

export function translateEtcdError(error: unknown, context: DeadlineContext): RollcallError {
  if (error instanceof RollcallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const op = context.operation;
  const at = etcdAt(context.endpoints);
  const tls = context.endpoints.some((e) => e.startsWith('https://'));
  const options = { cause: error, details: { operation: op, endpoints: context.endpoints } };

  if (
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdInvalidAuthTokenError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof GRPCUnauthenticatedError ||
    /authentication failed|invalid auth token|permission denied|user name is empty/i.test(message)
  ) {
    const { reason, check } = authProblem(message);
    return new EtcdAuthError(`${op}: ${at} refused the credentials (${reason}); ${check}`, options);
  }
  if (TLS_FAILURE.test(message) || (tls && CLOSED_DURING_HANDSHAKE.test(message))) {
    return new EtcdTlsError(`${op}: TLS with ${at} failed: ${tlsProblem(message)}`, options);
  }
  if (error instanceof ClientClosedError) {
    return new ClosedError(`${op}: the etcd client is closed`, options);
  }
  if (error instanceof Error && isBrokenCircuitError(error)) {
    return new EtcdUnavailableError(`${op}: not sent: ${at} failed the last calls; check that etcd is running and reachable there`, options);
  }
  if (error instanceof GRPCUnavailableError || error instanceof GRPCDeadlineExceededError || UNAVAILABLE.test(message)) {
    return new EtcdUnavailableError(`${op}: ${at} is unreachable (${unreachableReason(message)}); check that etcd is running and listening there`, options);
  }
  if (isLeaseNotFound(error)) {
    return new EtcdRequestError(`${op}: etcd has no such lease (it expired, was revoked or never existed)`, options);
  }
  return new EtcdRequestError(`${op}: ${at} refused the request: ${etcdSays(message)}`, options);
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
