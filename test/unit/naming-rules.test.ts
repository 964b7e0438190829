// The naming rules of the public API (docs/store.md "Names"): objects that hold a lease name it
// `leaseId` (Registrar, Registration, Session, Lock, Leadership, events, error details); records
// that mirror etcd's KeyValue keep `lease` (Instance, CatalogInstance, KVPair). Every state type
// is one style: a const object with PascalCase names and lower-case string values, and the union
// of those values as its type, so both `StoreState.Open` and `'open'` work.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeaseState, StoreState } from '../../src/index.js';
import { EtcdSessionState } from '../../src/store/etcd-session.js';
import { HoldState } from '../../src/store/fair-queue.js';
import { MemoryBackend, MemoryStore } from '../../src/testing/index.js';

describe('naming rules', () => {
  it('Session, Lock and Leadership name their lease leaseId (lease stays as a deprecated alias); KVPair keeps lease', async () => {
    const store = new MemoryStore({ backend: new MemoryBackend() });
    try {
      const session = await store.session({ ttl: 5 });
      assert.match(session.leaseId, /^[1-9][0-9]*$/);
      assert.equal(session.lease, session.leaseId);
      const kv = await store.put('k', 'v', { lease: session.leaseId });
      assert.equal(kv.lease, session.leaseId, 'a record keeps etcd’s field name');
      const lock = await store.lock('l', { ttl: 5 });
      assert.equal(lock.lease, lock.leaseId);
      assert.ok(lock.key.endsWith(BigInt(lock.leaseId).toString(16)));
      await lock.release();
      const leadership = await store.campaign('e', 'me', { ttl: 5 });
      assert.equal(leadership.lease, leadership.leaseId);
      await leadership.resign();
    } finally {
      await store.close();
    }
  });

  it('every state type is a const object of lower-case values', () => {
    for (const states of [LeaseState, StoreState, EtcdSessionState, HoldState]) {
      for (const [name, value] of Object.entries(states)) {
        assert.match(name, /^[A-Z][A-Za-z]+$/);
        assert.equal(value, value.toLowerCase());
      }
    }
    const state: StoreState = 'open';
    assert.equal(state, StoreState.Open);
  });
});
