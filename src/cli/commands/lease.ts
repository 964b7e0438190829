/**
 * `rollcall lease grant|revoke|ttl|list|keep-alive`: etcd leases, etcdctl-style. Ids are printed in hex
 * like etcdctl (and in decimal too with --json); hex and decimal ids are accepted (../lease-id.ts).
 */
import type { Command } from 'commander';
import type { EtcdConnection } from '../../etcd/index.js';
import { LeaseLostError, RollcallError } from '../../errors.js';
import { KeepAliveChannel } from '../../etcd/keepalive-channel.js';
import { sleep } from '../../etcd/index.js';
import { connectionOptions, parseLeaseId, parsePositiveInt, toHex, withConnectionOptions } from '../cli-options.js';
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
    const response = await withConnection(connectionOptions(command), (conn) =>
      conn.call(`grant lease (ttl ${ttl})`, () => conn.client.leaseClient.leaseGrant({ TTL: ttl, ID: 0 })),
    );
    const id = String(response.ID);
    if (options.json === true) printJson({ id, hex: toHex(id), ttl: Number(response.TTL) });
    else console.log(`lease ${toHex(id)} granted with TTL(${response.TTL}s)`);
  });

  const revoke = lease.command('revoke').description('revoke a lease (its keys are deleted)').argument('<id>', 'lease id (hex or decimal)', parseLeaseId);
  withConnectionOptions(revoke).action(async (id: string, _options: unknown, command: Command) => {
    await withConnection(connectionOptions(command), (conn) => conn.call(`revoke lease ${toHex(id)}`, () => conn.client.leaseClient.leaseRevoke({ ID: id })));
    console.log(`lease ${toHex(id)} revoked`);
  });

  const ttl = lease
    .command('ttl')
    .description('print the remaining TTL of a lease (with --keys: its keys)')
    .argument('<id>', 'lease id (hex or decimal)', parseLeaseId)
    .option('--keys', 'also list the keys attached to it')
    .option('--json', 'print {"id", "hex", "ttl", "grantedTtl", "keys"?}');
  withConnectionOptions(ttl).action(async (id: string, options: { keys?: boolean; json?: boolean }, command: Command) => {
    const keys = options.keys === true;
    const response = await withConnection(connectionOptions(command), (conn) =>
      conn.call(`lease ${toHex(id)} time to live`, () => conn.client.leaseClient.leaseTimeToLive({ ID: id, keys })),
    );
    const remaining = Number(response.TTL);
    const names = response.keys.map((k) => k.toString('utf8'));
    if (options.json === true) {
      printJson({ id, hex: toHex(id), ttl: remaining, grantedTtl: Number(response.grantedTTL), ...(keys ? { keys: names } : {}) });
    } else if (remaining < 0) {
      console.log(`lease ${toHex(id)} already expired`);
    } else {
      const attached = keys ? `, attached keys([${names.join(' ')}])` : '';
      console.log(`lease ${toHex(id)} granted with TTL(${response.grantedTTL}s), remaining(${remaining}s)${attached}`);
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
      printJson(ids.map((id) => ({ id, hex: toHex(id) })));
      return;
    }
    console.log(`found ${ids.length} leases`);
    for (const id of ids) console.log(toHex(id));
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

/** One keepalive every TTL/3 until aborted; throws LeaseLostError once etcd says the lease is gone. */
async function keepAliveLoop(conn: EtcdConnection, id: string, signal: AbortSignal): Promise<void> {
  const channel = new KeepAliveChannel(conn);
  let intervalMs = 1000;
  try {
    while (!signal.aborted) {
      try {
        const ttl = await channel.send(id, conn.timeoutMs, signal);
        if (ttl <= 0) throw new LeaseLostError(`lease ${toHex(id)} expired or revoked`, { details: { leaseId: id } });
        console.log(`lease ${toHex(id)} keepalived with TTL(${ttl})`);
        intervalMs = Math.max(500, (ttl * 1000) / 3);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof LeaseLostError || !(error instanceof RollcallError) || error.code !== 'ERR_ETCD_UNAVAILABLE') throw error;
        printWarning(`keepalive failed, retrying: ${error.message}`);
      }
      await sleep(intervalMs, signal).catch(() => undefined);
    }
  } finally {
    channel.reset();
  }
}
