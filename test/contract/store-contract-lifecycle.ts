/**
 * Contract: close(). It releases what the store holds, ends its iterators, and every later call
 * rejects with ClosedError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KVPair, KeyWatchEvent, TreeWatchEvent } from '../../src/store/index.js';
import { abortedWithin, KeyCounter, Reader, within } from './contract-helpers.js';
import type { ContractEnv } from './store-contract.js';

export function defineLifecycleContract(env: ContractEnv): void {
  describe('close', () => {
    it('ends watch, watchTree and observe iterations', async (t) => {
      const store = await env.scope(t).store();
      const key = new Reader<KeyWatchEvent>(store.watch('k'), env.ms);
      const tree = new Reader<TreeWatchEvent>(store.watchTree(''), env.ms);
      const leader = new Reader<KVPair | null>(store.observe('main'), env.ms);
      await Promise.all([key.next('key snapshot'), tree.next('tree snapshot'), leader.next('leader')]);
      await store.close();
      await key.expectEnd('watch');
      await tree.expectEnd('watchTree');
      await leader.expectEnd('observe');
    });

    it('rejects every later call with ERR_CLOSED; close itself is idempotent', async (t) => {
      const store = await env.scope(t).store();
      const kv = await store.put('k', 'v');
      await store.close();
      const closed = { code: 'ERR_CLOSED' };
      await assert.rejects(store.get('k'), closed);
      await assert.rejects(store.put('k', 'v'), closed);
      await assert.rejects(store.delete('k'), closed);
      await assert.rejects(store.exists('k'), closed);
      await assert.rejects(store.list(''), closed);
      await assert.rejects(store.deleteTree(''), closed);
      await assert.rejects(store.atomicPut('k', 'v', kv), closed);
      await assert.rejects(store.atomicDelete('k', kv), closed);
      await assert.rejects(store.session(), closed);
      await assert.rejects(store.lock('x'), closed);
      await assert.rejects(store.campaign('main', 'v'), closed);
      await assert.rejects(store.leader('main'), closed);
      await assert.rejects(new Reader(store.watch('k'), env.ms).pull(), closed);
      await assert.rejects(new Reader(store.observe('main'), env.ms).pull(), closed);
      await store.close();
    });

    it('releases its locks and sessions: the next waiter gets the lock, the holder sees lost', async (t) => {
      const scope = env.scope(t);
      const [a, b] = [await scope.store(), await scope.store()];
      const queue = new KeyCounter(await scope.store(), '', env.ms);
      const session = await a.session();
      await a.put('ephemeral', 'x', { lease: session.lease });
      const held = await a.lock('x');
      const waiting = b.lock('x');
      await queue.atLeast(3);
      await a.close();
      const next = await within(waiting, env.ms, 'b to get the lock');
      const reason = await abortedWithin(held.lost, env.ms, "the closed store's lock to be lost");
      assert.equal((reason as { code?: string }).code, 'ERR_LOCK_LOST');
      assert.equal(session.lost.aborted, true);
      assert.equal(await b.exists('ephemeral'), false);
      await next.release();
      await queue.stop();
    });

    it('rejects a pending lock wait with ERR_CLOSED and removes its waiter', async (t) => {
      const scope = env.scope(t);
      const [a, b] = [await scope.store(), await scope.store()];
      const queue = new KeyCounter(await scope.store(), '', env.ms);
      const held = await a.lock('x');
      const waiting = b.lock('x');
      await queue.atLeast(2);
      await b.close();
      await assert.rejects(within(waiting, env.ms, 'the wait to fail'), { code: 'ERR_CLOSED' });
      assert.deepEqual((await a.list('')).map((kv) => kv.key), [held.key]);
      await held.release();
      await queue.stop();
    });
  });
}
