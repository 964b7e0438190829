/**
 * serveDashboard(): the dashboard on an HTTP server of its own, as `rollcall dashboard` and
 * `rollcall demo` run it. Binds loopback by default; refuses a non-loopback host without a token
 * (anyone who can reach the port would see the key space); with writes allowed and no token
 * given, makes one up (the URL it returns carries it after `#`, which browsers never send).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { Catalog, type CatalogOptions } from '../discovery/index.js';
import { InvalidConfigError } from '../errors.js';
import { createDashboard } from './dashboard.js';

export interface ServeDashboardOptions extends CatalogOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7070; 0 picks a free port. */
  port?: number;
  token?: string;
  allowWrites?: boolean;
  /** Use this catalog instead of opening one (it is then not closed by close()). */
  catalog?: Catalog;
}

export interface ServedDashboard {
  /** `http://host:port/`, plus `#token=…` when a token is set. */
  readonly url: string;
  readonly port: number;
  readonly token: string | undefined;
  close(): Promise<void>;
}

export const DEFAULT_DASHBOARD_PORT = 7070;

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export async function serveDashboard(options: ServeDashboardOptions = {}): Promise<ServedDashboard> {
  const { host = '127.0.0.1', port = DEFAULT_DASHBOARD_PORT, allowWrites = false, catalog: given, ...catalogOptions } = options;
  if (!isLoopbackHost(host) && options.token === undefined) {
    throw new InvalidConfigError(`refusing to serve the dashboard on ${host} without --token: anyone who can reach it would read the key space. Give --token <secret> (at least 8 characters), or bind 127.0.0.1`);
  }
  const token = options.token ?? (allowWrites ? randomBytes(18).toString('base64url') : undefined);
  const catalog = given ?? (await Catalog.open(catalogOptions));
  let server: Server | undefined;
  try {
    const { catalog: _c, host: _h, port: _p, token: _t, allowWrites: _w, ...connection } = options;
    const bracketed = host.includes(':') ? `[${host}]` : host;
    // Filled in once the port is known (before the first request can arrive); only on loopback,
    // where it keeps a DNS-rebinding page from reaching the dashboard under another name.
    const hosts: string[] = [];
    const dashboard = await createDashboard({
      ...connection,
      catalog,
      allowWrites,
      ...(token !== undefined ? { token } : {}),
      ...(isLoopbackHost(host) ? { allowedHosts: hosts } : {}),
    });
    server = createServer(dashboard.handler);
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('listening', resolve);
      listening.once('error', (error: NodeJS.ErrnoException) => reject(portError(error, port)));
      listening.listen(port, host);
    });
    const address = server.address();
    const actualPort = typeof address === 'object' && address !== null ? address.port : port;
    hosts.push(`${bracketed}:${actualPort}`, `localhost:${actualPort}`, `127.0.0.1:${actualPort}`, `[::1]:${actualPort}`);
    const running = server;
    return {
      url: `http://${bracketed}:${actualPort}/${token !== undefined ? `#token=${token}` : ''}`,
      port: actualPort,
      token,
      async close() {
        running.closeAllConnections();
        await new Promise<void>((resolve) => running.close(() => resolve()));
        await dashboard.close();
        if (given === undefined) await catalog.close();
      },
    };
  } catch (error) {
    server?.close();
    if (given === undefined) await catalog.close();
    throw error;
  }
}

/** One clear line for the usual failures; the system error stays the cause. */
function portError(error: NodeJS.ErrnoException, port: number): Error {
  if (error.code === 'EADDRINUSE') return new Error(`port ${port} is in use`, { cause: error });
  if (error.code === 'EADDRNOTAVAIL') return new Error(`cannot bind this address: ${error.message}`, { cause: error });
  return error;
}
