/**
 * Which request hosts name a service. A host matches when it is one of `services`, or ends in
 * `hostSuffix` (the service is what comes before it); with neither option set, any single-label
 * host (`http://api/…`) other than `localhost` names a service. IP addresses never do, so a
 * request to an instance's address always passes through untouched.
 */
import { isIP } from 'node:net';
import type { ResolvedHttpOptions } from './http-options.js';

export type HostMatch = Pick<ResolvedHttpOptions, 'hostSuffix' | 'services'>;

/** The service `hostname` names (as URL parsing leaves it: lower case, IPv6 in brackets), or undefined. */
export function serviceOfHost(hostname: string, match: HostMatch): string | undefined {
  if (hostname === '' || hostname.startsWith('[') || isIP(hostname) !== 0) return undefined;
  // A fully qualified name may end in a dot; it names the same host.
  const host = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (match.services?.has(host)) return host;
  if (match.hostSuffix !== undefined) {
    if (host.length > match.hostSuffix.length && host.endsWith(match.hostSuffix)) return host.slice(0, -match.hostSuffix.length);
    return undefined;
  }
  if (match.services !== undefined) return undefined;
  return host.includes('.') || host === 'localhost' ? undefined : host;
}
