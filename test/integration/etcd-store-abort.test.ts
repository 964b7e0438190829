/**
 * EtcdStore with a signal that aborts while the request is in flight. etcd is paused (SIGSTOP), so
 * every call hangs until the store's timeoutMs (30 s here): only the abort can end them early. Each
 * must reject with `signal.reason`, and the lease grants that were still in flight (session, put
 * with ttl, lock, campaign) must be revoked once etcd answers them, not leaked.
 */
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { describe, it } from 'node:test';
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { track, within } from '../contract/contract-helpers.js';
import { etcdClient, eventually, startEtcd } from '../helpers/etcd.js';
import { assertNoUnhandledRejections } from '../fixtures/registration-support.js';
import { etcdStore } from './etcd-store-support.js';

describe('EtcdStore: a signal aborts the request in flight (real etcd)', () => {
  assertNoUnhandledRejections();

  it('calls waiting on a paused etcd reject with signal.reason on abort; late lease grants are revoked', async (t) => {
    const etcd = await startEtcd(t);
    const admin = etcdClient(t, etcd);
    const store = etcdStore(t, { endpoints: etcd.endpoints, namespace: 'abort/', timeoutMs: 30_000 });
    const kv = await store.put('k', 'v'); // the connection is up before etcd stops answering

    etcd.pause();
    const controller = new AbortController();
    const signal = controller.signal;
    setMaxListeners(20, signal); // one signal shared by 14 pending calls is intended
    const calls: Record<string, () => Promise<unknown>> = {
      get: () => store.get('k', { signal }),
      put: () => store.put('other', 'v', { signal }),
      'put with ttl': () => store.put('timed', 'v', { ttl: 30, signal }),
      delete: () => store.delete('k', { signal }),
      exists: () => store.exists('k', { signal }),
      list: () => store.list('', { signal }),
      'list with limit': () => store.list('', { limit: 1, signal }),
      deleteTree: () => store.deleteTree('', { signal }),
      atomicPut: () => store.atomicPut('k', 'v2', kv, { signal }),
      atomicDelete: () => store.atomicDelete('k', kv, { signal }),
      session: () => store.session({ ttl: 30, signal }),
      lock: () => store.lock('x', { ttl: 30, signal }),
      campaign: () => store.campaign('main', 'v', { ttl: 30, signal }),
      leader: () => store.leader('main', { signal }),
    };
    const pending = Object.entries(calls).map(([name, call]) => ({ name, call: track(call()) }));
    await yieldToOthers();
    assert.deepEqual(pending.filter((p) => p.call.settled).map((p) => p.name), [], 'nothing answers while etcd is paused');

    const reason = new Error('caller gave up');
    controller.abort(reason);
    for (const { name, call } of pending) {
      await assert.rejects(within(call.promise, 5000, `${name} to reject`), (error) => error === reason, name);
    }
    assert.equal(pending.length, 14);

    etcd.resume();
    // The lease grants etcd now answers (session, put with ttl, lock, campaign) belong to nobody:
    // each is revoked as it arrives. None may be left.
    await eventually(
      async () => {
        const { leases } = await admin.leaseClient.leaseLeases();
        assert.deepEqual(leases.map((l) => String(l.ID)), [], 'no lease was leaked');
      },
      { timeoutMs: 15_000 },
    );
    assert.equal((await store.put('after', 'x')).text(), 'x', 'the store still works after the aborts');
  });
});
