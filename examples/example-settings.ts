/**
 * Settings every example reads from its environment, so each runs with one command:
 *   ROLLCALL_ENDPOINTS  etcd client URLs, comma-separated (read by rollcall itself; default 127.0.0.1:2379)
 *   EXAMPLE_ID          instance id of a provider (default `<hostname>-<pid>`)
 *   EXAMPLE_WEIGHT      a provider's weight (default 1)
 *   EXAMPLE_CALLS       how many calls a consumer makes before it stops (default: until Ctrl-C)
 *   EXAMPLE_INTERVAL_MS pause between a consumer's calls (default 1000)
 */
import { hostname } from 'node:os';

export const settings = {
  id: process.env['EXAMPLE_ID'] ?? `${hostname()}-${process.pid}`,
  weight: Number(process.env['EXAMPLE_WEIGHT'] ?? 1),
  calls: process.env['EXAMPLE_CALLS'] === undefined ? Infinity : Number(process.env['EXAMPLE_CALLS']),
  intervalMs: Number(process.env['EXAMPLE_INTERVAL_MS'] ?? 1000),
};

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C, `kill`, a container stop). */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
