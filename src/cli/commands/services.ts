/**
 * `rollcall services [--json]`: every service under the prefix with its instance counts by status.
 * Invalid values are reported on stderr and skipped; the exit code stays 0.
 */
import type { Command } from 'commander';
import { KeyLayout, type Instance } from '../../codec/index.js';
import { connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { printJson, printTable, printWarning } from '../cli-output.js';
import { listInstances, withConnection } from '../instance-listing.js';

export interface ServiceSummary {
  service: string;
  instances: number;
  up: number;
  draining: number;
  leaving: number;
}

export function summarize(instances: readonly Instance[]): ServiceSummary[] {
  const byService = new Map<string, ServiceSummary>();
  for (const instance of instances) {
    let summary = byService.get(instance.service);
    if (summary === undefined) {
      summary = { service: instance.service, instances: 0, up: 0, draining: 0, leaving: 0 };
      byService.set(instance.service, summary);
    }
    summary.instances++;
    summary[instance.status]++;
  }
  return [...byService.values()];
}

export function registerServicesCommand(program: Command): void {
  const cmd = program
    .command('services')
    .description('list services with their counts of up, draining and leaving instances')
    .option('--json', 'print a JSON array');
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (options: { json?: boolean }, command: Command) => {
    const layout = new KeyLayout(servicePrefix(command));
    const listing = await withConnection(connectionOptions(command), (conn) => listInstances(conn, layout));
    for (const error of listing.invalid) printWarning(error);
    const summaries = summarize(listing.instances);
    if (options.json === true) {
      printJson(summaries);
      return;
    }
    printTable(
      ['SERVICE', 'INSTANCES', 'UP', 'DRAINING', 'LEAVING'],
      summaries.map((s) => [s.service, String(s.instances), String(s.up), String(s.draining), String(s.leaving)]),
    );
  });
}
