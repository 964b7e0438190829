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
import { decodeInstance, encodeInstance, KeyLayout, type InstanceStatus } from '../../codec/index.js';
import type { EtcdConnection } from '../../etcd/index.js';
import { EtcdRequestError, KeyNotFoundError } from '../../errors.js';
import { toWatchedKV } from '../../watch/index.js';
import { connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { leaseHex } from '../cli-output.js';
import { withConnection } from '../instance-listing.js';

const ATTEMPTS = 5;

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
    const result = await withConnection(connectionOptions(command), (conn) => setStatus(conn, layout, key, status));
    console.log(result === 'already' ? `${key} is already ${status}` : `${key} ${status} (lease ${leaseHex(result)})`);
  });
}

/** Drains the instance at `key` (see setStatus). */
export function drainKey(conn: EtcdConnection, layout: KeyLayout, key: string): Promise<string> {
  return setStatus(conn, layout, key, 'draining');
}

/** Writes `status` with a CAS on mod_revision; returns the lease, or 'already'. */
export async function setStatus(conn: EtcdConnection, layout: KeyLayout, key: string, status: InstanceStatus): Promise<string> {
  const k = Buffer.from(key);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const read = await conn.call(`get ${key}`, () => conn.client.kv.range({ key: k }));
    const raw = read.kvs[0];
    if (raw === undefined) throw new KeyNotFoundError(`no instance at ${key}`, { details: { key } });
    const kv = toWatchedKV(raw);
    const decoded = decodeInstance(layout, kv);
    if (!decoded.ok) throw decoded.error;
    const instance = decoded.instance;
    if (instance.status === status) return 'already';
    const value = encodeInstance({ ...instance, status });
    const response = await conn.call(`set ${key} ${status}`, () =>
      conn.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: String(kv.modRevision) }],
        success: [{ request_put: { key: k, value: Buffer.from(value), lease: kv.lease } }],
      }),
    );
    if (response.succeeded) return kv.lease;
  }
  throw new EtcdRequestError(`${key} kept changing; gave up after ${ATTEMPTS} attempts`, { details: { key } });
}
