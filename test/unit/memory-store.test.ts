// MemoryStore specifics the shared contract cannot see: the test hooks, option checks, key order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crashStore } from '../../src/testing/index.js';
import { MemoryBackend, MemoryStore, StoreState, resolveStoreOptions } from '../../src/store/index.js';

describe('MemoryStore', () => {
  it('a fresh backend is at revision 1 and the first write gets revision 2, as in etcd', async () => {
    const store = new MemoryStore();
    assert.equal(store.backend.revision, 1);
    assert.equal((await store.put('k', 'v')).modRevision, 2);
    await store.close();
  });

  it('backend.expireLease ends a session: lost aborts with ERR_LEASE_LOST and its keys go', async () => {
    const backend = new MemoryBackend();
    const store = new MemoryStore({ backend });
    const session = await store.session({ ttl: 5 });
    await store.put('ephemeral', 'x', { lease: session.lease });
    assert.equal(backend.expireLease(session.lease), true);
    assert.equal(session.lost.aborted, true);
    assert.equal((session.lost.reason as { code?: string }).code, 'ERR_LEASE_LOST');
    assert.equal(await store.exists('ephemeral'), false);
    assert.equal(backend.expireLease(session.lease), false, 'a lease expires once');
    assert.equal(store.state, StoreState.Open);
    await store.close();
  });

  it('crashStore() expires session leases but leaves ttl keys to their own timer, then closes', async () => {
    const backend = new MemoryBackend();
    const [crashing, other] = [new MemoryStore({ backend }), new MemoryStore({ backend })];
    const session = await crashing.session();
    await crashing.put('ephemeral', 'x', { lease: session.lease });
    const timed = await crashing.put('timed', 'y', { ttl: 60 });
    await crashStore(crashing);
    assert.equal(crashing.state, StoreState.Closed);
    assert.equal((session.lost.reason as { code?: string }).code, 'ERR_LEASE_LOST');
    assert.equal(await other.exists('ephemeral'), false);
    assert.equal((await other.get('timed'))?.lease, timed.lease);
    await assert.rejects(crashing.get('timed'), { code: 'ERR_CLOSED' });
    await crashing.close(); // still idempotent after a crash
    await other.close();
    assert.equal(backend.revokeLease(timed.lease), true, 'the ttl lease outlived both handles');
  });

  it('close() aborts session.lost with ERR_CLOSED and revokes the lease', async () => {
    const store = new MemoryStore();
    const session = await store.session();
    await store.close();
    assert.equal((session.lost.reason as { code?: string }).code, 'ERR_CLOSED');
    assert.equal(store.backend.hasLease(session.lease), false);
  });

  it('lists keys in UTF-8 byte order, as etcd does', async () => {
    const store = new MemoryStore();
    for (const key of ['\u{1F600}', '\uFFFF', 'a', 'Z']) await store.put(key, 'x');
    assert.deepEqual((await store.list('')).map((kv) => kv.key), ['Z', 'a', '\uFFFF', '\u{1F600}']);
    await store.close();
  });

  it('rejects invalid options when constructed', () => {
    assert.throws(() => new MemoryStore({ timeoutMs: -1 }), { code: 'ERR_INVALID_CONFIG' });
    assert.throws(() => new MemoryStore({ sessionTtl: 1.5 }), { code: 'ERR_INVALID_CONFIG' });
    assert.throws(() => new MemoryStore({ lockPrefix: 'x/', electionPrefix: 'x/e/' }), { code: 'ERR_INVALID_CONFIG' });
  });

  it('reads defaults from the environment, explicit options first', () => {
    const env = { ROLLCALL_STORE_NAMESPACE: 'env/', ROLLCALL_TIMEOUT_MS: '750', ROLLCALL_STORE_SESSION_TTL: '9' };
    assert.deepEqual(resolveStoreOptions({}, env), {
      namespace: 'env/',
      timeoutMs: 750,
      sessionTtl: 9,
      lockPrefix: '__rollcall/lock/',
      electionPrefix: '__rollcall/election/',
    });
    assert.equal(resolveStoreOptions({ namespace: 'mine/' }, env).namespace, 'mine/');
    assert.throws(() => resolveStoreOptions({}, { ROLLCALL_TIMEOUT_MS: 'soon' }), { code: 'ERR_INVALID_CONFIG' });
  });
});
