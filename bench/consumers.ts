/**
 * The two consumers measured side by side: a rollcall Catalog, and a bare etcd3 watcher that
 * parses each value (what a hand-written consumer does at the least). Both count `put` events
 * under a prefix and say when the expected number has been applied.
 *
 * `live()` proves a consumer's watch is established before a measurement starts: Catalog.open()
 * resolves once the listing is done, while its watch may still be being created (etcd3's
 * `create()` resolves only once etcd confirmed the watch). Without it, a consumer blocked right
 * after opening met the whole backlog through etcd's catch-up of a watch created late, which the
 * bare watcher never did: not a like-for-like drain.
 */
import { Etcd3 } from 'etcd3';
import { Catalog } from '../src/index.js';
import { instanceValue, rawParse } from './etcd-support.js';
import { machineNow } from './stats.js';

export type ConsumerKind = 'rollcall' | 'rollcall+picker' | 'raw';

export interface Consumer {
  /** Resolves when `expected` events were applied; machine time of the first and last. */
  readonly done: Promise<{ firstAt: number; doneAt: number }>;
  /** Puts a sentinel instance (not counted) and resolves once this consumer has seen it. */
  live(client: Etcd3): Promise<void>;
  close(): Promise<void>;
}

/** The sentinel's service: outside the measured one, so it is never counted. */
const SENTINEL = 'bench-sentinel';

export async function openConsumer(kind: ConsumerKind, endpoint: string, prefix: string, service: string, expected: number): Promise<Consumer> {
  let count = 0;
  let firstAt = 0;
  let finish: (value: { firstAt: number; doneAt: number }) => void = () => {};
  const done = new Promise<{ firstAt: number; doneAt: number }>((resolve) => (finish = resolve));
  // The sentinel's revision once put; a change at or after it proves the watch is live (an
  // older one, e.g. from the initial listing of a sentinel left by an earlier run, does not).
  // The event may arrive before the put's answer: remember the newest sentinel revision seen.
  let sentinelRevision = Infinity;
  let newestSentinel = 0;
  let sentinelSeen: () => void = () => {};
  const sentinel = new Promise<void>((resolve) => (sentinelSeen = resolve));
  const onSentinel = (revision: number): void => {
    newestSentinel = Math.max(newestSentinel, revision);
    if (newestSentinel >= sentinelRevision) sentinelSeen();
  };
  const live = async (client: Etcd3): Promise<void> => {
    const put = await client.put(`${prefix}/${SENTINEL}/i-0000000`).value(instanceValue(SENTINEL, 0)).exec();
    sentinelRevision = Number(put.header.revision);
    onSentinel(0);
    await sentinel;
  };
  const seen = (n: number): void => {
    if (count === 0) firstAt = machineNow();
    count += n;
    if (count === expected) finish({ firstAt, doneAt: machineNow() });
  };
  if (kind === 'raw') {
    const client = new Etcd3({ hosts: endpoint });
    const watcher = await client.watch().prefix(`${prefix}/`).create();
    watcher.on('put', (kv) => {
      rawParse(kv.value);
      if (kv.key.toString().startsWith(`${prefix}/${SENTINEL}/`)) onSentinel(Number(kv.mod_revision));
      else seen(1);
    });
    return { done, live, close: async () => { await watcher.cancel(); client.close(); } };
  }
  const catalog = await Catalog.open({ endpoints: [endpoint], prefix, timeoutMs: 60_000 });
  if (kind === 'rollcall+picker') catalog.picker(service, 'weighted');
  const onChange = (change: { service: string; revision: number }): void => {
    if (change.service === SENTINEL) onSentinel(change.revision);
    else seen(1);
  };
  catalog.on('updated', onChange);
  catalog.on('added', onChange);
  return { done, live, close: () => catalog.close() };
}
