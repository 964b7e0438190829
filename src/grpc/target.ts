/**
 * Which service a gRPC target names. Two forms:
 * - `etcd:///<prefix>/<service>`: the very string a Go client passes to etcd's own resolver
 *   (`etcd:///services/greeter` = service `greeter` under prefix `services`), so one target works
 *   in both languages. The prefix is everything before the last `/`.
 * - `rollcall:///<service>` (or `rollcall:<service>`): the service under the prefix the resolver
 *   was registered with (default `services`), for code that should not repeat the prefix.
 */
import { assertValidName, normalizePrefix } from '../codec/index.js';
import { InvalidConfigError, InvalidNameError } from '../errors.js';
import type { GrpcUri } from './grpc-api.js';

export interface ResolvedTarget {
  readonly prefix: string;
  readonly service: string;
}

export const ETCD_SCHEME = 'etcd';
export const ROLLCALL_SCHEME = 'rollcall';

/** The prefix and service a target names; throws InvalidConfigError with the reason. */
export function parseTarget(target: GrpcUri, defaultPrefix: string): ResolvedTarget {
  const path = target.path.replace(/^\/+/, '');
  const shown = `${target.scheme ?? ''}:${target.authority === undefined ? '' : `//${target.authority}/`}${target.path}`;
  if (target.authority !== undefined && target.authority !== '') {
    throw new InvalidConfigError(`gRPC target ${shown}: an authority is not supported; use ${target.scheme}:///<...> with three slashes`, { details: { target: shown } });
  }
  let prefix: string;
  let service: string;
  if (target.scheme === ROLLCALL_SCHEME) {
    prefix = defaultPrefix;
    service = path;
  } else {
    const slash = path.lastIndexOf('/');
    if (slash <= 0) {
      throw new InvalidConfigError(`gRPC target ${shown} names no prefix: use etcd:///<prefix>/<service> (e.g. etcd:///services/greeter), or rollcall:///<service>`, { details: { target: shown } });
    }
    prefix = path.slice(0, slash);
    service = path.slice(slash + 1);
  }
  try {
    assertValidName('service name', service);
    prefix = normalizePrefix(prefix);
  } catch (error) {
    if (error instanceof InvalidNameError || error instanceof InvalidConfigError) {
      throw new InvalidConfigError(`gRPC target ${shown}: ${error.message}`, { cause: error, details: { target: shown } });
    }
    throw error;
  }
  return { prefix, service };
}
