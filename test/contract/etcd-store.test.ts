// Runs the Store contract on EtcdStore against one real etcd from the harness. Every store is a
// separate client (own etcd3 client, own leases). killClient uses crashStore(): keepalives
// stop without a revoke, so the killed client's leases end by expiry, as after a real crash.
import { EtcdProcess } from '../../src/dev/index.js';
import { EtcdStore, type Store } from '../../src/store/index.js';
import { crashStore } from '../../src/testing/index.js';
import '../helpers/etcd.js';
import { defineStoreContract } from './store-contract.js';

let etcd: EtcdProcess | undefined;

defineStoreContract('EtcdStore', {
  setup: async () => {
    etcd = await EtcdProcess.start();
  },
  teardown: async () => {
    await etcd?.stop();
  },
  newStore: async ({ namespace }) => {
    if (!etcd) throw new Error('etcd is not started');
    return new EtcdStore({ endpoints: etcd.endpoints, namespace, timeoutMs: 5000 });
  },
  killClient: async (store: Store) => {
    if (!(store instanceof EtcdStore)) throw new TypeError('not an EtcdStore');
    await crashStore(store);
  },
  deadlineMs: 15000,
});
