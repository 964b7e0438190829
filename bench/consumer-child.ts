/**
 * A consumer in its own process, reporting over IPC the machine time at which each key arrived:
 * argv endpoint prefix kind ("rollcall" | "raw"). Sends {ready} once listening, then
 * {event: "added"|"removed", key, at} per change. Exits when the parent disconnects.
 */
import { Etcd3 } from 'etcd3';
import { Catalog } from '../src/index.js';
import { rawParse } from './etcd-support.js';
import { machineNow } from './stats.js';

const [endpoint, prefix, kind] = process.argv.slice(2);
const send = (message: object): void => {
  // After the parent disconnects, late events (a revoked lease's deletes) have nowhere to go.
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
};
let close: () => Promise<void>;
if (kind === 'raw') {
  const client = new Etcd3({ hosts: String(endpoint) });
  const watcher = await client.watch().prefix(`${prefix}/`).create();
  watcher.on('put', (kv) => {
    rawParse(kv.value);
    send({ event: 'added', key: kv.key.toString('utf8'), at: machineNow() });
  });
  watcher.on('delete', (kv) => send({ event: 'removed', key: kv.key.toString('utf8'), at: machineNow() }));
  close = async () => {
    await watcher.cancel();
    client.close();
  };
} else {
  const catalog = await Catalog.open({ endpoints: [String(endpoint)], prefix: String(prefix), gracePeriodMs: 0, timeoutMs: 60_000 });
  catalog.on('added', ({ instance }) => send({ event: 'added', key: instance.key, at: machineNow() }));
  catalog.on('removed', ({ instance }) => send({ event: 'removed', key: instance.key, at: machineNow() }));
  close = () => catalog.close();
}
send({ ready: true });
process.on('disconnect', () => {
  void close().finally(() => process.exit(0));
});
