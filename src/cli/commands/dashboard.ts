/**
 * `rollcall dashboard [--port 7070] [--host 127.0.0.1] [--token T] [--allow-writes]`: serves the
 * web dashboard (docs/dashboard.md) over a Catalog of the prefix until Ctrl-C. Prints one line
 * with its URL (carrying the token after `#` when there is one). A non-loopback --host needs
 * --token; --allow-writes without --token makes a token up for this run.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_DASHBOARD_PORT, serveDashboard } from '../../dashboard/index.js';
import { connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { armStopSignal } from '../stop-signal.js';

interface DashboardCliOptions {
  port: number;
  host: string;
  token?: string;
  allowWrites?: boolean;
}

/** A TCP port, 0-65535 (0 picks a free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`"${value}" is not a port (0-65535)`);
  return port;
}

export function registerDashboardCommand(program: Command): void {
  const cmd = program
    .command('dashboard')
    .description('serve the web dashboard: services, instances (live), keys and the etcd cluster')
    .option('--port <port>', 'port to listen on (0 picks a free port)', parsePort, DEFAULT_DASHBOARD_PORT)
    .option('--host <host>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--token <token>', 'secret every API call must carry (header X-Rollcall-Token; the printed URL carries it after #)')
    .option('--allow-writes', 'allow put, delete, delete-prefix, drain and undrain from the dashboard (with the token)');
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (options: DashboardCliOptions, command: Command) => {
    const stop = armStopSignal();
    try {
      if (stop.signal.aborted) return;
      const served = await serveDashboard({
        ...connectionOptions(command),
        prefix: servicePrefix(command),
        host: options.host,
        port: options.port,
        allowWrites: options.allowWrites === true,
        ...(options.token !== undefined ? { token: options.token } : {}),
      });
      console.log(`dashboard: ${served.url}${options.allowWrites === true ? ' (writes allowed)' : ''}`);
      await stop.stopped;
      await served.close();
      console.log('dashboard: stopped');
    } finally {
      stop.dispose();
    }
  });
}
