/**
 * `rollcall watch [service] [--json]`: the current instances (of one service, or of all), then one
 * line per catalog change (added, updated, removed with its reason, recovered) until Ctrl-C or
 * SIGTERM, then exit 0. Lines are described in ../catalog-lines.ts; with --json each line is one
 * JSON object with an `event` field. Loss of contact with etcd is reported on stderr, and the
 * watch resumes by itself without losing or repeating a change.
 */
import { once } from 'node:events';
import type { Command } from 'commander';
import { KeyLayout } from '../../codec/index.js';
import { Catalog, type CatalogChange } from '../../discovery/index.js';
import { changeJson, changeLine, currentJson, currentLine } from '../catalog-lines.js';
import { connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { printJson, printWarning } from '../cli-output.js';
import { armStopSignal } from '../stop-signal.js';

export function registerWatchCommand(program: Command): void {
  const cmd = program
    .command('watch')
    .description('print the current instances, then every change, until Ctrl-C')
    .argument('[service]', 'only this service (default: every service under the prefix)')
    .option('--json', 'one JSON object per line');
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (service: string | undefined, options: { json?: boolean }, command: Command) => {
    const prefix = servicePrefix(command);
    if (service !== undefined) new KeyLayout(prefix).servicePrefix(service);
    const stop = armStopSignal();
    try {
      await watchCatalog(command, prefix, service, options.json === true, stop.signal);
    } finally {
      stop.dispose();
    }
  });
}

async function watchCatalog(command: Command, prefix: string, service: string | undefined, json: boolean, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  let catalog: Catalog;
  try {
    // Interrupted while the first listing is under way: the open is cancelled (what it started is
    // closed) and the command exits 0 at once.
    catalog = await Catalog.open({ ...connectionOptions(command), prefix, ...(service !== undefined ? { services: [service] } : {}), signal });
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
  try {
    const services = service !== undefined ? [service] : catalog.services();
    for (const name of services) {
      for (const instance of catalog.instances(name)) {
        if (json) printJson(currentJson(instance));
        else console.log(currentLine(instance));
      }
    }
    const print = (change: CatalogChange): void => {
      if (json) printJson(changeJson(change));
      else console.log(changeLine(change));
    };
    catalog.on('added', print);
    catalog.on('updated', print);
    catalog.on('removed', print);
    catalog.on('recovered', print);
    catalog.on('warning', (error) => printWarning(error));
    catalog.on('stale', ({ staleForMs, error }) =>
      printWarning(`etcd unreachable for ${staleForMs} ms${error ? ` (${error.message})` : ''}; showing the last known state`),
    );
    catalog.on('synced', ({ reason, staleForMs }) => {
      if (staleForMs > 0) printWarning(`back in sync with etcd (${reason})`);
    });
    if (!signal.aborted) await once(signal, 'abort');
  } finally {
    await catalog.close();
  }
}
