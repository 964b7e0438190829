/**
 * `rollcall deregister <service> <id>`: the operator's removal of one instance. It does what the
 * instance's own clean stop does, so every catalog reports it `deregistered` (not `expired`):
 *
 * 1. rewrite the value with status `leaving` (through the codec, every other field and the lease
 *    kept), in a compare-and-swap on the key's mod revision;
 * 2. delete the key, in a compare-and-swap on the revision of that `leaving` write.
 *
 * If the registrar writes in between (a health flip), both steps start over with what it wrote.
 * The lease is left alone: the registrar that owned the key sees it deleted while its lease lives,
 * treats that as this removal (`removed` event; `rollcall register` exits 0) and does not put it
 * back. A value that is not a valid instance is deleted as it is.
 */
import type { Command } from 'commander';
import { KeyLayout } from '../../codec/index.js';
import { deregisterInstance } from '../../registration/operator-writes.js';
import { connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { leaseHex } from '../cli-output.js';
import { withConnection } from '../instance-listing.js';

export function registerDeregisterCommand(program: Command): void {
  const cmd = program
    .command('deregister')
    .description("remove an instance as its own clean stop would (status leaving, then delete); its registrar does not put it back")
    .argument('<service>', 'service name')
    .argument('<id>', 'instance id');
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (service: string, id: string, _options: unknown, command: Command) => {
    const layout = new KeyLayout(servicePrefix(command));
    const key = layout.instanceKey(service, id);
    const result = await withConnection(connectionOptions(command), (conn) => deregisterInstance(conn, layout, key));
    const invalid = result.valid ? '' : '; its value was not a valid instance, deleted as it was';
    console.log(`${key} deregistered (was on lease ${leaseHex(result.lease)})${invalid}`);
  });
}
