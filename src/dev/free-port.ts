/**
 * Free TCP ports on 127.0.0.1 for throwaway etcds: bind port 0, read what the kernel chose, close.
 *
 * The port is free when we close it, not a guarantee it stays free: another process may take it
 * before etcd binds. EtcdProcess therefore retries with new ports when etcd reports "address
 * already in use" on ports it chose itself. Within this process we never hand out a port twice,
 * so two harnesses started concurrently cannot race each other for the same port.
 */
import { createServer } from 'node:net';
import { EtcdProcessError } from '../errors.js';

export const LOOPBACK = '127.0.0.1';

/** Ports this process has already handed out. Never shrinks: a stopped etcd may come back on its ports. */
const handedOut = new Set<number>();

/** How many times the kernel may give us an already handed-out port before we give up. */
const MAX_ATTEMPTS = 50;

function bindEphemeral(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One free loopback port that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const port = await bindEphemeral();
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new EtcdProcessError(`no fresh free port on ${LOOPBACK} after ${MAX_ATTEMPTS} attempts`);
}

/** `count` distinct free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

/** Marks a port the caller chose as in use, so freePort() will not hand it out. */
export function reservePort(port: number): void {
  handedOut.add(port);
}

/** True when `port` can be bound on 127.0.0.1 right now (a hint only: it may be taken a moment later). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
