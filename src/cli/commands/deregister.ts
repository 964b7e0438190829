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
import { decodeInstance, encodeInstance, KeyLayout } from '../../codec/index.js';
import type { EtcdConnection } from '../../etcd/index.js';
import { EtcdRequestError, NoInstanceError } from '../../errors.js';
import { toWatchedKV } from '../../watch/index.js';
import { connectionOptions, servicePrefix, withConnectionOptions, withPrefixOption } from '../cli-options.js';
import { leaseHex } from '../cli-output.js';
import { withConnection } from '../instance-listing.js';

const ATTEMPTS = 5;

export interface Deregistered {
  /** Decimal lease id the key was on ("0": none). */
  readonly lease: string;
  /** False when the value was not a valid instance (deleted without a `leaving` status). */
  readonly valid: boolean;
}

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
    const result = await withConnection(connectionOptions(command), (conn) => deregisterKey(conn, layout, key));
    const invalid = result.valid ? '' : '; its value was not a valid instance, deleted as it was';
    console.log(`${key} deregistered (was on lease ${leaseHex(result.lease)})${invalid}`);
  });
}

/** Writes status leaving, then deletes, each as a CAS; NoInstanceError when the key does not exist. */
export async function deregisterKey(conn: EtcdConnection, layout: KeyLayout, key: string): Promise<Deregistered> {
  const k = Buffer.from(key);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const read = await conn.call(`get ${key}`, () => conn.client.kv.range({ key: k }));
    const raw = read.kvs[0];
    if (raw === undefined) {
      const parsed = layout.parse(key);
      throw new NoInstanceError(`no instance at ${key}`, parsed.ok ? { details: { service: parsed.service } } : {});
    }
    const kv = toWatchedKV(raw);
    const decoded = decodeInstance(layout, kv);
    let deleteAt = kv.modRevision;
    if (decoded.ok && decoded.instance.status !== 'leaving') {
      const value = encodeInstance({ ...decoded.instance, status: 'leaving' });
      const leaving = await conn.call(`mark ${key} leaving`, () =>
        conn.client.kv.txn({
          compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: String(kv.modRevision) }],
          success: [{ request_put: { key: k, value: Buffer.from(value), lease: kv.lease } }],
        }),
      );
      if (!leaving.succeeded) continue;
      deleteAt = Number(leaving.header.revision);
    }
    const removed = await conn.call(`delete ${key}`, () =>
      conn.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: String(deleteAt) }],
        success: [{ request_delete_range: { key: k } }],
      }),
    );
    if (removed.succeeded) return { lease: kv.lease, valid: decoded.ok };
  }
  throw new EtcdRequestError(`${key} kept changing; gave up after ${ATTEMPTS} attempts`, { details: { key } });
}
