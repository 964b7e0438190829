/**
 * The two consumers measured side by side: a rollcall Catalog, and a bare etcd3 watcher that
 * parses each value (what a hand-written consumer does at the least). Both count `put` events
 * under a prefix and say when the expected number has been applied.
 */
import { Etcd3 } from 'etcd3';
import { Catalog } from '../src/index.js';
import { rawParse } from './etcd-support.js';
import { machineNow } from './stats.js';

export type ConsumerKind = 'rollcall' | 'rollcall+picker' | 'raw';

export interface Consumer {
  /** Resolves when `expected` events were applied; machine time of the first and last. */
  readonly done: Promise<{ firstAt: number; doneAt: number }>;
  close(): Promise<void>;
}

export async function openConsumer(kind: ConsumerKind, endpoint: string, prefix: string, service: string, expected: number): Promise<Consumer> {
  let count = 0;
  let firstAt = 0;
  let finish: (value: { firstAt: number; doneAt: number }) => void = () => {};
  const done = new Promise<{ firstAt: number; doneAt: number }>((resolve) => (finish = resolve));
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
      seen(1);
    });
    return { done, close: async () => { await watcher.cancel(); client.close(); } };
  }
  const catalog = await Catalog.open({ endpoints: [endpoint], prefix, timeoutMs: 60_000 });
  if (kind === 'rollcall+picker') catalog.picker(service, 'weighted');
  catalog.on('updated', () => seen(1));
  catalog.on('added', () => seen(1));
  return { done, close: () => catalog.close() };
}
