/**
 * From an instance's address to a gRPC endpoint: `host:port`, `[v6]:port`. An address gRPC cannot
 * dial (no port, a URL) is not offered; the resolver reports it as a warning instead.
 */
import type { TcpAddress } from './grpc-api.js';

export function parseHostPort(address: string): TcpAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+(?:%[\w.-]+)?)\]|([^:[\]/]+)):(\d{1,5})$/.exec(address);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

/** How grpc-js prints an address: the key the balancer matches endpoints and instances by. */
export function addressKey(address: TcpAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
