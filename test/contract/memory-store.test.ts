// Runs the Store contract on MemoryStore: every handle shares one backend, like clients of one etcd.
import { MemoryBackend, MemoryStore, type Store } from '../../src/store/index.js';
import { crashStore } from '../../src/testing/index.js';
import { defineStoreContract } from './store-contract.js';

const backend = new MemoryBackend();

defineStoreContract('MemoryStore', {
  newStore: async ({ namespace }) => new MemoryStore({ backend, namespace }),
  killClient: async (store: Store) => {
    if (!(store instanceof MemoryStore)) throw new TypeError('not a MemoryStore');
    await crashStore(store);
  },
  deadlineMs: 5000,
});
