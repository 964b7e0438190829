/**
 * `rollcall kv get|put|del|watch`: plain key-value access, etcdctl-style, for poking at what
 * rollcall and others store. Output follows etcdctl: `get` prints key and value lines, `put`
 * prints OK, `del` the number of keys deleted, `watch` PUT/DELETE, key, value per event.
 * Here `--prefix` is etcdctl's flag (the key is a prefix), not the service prefix.
 */
import { once } from 'node:events';
import type { Command } from 'commander';
import type { EtcdConnection } from '../../etcd/index.js';
import { InvalidConfigError } from '../../errors.js';
import { grantLease } from '../../etcd/lease-calls.js';
import { prefixRange, RangeFollower, singleKeyRange, toWatchedKV, type ChangeBatch, type KeyRange, type WatchedKV } from '../../watch/index.js';
import { connectionOptions, parseLeaseId, parsePositiveInt, withConnectionOptions } from '../cli-options.js';
import { printJson, printWarning } from '../cli-output.js';
import { withConnection } from '../instance-listing.js';
import { armStopSignal } from '../stop-signal.js';

function kvJson(kv: WatchedKV): Record<string, unknown> {
  return { key: kv.key, value: kv.value.toString('utf8'), createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, lease: kv.lease };
}

/**
 * The keys a command acts on. `'' --prefix` is the whole keyspace, which etcd (like etcdctl)
 * spells as key "\0" with range_end "\0": an empty key alone is refused ("key is not provided").
 */
export function kvRange(key: string, prefix: boolean): KeyRange {
  if (key === '' && prefix) return { key: Buffer.from([0]), rangeEnd: Buffer.from([0]), description: 'every key' };
  if (key === '') throw new InvalidConfigError('the key is empty: give a key, or \'\' --prefix for every key');
  return prefix ? prefixRange(key) : singleKeyRange(key);
}

function rangeOf(key: string, prefix: boolean): { key: Buffer; range_end?: Buffer } {
  const range = kvRange(key, prefix);
  return { key: range.key, ...(range.rangeEnd ? { range_end: range.rangeEnd } : {}) };
}

interface GetOptions {
  prefix?: boolean;
  json?: boolean;
  keysOnly?: boolean;
  printValueOnly?: boolean;
  rev?: number;
  limit?: number;
}

export function registerKvCommand(program: Command): void {
  const kv = program.command('kv').description('get, put, delete and watch plain keys (like etcdctl)');

  const get = kv
    .command('get')
    .description("print a key and its value (with --prefix: every key starting with it; '' --prefix: every key)")
    .argument('<key>')
    .option('--prefix', 'the key is a prefix')
    .option('--keys-only', 'print only the keys')
    .option('--print-value-only', 'print only the values')
    .option('--rev <revision>', 'read at this revision (fails once it is compacted)', parsePositiveInt)
    .option('--limit <n>', 'print at most n keys (in key order)', parsePositiveInt)
    .option('--json', 'print a JSON array of {key, value, createRevision, modRevision, version, lease}');
  withConnectionOptions(get).action(async (key: string, options: GetOptions, command: Command) => {
    if (options.keysOnly === true && options.printValueOnly === true) throw new InvalidConfigError('give --keys-only or --print-value-only, not both');
    const request = {
      ...rangeOf(key, options.prefix === true),
      ...(options.rev !== undefined ? { revision: options.rev } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.keysOnly === true ? { keys_only: true } : {}),
    };
    const response = await withConnection(connectionOptions(command), (conn) =>
      conn.call(`get ${kvRange(key, options.prefix === true).description}`, () => conn.client.kv.range(request)),
    );
    const kvs = response.kvs.map(toWatchedKV);
    if (options.json === true) printJson(kvs.map(kvJson));
    else for (const item of kvs) console.log(kvLines(item, options));
  });

  const put = kv
    .command('put')
    .description('write a key (with --ttl: on a new lease of that many seconds, not kept alive)')
    .argument('<key>')
    .argument('<value>')
    .option('--ttl <seconds>', 'attach the key to a new lease with this TTL', parsePositiveInt)
    .option('--lease <id>', 'attach the key to this lease (hex as etcdctl prints it, or decimal)', parseLeaseId);
  withConnectionOptions(put).action(async (key: string, value: string, options: { ttl?: number; lease?: string }, command: Command) => {
    if (options.ttl !== undefined && options.lease !== undefined) throw new InvalidConfigError('give --ttl or --lease, not both');
    await withConnection(connectionOptions(command), async (conn) => {
      const lease = options.ttl !== undefined ? await grant(conn, options.ttl) : (options.lease ?? '0');
      await conn.call(`put ${key}`, () => conn.client.kv.put({ key: Buffer.from(key), value: Buffer.from(value), lease }));
    });
    console.log('OK');
  });

  const del = kv
    .command('del')
    .description("delete a key (with --prefix: every key starting with it; '' --prefix: every key); prints how many were deleted")
    .argument('<key>')
    .option('--prefix', 'the key is a prefix');
  withConnectionOptions(del).action(async (key: string, options: { prefix?: boolean }, command: Command) => {
    const response = await withConnection(connectionOptions(command), (conn) =>
      conn.call(`delete ${kvRange(key, options.prefix === true).description}`, () => conn.client.kv.deleteRange(rangeOf(key, options.prefix === true))),
    );
    console.log(String(response.deleted));
  });

  const watch = kv
    .command('watch')
    .description("print every change to a key (or prefix; '' --prefix: every key) from now on, until Ctrl-C")
    .argument('<key>')
    .option('--prefix', 'the key is a prefix')
    .option('--json', 'one JSON object per event');
  withConnectionOptions(watch).action(async (key: string, options: { prefix?: boolean; json?: boolean }, command: Command) => {
    const range = kvRange(key, options.prefix === true); // a usage error before any etcd call
    const stop = armStopSignal();
    try {
      await withConnection(connectionOptions(command), (conn) => follow(conn, range, options.json === true, stop.signal));
    } finally {
      stop.dispose();
    }
  });
}

/** etcdctl's simple output: key and value lines, or only one of them. */
function kvLines(item: WatchedKV, options: GetOptions): string {
  if (options.keysOnly === true) return item.key;
  if (options.printValueOnly === true) return item.value.toString('utf8');
  return `${item.key}\n${item.value.toString('utf8')}`;
}

async function grant(conn: EtcdConnection, ttl: number): Promise<string> {
  return (await grantLease(conn, ttl)).leaseId;
}

/** One RangeFollower: resumes after outages without losing or repeating an event. */
async function follow(conn: EtcdConnection, range: KeyRange, json: boolean, signal: AbortSignal): Promise<void> {
  const follower = new RangeFollower(conn, range);
  follower.on('batch', (batch: ChangeBatch) => {
    if (batch.cause === 'initial') return; // like etcdctl watch: changes from now on
    for (const change of batch.changes) {
      if (json) {
        printJson(change.type === 'put' ? { type: 'PUT', revision: change.revision, ...kvJson(change.kv) } : { type: 'DELETE', revision: change.revision, key: change.key });
      } else if (change.type === 'put') {
        console.log(`PUT\n${change.kv.key}\n${change.kv.value.toString('utf8')}`);
      } else {
        console.log(`DELETE\n${change.key}`);
      }
    }
  });
  // Before the first listing, failing to connect is the command's error (exit 2), not a warning.
  follower.on('disconnected', ({ error }) => {
    if (follower.hasSynced) printWarning(`lost contact with etcd, retrying: ${error.message}`);
  });
  follower.on('synced', ({ reason }) => {
    if (reason !== 'initial') printWarning(`watching again (${reason})`);
  });
  follower.start();
  try {
    await follower.waitForSync(conn.timeoutMs, signal).catch((error: unknown) => {
      if (!signal.aborted) throw error;
    });
    if (!signal.aborted) await once(signal, 'abort');
  } finally {
    follower.close();
  }
}
