/**
 * `rollcall pick <service> [--strategy S] [--key K] [--count N]`: chooses instance addresses the
 * way a client would (only `up` instances), one per line. Exit code 3 when none is pickable.
 * `--key` here is the hash key; the TLS key file goes before the command (`rollcall --key F pick`).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { createPicker, PICKER_STRATEGIES, type PickerStrategy } from '../../balance/index.js';
import { KeyLayout } from '../../codec/index.js';
import { InvalidConfigError } from '../../errors.js';
import { connectionOptions, parsePositiveInt, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { printWarning } from '../cli-output.js';
import { listInstances, withConnection } from '../instance-listing.js';

interface PickOptions {
  strategy: PickerStrategy;
  key?: string;
  count: number;
  zone?: string;
}

function parseStrategy(value: string): PickerStrategy {
  const strategy = PICKER_STRATEGIES.find((s) => s === value);
  if (strategy === undefined) throw new InvalidArgumentError(`expected one of ${PICKER_STRATEGIES.join(', ')}`);
  return strategy;
}

export function registerPickCommand(program: Command): void {
  const cmd = program
    .command('pick')
    .description('pick instance address(es) of a service with a balancing strategy (exit 3: none pickable)')
    .argument('<service>', 'service name')
    .option('--strategy <strategy>', `one of ${PICKER_STRATEGIES.join(', ')}`, parseStrategy, 'round-robin' as PickerStrategy)
    .option('--key <key>', 'request key for the hash strategy')
    .option('--count <n>', 'how many picks', parsePositiveInt, 1)
    .option('--zone <zone>', 'prefer instances in this zone');
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (service: string, options: PickOptions, command: Command) => {
    const layout = new KeyLayout(servicePrefix(command));
    layout.servicePrefix(service);
    const picker = createPicker({ strategy: options.strategy, service, ...(options.zone ? { preferZone: options.zone } : {}) });
    if (options.strategy === 'hash' && options.key === undefined) {
      throw new InvalidConfigError('--strategy hash needs --key <key> (the request key to hash)');
    }
    const listing = await withConnection(connectionOptions(command), (conn) => listInstances(conn, layout, service));
    for (const error of listing.invalid) printWarning(error);
    picker.update(listing.instances);
    const picks: string[] = [];
    for (let i = 0; i < options.count; i++) picks.push(picker.pick(options.key).address);
    for (const address of picks) console.log(address);
  });
}
