/**
 * Contract: the fair lock. Serial critical sections in request order, cancellation that removes
 * the waiter, and loss (crash, deleted key) passing the lock to the next in line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import type { Lock } from '../../src/store/index.js';
import { abortedWithin, KeyCounter, track, within } from './contract-helpers.js';
import type { ContractEnv } from './store-contract.js';

export function defineLockContract(env: ContractEnv): void {
  describe('lock', () => {
    it('an uncontended lock is held at once, its key lives in the namespace, and release frees it', async (t) => {
      const store = await env.scope(t).store();
      const lock = await within(store.lock('solo'), env.ms, 'the lock');
      assert.equal(lock.name, 'solo');
      assert.equal(lock.lost.aborted, false);
      const held = await store.get(lock.key);
      assert.equal(held?.createRevision, lock.createRevision);
      assert.equal(held?.lease, lock.lease);
      await lock.release();
      assert.equal(await store.exists(lock.key), false);
      assert.equal(lock.lost.aborted, false);
      const again = await within(store.lock('solo'), env.ms, 'the lock again');
      assert.ok(again.createRevision > lock.createRevision, 'a later holder has a higher fencing token');
      await again.release();
      await lock.release(); // idempotent
    });

    it('5 contending clients get strictly serial critical sections in request order', async (t) => {
      const scope = env.scope(t);
      const clients = await Promise.all(Array.from({ length: 5 }, () => scope.store()));
      const queue = new KeyCounter(await scope.store(), '', env.ms); // only lock keys live in this namespace
      const log: string[] = [];
      const tokens: number[] = [];
      const sections: Array<Promise<void>> = [];
      for (const [i, client] of clients.entries()) {
        sections.push(
          (async () => {
            const lock = await client.lock('critical');
            log.push(`enter ${i}`);
            tokens.push(lock.createRevision);
            // The first holder keeps the lock until everyone queued, so all five contend.
            if (i === 0) await queue.atLeast(5);
            else await yieldToOthers();
            assert.equal(lock.lost.aborted, false);
            log.push(`exit ${i}`);
            await lock.release();
          })(),
        );
        await queue.atLeast(i + 1); // request i is queued before request i + 1 is made
      }
      await within(Promise.all(sections), env.ms, 'all critical sections');
      await queue.stop();
      assert.deepEqual(log, [0, 1, 2, 3, 4].flatMap((i) => [`enter ${i}`, `exit ${i}`]));
      assert.deepEqual([...tokens].sort((a, b) => a - b), tokens, 'fencing tokens increase with each holder');
    });

    it('aborting a waiting lock removes its waiter and rejects with the reason; the next waiter still gets it', async (t) => {
      const scope = env.scope(t);
      const [a, b, c] = [await scope.store(), await scope.store(), await scope.store()];
      const queue = new KeyCounter(await scope.store(), '', env.ms);
      const held = await a.lock('x');
      const controller = new AbortController();
      const waitingB = track(b.lock('x', { signal: controller.signal }));
      await queue.atLeast(2);
      const waitingC = track(c.lock('x'));
      await queue.atLeast(3);

      const reason = new Error('gave up');
      controller.abort(reason);
      await assert.rejects(within(waitingB.promise, env.ms, 'b to give up'), (error) => error === reason);
      assert.equal((await a.list('')).length, 2, "b's waiter key is gone");
      assert.equal(waitingC.settled, false, 'c still waits for a');

      await held.release();
      const lockC = await within(waitingC.promise, env.ms, 'c to get the lock');
      assert.equal(lockC.lost.aborted, false);
      await lockC.release();
      await queue.stop();
    });

    it('a lock call with an already aborted signal rejects with its reason and leaves no key', async (t) => {
      const store = await env.scope(t).store();
      const reason = new Error('too late');
      await assert.rejects(store.lock('x', { signal: AbortSignal.abort(reason) }), (error) => error === reason);
      assert.deepEqual(await store.list(''), []);
    });

    it('deleting the holder’s key makes it lost (LockLostError) and passes the lock on', async (t) => {
      const scope = env.scope(t);
      const [a, b] = [await scope.store(), await scope.store()];
      const queue = new KeyCounter(await scope.store(), '', env.ms);
      const held = await a.lock('x');
      const waiting = b.lock('x');
      await queue.atLeast(2);
      await b.delete(held.key);
      const reason = await abortedWithin(held.lost, env.ms, 'the holder to notice');
      assert.equal((reason as { code?: string }).code, 'ERR_LOCK_LOST');
      const next = await within(waiting, env.ms, 'b to get the lock');
      await next.release();
      await held.release();
      await queue.stop();
    });

    it('different lock names do not block each other; an empty name is refused', async (t) => {
      const store = await env.scope(t).store();
      const one = await within(store.lock('one'), env.ms, 'lock one');
      const two = await within(store.lock('two'), env.ms, 'lock two');
      await Promise.all([one.release(), two.release()]);
      await assert.rejects(store.lock(''), { code: 'ERR_INVALID_NAME', details: { kind: 'lock name', name: '' } });
    });

    it('names with "/" or "%" are one key segment: a/b, a and a%2Fb are held at once', async (t) => {
      const scope = env.scope(t);
      const [a, b] = [await scope.store(), await scope.store()];
      // a/b first: were `/` kept, lock a would list a/b's key under a/ and wait behind it.
      const child = await within(b.lock('a/b'), env.ms, 'lock a/b');
      const parent = await within(a.lock('a'), env.ms, 'lock a while a/b is held');
      const lookalike = await within(b.lock('a%2Fb'), env.ms, 'lock a%2Fb while a/b is held');
      assert.equal(child.name, 'a/b');
      assert.ok(child.key.startsWith('__rollcall/lock/a%2Fb/'), child.key);
      assert.ok(lookalike.key.startsWith('__rollcall/lock/a%252Fb/'), lookalike.key);
      for (const held of [parent, child, lookalike]) assert.equal(held.lost.aborted, false);
      await Promise.all([parent.release(), child.release(), lookalike.release()]);
      assert.deepEqual(await a.list(''), []);
    });

    it('a killed holder loses the lock to the next waiter', async (t) => {
      const kill = env.harness.killClient;
      if (!kill) return t.skip('the harness cannot kill a client');
      const scope = env.scope(t);
      const [a, b] = [await scope.store(), await scope.store()];
      const queue = new KeyCounter(await scope.store(), '', env.ms);
      const held: Lock = await a.lock('x', { ttl: 2 });
      const waiting = b.lock('x', { ttl: 2 });
      await queue.atLeast(2);
      await kill.call(env.harness, a);
      const next = await within(waiting, env.ms, 'b to take over from the dead holder');
      assert.equal(next.lost.aborted, false);
      const reason = await abortedWithin(held.lost, env.ms, "the dead holder's lost signal");
      assert.equal((reason as { code?: string }).code, 'ERR_LOCK_LOST');
      await next.release();
      await queue.stop();
    });
  });
}
