/**
 * Contract: leader election. One leader at a time in campaign order, observe follows leaders and
 * proclaimed values, resign hands over, a dead leader fails over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KVPair } from '../../src/store/index.js';
import { abortedWithin, KeyCounter, Reader, track, within } from './contract-helpers.js';
import type { ContractEnv } from './store-contract.js';

export function defineElectionContract(env: ContractEnv): void {
  describe('election', () => {
    it('there is one leader at a time, in campaign order, and resign hands over', async (t) => {
      const scope = env.scope(t);
      const [a, b, c] = [await scope.store(), await scope.store(), await scope.store()];
      const queue = new KeyCounter(await scope.store(), '', env.ms);
      assert.equal(await a.leader('main'), null);
      const leaderA = await within(a.campaign('main', 'a'), env.ms, 'a to lead');
      const campaignB = track(b.campaign('main', 'b'));
      await queue.atLeast(2);
      const campaignC = track(c.campaign('main', 'c'));
      await queue.atLeast(3);

      assert.equal((await c.leader('main'))?.text(), 'a');
      assert.equal((await c.leader('main'))?.key, leaderA.key);
      assert.equal(campaignB.settled || campaignC.settled, false, 'only one leader');

      await leaderA.resign();
      const leaderB = await within(campaignB.promise, env.ms, 'b to lead');
      assert.equal((await a.leader('main'))?.text(), 'b');
      assert.equal(campaignC.settled, false, 'c waits for b');
      assert.ok(leaderB.createRevision > leaderA.createRevision);
      assert.equal(leaderA.lost.aborted, false, 'resigning is not losing');

      await leaderB.resign();
      const leaderC = await within(campaignC.promise, env.ms, 'c to lead');
      await leaderC.resign();
      assert.equal(await a.leader('main'), null);
      await queue.stop();
    });

    it('observe yields the current leader, then proclaimed values and each new leader', async (t) => {
      const scope = env.scope(t);
      const [a, b, watcher] = [await scope.store(), await scope.store(), await scope.store()];
      const observed = new Reader<KVPair | null>(watcher.observe('main'), env.ms);
      assert.equal(await observed.next('no leader yet'), null);

      const leaderA = await a.campaign('main', 'a1');
      assert.equal((await observed.next('a as leader'))?.text(), 'a1');
      const proclaimed = await leaderA.proclaim('a2');
      assert.equal(proclaimed.text(), 'a2');
      assert.equal(leaderA.kv.text(), 'a2');
      const seen = await observed.next('the proclaimed value');
      assert.equal(seen?.text(), 'a2');
      assert.equal(seen?.key, leaderA.key);

      const campaignB = b.campaign('main', 'b1');
      await leaderA.resign();
      const leaderB = await within(campaignB, env.ms, 'b to lead');
      const next = await observed.until((kv) => kv?.key === leaderB.key, 'b as leader');
      assert.equal(next?.text(), 'b1');
      await leaderB.resign();
      assert.equal(await observed.next('no leader again'), null);
      await observed.close();
    });

    it('proclaim after resign rejects with ERR_CLOSED and does not touch the election', async (t) => {
      const store = await env.scope(t).store();
      const leadership = await store.campaign('main', 'v');
      await leadership.resign();
      await assert.rejects(leadership.proclaim('late'), { code: 'ERR_CLOSED' });
      assert.equal(await store.leader('main'), null);
    });

    it('aborting a waiting campaign withdraws the candidate', async (t) => {
      const scope = env.scope(t);
      const [a, b, c] = [await scope.store(), await scope.store(), await scope.store()];
      const queue = new KeyCounter(await scope.store(), '', env.ms);
      const leaderA = await a.campaign('main', 'a');
      const controller = new AbortController();
      const campaignB = b.campaign('main', 'b', { signal: controller.signal });
      await queue.atLeast(2);
      const campaignC = c.campaign('main', 'c');
      await queue.atLeast(3);
      controller.abort(new Error('withdrawn'));
      await assert.rejects(within(campaignB, env.ms, 'b to withdraw'), /withdrawn/);
      assert.deepEqual((await a.list('')).map((kv) => kv.text()).sort(), ['a', 'c'], "b's candidate key is gone");
      await leaderA.resign();
      const leaderC = await within(campaignC, env.ms, 'c to lead');
      assert.equal((await a.leader('main'))?.text(), 'c');
      await leaderC.resign();
      await queue.stop();
    });

    it('elections a/b and a are independent: both have a leader at once', async (t) => {
      const scope = env.scope(t);
      const [a, b] = [await scope.store(), await scope.store()];
      // a/b first: were `/` kept, election a would count a/b's candidate as its own earlier one.
      const child = await within(b.campaign('a/b', 'child'), env.ms, 'a/b to have a leader');
      const parent = await within(a.campaign('a', 'parent'), env.ms, 'a to have a leader while a/b has one');
      assert.ok(child.key.startsWith('__rollcall/election/a%2Fb/'), child.key);
      assert.equal((await a.leader('a'))?.text(), 'parent');
      assert.equal((await a.leader('a/b'))?.text(), 'child');
      await Promise.all([parent.resign(), child.resign()]);
      assert.equal(await a.leader('a/b'), null);
    });

    it('when the leader dies, the next candidate leads and observe follows', async (t) => {
      const kill = env.harness.killClient;
      if (!kill) return t.skip('the harness cannot kill a client');
      const scope = env.scope(t);
      const [a, b, watcher] = [await scope.store(), await scope.store(), await scope.store()];
      const queue = new KeyCounter(await scope.store(), '', env.ms);
      const observed = new Reader<KVPair | null>(watcher.observe('main'), env.ms);
      await observed.next('initial state');
      const leaderA = await a.campaign('main', 'a', { ttl: 2 });
      const campaignB = b.campaign('main', 'b', { ttl: 2 });
      await queue.atLeast(2);
      await kill.call(env.harness, a);
      const leaderB = await within(campaignB, env.ms, 'b to take over');
      const seen = await observed.until((kv) => kv?.key === leaderB.key, 'b in observe');
      assert.equal(seen?.text(), 'b');
      const reason = await abortedWithin(leaderA.lost, env.ms, "the dead leader's lost signal");
      assert.equal((reason as { code?: string }).code, 'ERR_LOCK_LOST');
      await assert.rejects(leaderA.proclaim('zombie'), { code: 'ERR_LOCK_LOST' });
      assert.equal((await watcher.leader('main'))?.text(), 'b');
      await leaderB.resign();
      await observed.close();
      await queue.stop();
    });
  });
}
