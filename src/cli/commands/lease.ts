/**
 * `rollcall lease grant|revoke|ttl|list|keep-alive`: etcd leases, etcdctl-style. Ids are printed in hex
 * like etcdctl (and in decimal too with --json); hex and decimal ids are accepted (parseLeaseId).
 */
import type { Command } from 'commander';
import type { EtcdConnection } from '../../etcd/index.js';
import { LeaseLostError } from '../../errors.js';
import { grantLease, leaseTimeToLive, revokeLease } from '../../etcd/lease-calls.js';
import { leaseHex } from '../../etcd/lease-id.js';
import { keepLeaseAlive } from '../../etcd/lease-keepalive.js';
import { connectionOptions, parseLeaseId, parsePositiveInt, withConnectionOptions } from '../cli-options.js';
import { printJson, printWarning } from '../cli-output.js';
import { withConnection } from '../instance-listing.js';
import { armStopSignal } from '../stop-signal.js';

export function registerLeaseCommand(program: Command): void {
  const lease = program.command('lease').description('grant, revoke, inspect and keep alive etcd leases');

  const grant = lease
    .command('grant')
    .description('grant a lease; prints its id in hex (decimal too with --json)')
    .argument('<ttl>', 'TTL in seconds', parsePositiveInt)
    .option('--json', 'print {"id": decimal, "hex": hex, "ttl": seconds}');
  withConnectionOptions(grant).action(async (ttl: number, options: { json?: boolean }, command: Command) => {
    const granted = await withConnection(connectionOptions(command), (conn) => grantLease(conn, ttl));
    const id = granted.leaseId;
    if (options.json === true) printJson({ id, hex: leaseHex(id), ttl: granted.ttl });
    else console.log(`lease ${leaseHex(id)} granted with TTL(${granted.ttl}s)`);
  });

  const revoke = lease.command('revoke').description('revoke a lease (its keys are deleted)').argument('<id>', 'lease id (hex or decimal)', parseLeaseId);
  withConnectionOptions(revoke).action(async (id: string, _options: unknown, command: Command) => {
    const revoked = await withConnection(connectionOptions(command), (conn) => revokeLease(conn, id));
    if (!revoked) throw new LeaseLostError(`lease ${leaseHex(id)} not found: it expired or was revoked`, { details: { leaseId: id } });
    console.log(`lease ${leaseHex(id)} revoked`);
  });

  const ttl = lease
    .command('ttl')
    .description('print the remaining TTL of a lease (with --keys: its keys)')
    .argument('<id>', 'lease id (hex or decimal)', parseLeaseId)
    .option('--keys', 'also list the keys attached to it')
    .option('--json', 'print {"id", "hex", "ttl", "grantedTtl", "keys"?}');
  withConnectionOptions(ttl).action(async (id: string, options: { keys?: boolean; json?: boolean }, command: Command) => {
    const keys = options.keys === true;
    const response = await withConnection(connectionOptions(command), (conn) => leaseTimeToLive(conn, id, { keys }));
    const remaining = response.ttl;
    const names = response.keys;
    if (options.json === true) {
      printJson({ id, hex: leaseHex(id), ttl: remaining, grantedTtl: response.grantedTtl, ...(keys ? { keys: names } : {}) });
    } else if (remaining < 0) {
      console.log(`lease ${leaseHex(id)} already expired`);
    } else {
      const attached = keys ? `, attached keys([${names.join(' ')}])` : '';
      console.log(`lease ${leaseHex(id)} granted with TTL(${response.grantedTtl}s), remaining(${remaining}s)${attached}`);
    }
  });

  const list = lease
    .command('list')
    .description('list every lease etcd holds, in hex like etcdctl (decimal too with --json)')
    .option('--json', 'print a JSON array of {"id": decimal, "hex": hex}');
  withConnectionOptions(list).action(async (options: { json?: boolean }, command: Command) => {
    const response = await withConnection(connectionOptions(command), (conn) => conn.call('list leases', () => conn.client.leaseClient.leaseLeases()));
    const ids = response.leases.map((l) => String(l.ID));
    if (options.json === true) {
      printJson(ids.map((id) => ({ id, hex: leaseHex(id) })));
      return;
    }
    console.log(`found ${ids.length} leases`);
    for (const id of ids) console.log(leaseHex(id));
  });

  const keepAlive = lease
    .command('keep-alive')
    .description('keep a lease alive until Ctrl-C (exit 1 if it expires or is revoked)')
    .argument('<id>', 'lease id (hex or decimal)', parseLeaseId);
  withConnectionOptions(keepAlive).action(async (id: string, _options: unknown, command: Command) => {
    const stop = armStopSignal();
    try {
      await withConnection(connectionOptions(command), (conn) => keepAliveLoop(conn, id, stop.signal));
    } finally {
      stop.dispose();
    }
  });
}

/**
 * One keepalive at once, then every TTL/3 until aborted (keepLeaseAlive: an unanswered one is a
 * warning and the next goes to the next endpoint); throws LeaseLostError once etcd says the lease
 * is gone.
 */
async function keepAliveLoop(conn: EtcdConnection, id: string, signal: AbortSignal): Promise<void> {
  let gone = false;
  // The TTL is not known before the first answer: 3 s gives etcdctl's first interval of 1 s.
  await keepLeaseAlive(conn, { leaseId: id, ttl: 3, firstAfterMs: 0, signal }, {
    answered: ({ ttl }) => console.log(`lease ${leaseHex(id)} keepalived with TTL(${ttl})`),
    failed: ({ error }) => printWarning(`keepalive failed, retrying: ${error.message}`),
    gone: () => {
      gone = true;
    },
    ended: ({ error }) => {
      throw error;
    },
  });
  if (gone && !signal.aborted) throw new LeaseLostError(`lease ${leaseHex(id)} expired or revoked`, { details: { leaseId: id } });
}
