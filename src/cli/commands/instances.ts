/**
 * `rollcall instances <service> [--json]`: the instances of one service, as a table or a JSON
 * array (service, id, address, status, weight, zone, version, tags, meta, key, lease). Invalid
 * values are reported on stderr and skipped; the exit code stays 0.
 */
import type { Command } from 'commander';
import { KeyLayout } from '../../codec/index.js';
import { connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { INSTANCE_HEADER, instanceJson, instanceRow, printJson, printTable, printWarning } from '../cli-output.js';
import { listInstances, withConnection } from '../instance-listing.js';

export function registerInstancesCommand(program: Command): void {
  const cmd = program
    .command('instances')
    .description('list the instances of a service')
    .argument('<service>', 'service name')
    .option('--json', 'print a JSON array of instances');
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (service: string, options: { json?: boolean }, command: Command) => {
    const layout = new KeyLayout(servicePrefix(command));
    layout.servicePrefix(service); // InvalidNameError (usage) before any etcd call
    const listing = await withConnection(connectionOptions(command), (conn) => listInstances(conn, layout, service));
    for (const error of listing.invalid) printWarning(error);
    if (options.json === true) printJson(listing.instances.map(instanceJson));
    else printTable(INSTANCE_HEADER, listing.instances.map(instanceRow));
  });
}
