/**
 * `rollcall instances [service] [--status S] [--zone Z] [--tag T]… [--json]`: the instances of
 * one service, or of every service under the prefix when none is named, as a table or a JSON
 * array (service, id, address, status, weight, zone, version, tags, meta, key, lease). The
 * filters combine (an instance must have every --tag). Invalid values are reported on stderr and
 * skipped; the exit code stays 0.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { INSTANCE_STATUSES, KeyLayout, type InstanceStatus } from '../../codec/index.js';
import { collect, connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { INSTANCE_HEADER, instanceJson, instanceRow, printJson, printTable, printWarning } from '../cli-output.js';
import { listInstances, matchesFilter, withConnection } from '../instance-listing.js';

interface InstancesOptions {
  json?: boolean;
  status?: InstanceStatus;
  zone?: string;
  tag?: string[];
}

function parseStatus(value: string): InstanceStatus {
  const status = INSTANCE_STATUSES.find((s) => s === value);
  if (status === undefined) throw new InvalidArgumentError(`expected one of ${INSTANCE_STATUSES.join(', ')}`);
  return status;
}

export function registerInstancesCommand(program: Command): void {
  const cmd = program
    .command('instances')
    .description('list the instances of a service (of every service when none is named)')
    .argument('[service]', 'service name (default: every service)')
    .option('--status <status>', `only instances with this status (${INSTANCE_STATUSES.join(', ')})`, parseStatus)
    .option('--zone <zone>', 'only instances in this zone')
    .option('--tag <tag>', 'only instances with this tag (repeat: every tag must be present)', collect)
    .option('--json', 'print a JSON array of instances');
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (service: string | undefined, options: InstancesOptions, command: Command) => {
    const layout = new KeyLayout(servicePrefix(command));
    if (service !== undefined) layout.servicePrefix(service); // InvalidNameError (usage) before any etcd call
    const listing = await withConnection(connectionOptions(command), (conn) => listInstances(conn, layout, service));
    for (const error of listing.invalid) printWarning(error);
    const filter = { ...(options.status !== undefined ? { status: options.status } : {}), ...(options.zone !== undefined ? { zone: options.zone } : {}), tags: options.tag ?? [] };
    const instances = listing.instances.filter((instance) => matchesFilter(instance, filter));
    if (options.json === true) printJson(instances.map(instanceJson));
    else printTable(INSTANCE_HEADER, instances.map(instanceRow));
  });
}
