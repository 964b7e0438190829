/**
 * Contract: every Store operation takes an AbortSignal. One already aborted rejects with its
 * reason before anything starts (nothing written, no lease, no queue key); a live one changes
 * nothing about the result. Cancelling a lock or campaign wait is in the lock and election parts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractEnv } from './store-contract.js';

export function defineSignalContract(env: ContractEnv): void {
  describe('signals', () => {
    it('every operation given an aborted signal rejects with its reason and changes nothing', async (t) => {
      const store = await env.scope(t).store();
      const kv = await store.put('k', 'v');
      const reason = new Error('caller gave up');
      const signal = AbortSignal.abort(reason);
      const calls: Record<string, () => Promise<unknown>> = {
        get: () => store.get('k', { signal }),
        put: () => store.put('k', 'changed', { signal }),
        'put with ttl': () => store.put('other', 'v', { ttl: 5, signal }),
        delete: () => store.delete('k', { signal }),
        exists: () => store.exists('k', { signal }),
        list: () => store.list('', { signal }),
        deleteTree: () => store.deleteTree('', { signal }),
        atomicPut: () => store.atomicPut('k', 'changed', kv, { signal }),
        'atomicPut create-only': () => store.atomicPut('new', 'v', null, { signal }),
        atomicDelete: () => store.atomicDelete('k', kv, { signal }),
        session: () => store.session({ signal }),
        lock: () => store.lock('x', { signal }),
        campaign: () => store.campaign('main', 'v', { signal }),
        leader: () => store.leader('main', { signal }),
      };
      for (const [name, call] of Object.entries(calls)) {
        await assert.rejects(call(), (error) => error === reason, `${name} rejects with the signal's reason`);
      }
      assert.equal(Object.keys(calls).length, 14);
      const left = await store.list('');
      assert.deepEqual(left.map((k) => k.toJSON()), [kv.toJSON()], 'k unchanged and nothing else written');
    });

    it('operations given a live signal behave as without one', async (t) => {
      const store = await env.scope(t).store();
      const { signal } = new AbortController();
      const kv = await store.put('k', 'v', { signal });
      assert.equal((await store.get('k', { signal }))?.text(), 'v');
      assert.equal(await store.exists('k', { signal }), true);
      const v2 = await store.atomicPut('k', 'v2', kv, { signal });
      assert.deepEqual((await store.list('', { signal })).map((k) => k.text()), ['v2']);
      await store.atomicDelete('k', v2, { signal });
      assert.equal(await store.delete('k', { signal }), false);
      await store.put('d/1', 'x', { signal });
      assert.equal(await store.deleteTree('d/', { signal }), 1);
      const session = await store.session({ signal });
      const leadership = await store.campaign('main', 'v', { signal });
      assert.equal((await store.leader('main', { signal }))?.text(), 'v');
      await leadership.resign();
      await session.close();
    });

    it('a store closed and a signal aborted: the signal is checked first', async (t) => {
      const store = await env.scope(t).store();
      await store.close();
      const reason = new Error('aborted');
      await assert.rejects(store.get('k', { signal: AbortSignal.abort(reason) }), (error) => error === reason);
      await assert.rejects(store.get('k'), { code: 'ERR_CLOSED' });
    });
  });
}
