/**
 * `rollcall drain <service> <id>` and `rollcall undrain <service> <id>`: the operator's drain and
 * its undo. Rewrites the instance's value with status `draining` (or back to `up`) through the
 * codec, so every other field is kept, on the same lease, in one compare-and-swap transaction on
 * the key's mod_revision: a registrar write that lands between our read and our write is not
 * overwritten; we read again and retry. Consumers stop picking a draining instance; it stays
 * registered. The registrar that owns it may set it back to `up` (a passing health check does not,
 * but a re-registration after a lost lease writes its own status).
 */
import type { Command } from 'commander';
import { KeyLayout, type InstanceStatus } from '../../codec/index.js';
import { setInstanceStatus } from '../../registration/operator-writes.js';
import { connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { leaseHex } from '../cli-output.js';
import { withConnection } from '../instance-listing.js';

export function registerDrainCommand(program: Command): void {
  registerStatusCommand(program, 'drain', 'draining', 'mark an instance draining (still registered, no longer picked), keeping its lease');
}

export function registerUndrainCommand(program: Command): void {
  registerStatusCommand(program, 'undrain', 'up', 'mark a drained instance up again (picked again), keeping its lease');
}

function registerStatusCommand(program: Command, name: string, status: InstanceStatus, description: string): void {
  const cmd = program.command(name).description(description).argument('<service>', 'service name').argument('<id>', 'instance id');
  withPrefixOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (service: string, id: string, _options: unknown, command: Command) => {
    const layout = new KeyLayout(servicePrefix(command));
    const key = layout.instanceKey(service, id);
    const result = await withConnection(connectionOptions(command), (conn) => setInstanceStatus(conn, layout, key, status));
    console.log(result === 'already' ? `${key} is already ${status}` : `${key} ${status} (lease ${leaseHex(result)})`);
  });
}
