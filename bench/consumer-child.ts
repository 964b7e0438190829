/**
 * A consumer in its own process, reporting over IPC the machine time at which each key arrived:
 * argv endpoint prefix kind ("rollcall" | "raw") [stages]. Sends {ready} once listening, then
 * {event: "added"|"removed", key, at} per change; with "stages", `added` also carries
 * `receivedAt`, when etcd's watch message arrived (etcd3-timing.ts). Exits when the parent
 * disconnects.
 */
import { Etcd3 } from 'etcd3';
import { Catalog } from '../src/index.js';
import { rawParse } from './etcd-support.js';
import { takeMarks, timeWatchMessages } from './etcd3-timing.js';
import { machineNow } from './stats.js';

const [endpoint, prefix, kind, stages] = process.argv.slice(2);
if (stages === 'stages') timeWatchMessages();
const send = (message: object): void => {
  // After the parent disconnects, late events (a revoked lease's deletes) have nowhere to go.
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
};
const added = (key: string): void => {
  const at = machineNow();
  const receivedAt = stages === 'stages' ? takeMarks(key).received : undefined;
  send({ event: 'added', key, at, ...(receivedAt === undefined ? {} : { receivedAt }) });
};
let close: () => Promise<void>;
if (kind === 'raw') {
  const client = new Etcd3({ hosts: String(endpoint) });
  const watcher = await client.watch().prefix(`${prefix}/`).create();
  watcher.on('put', (kv) => {
    rawParse(kv.value);
    added(kv.key.toString('utf8'));
  });
  watcher.on('delete', (kv) => send({ event: 'removed', key: kv.key.toString('utf8'), at: machineNow() }));
  close = async () => {
    await watcher.cancel();
    client.close();
  };
} else {
  const catalog = await Catalog.open({ endpoints: [String(endpoint)], prefix: String(prefix), gracePeriodMs: 0, timeoutMs: 60_000 });
  catalog.on('added', ({ instance }) => added(instance.key));
  catalog.on('removed', ({ instance }) => send({ event: 'removed', key: instance.key, at: machineNow() }));
  close = () => catalog.close();
}
send({ ready: true });
process.on('disconnect', () => {
  void close().finally(() => process.exit(0));
});
