/**
 * Contract: watch and watchTree. First item a snapshot, then every change after it in revision
 * order, no gap, nothing lost to a slow consumer; abort ends the loop without throwing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent, KeyWatchEvent, TreeWatchEvent } from '../../src/store/index.js';
import { Reader, within } from './contract-helpers.js';
import type { ContractEnv } from './store-contract.js';

export function defineWatchContract(env: ContractEnv): void {
  describe('watch', () => {
    it('yields a null snapshot for an absent key, then puts and the delete with their revisions', async (t) => {
      const store = await env.scope(t).store();
      const reader = new Reader<KeyWatchEvent>(store.watch('k'), env.ms);
      const first = await reader.next('snapshot');
      assert.equal(first.type, 'snapshot');
      assert.equal(first.type === 'snapshot' && first.kv, null);

      const v1 = await store.put('k', 'one');
      await store.put('other', 'ignored');
      const v2 = await store.put('k', 'two');
      await store.delete('k');
      const [put1, put2, deleted] = await reader.take(3, 'changes of k');
      assert.equal(put1?.type, 'put');
      assert.equal(put1?.type === 'put' && put1.kv.text(), 'one');
      assert.equal(put1?.type === 'put' && put1.revision, v1.modRevision);
      assert.equal(put2?.type === 'put' && put2.kv.modRevision, v2.modRevision);
      if (put2?.type === 'put' && put2.prevKv) assert.equal(put2.prevKv.text(), 'one');
      assert.equal(deleted?.type, 'delete');
      assert.equal(deleted?.type === 'delete' && deleted.key, 'k');
      assert.ok(deleted && put2 && deleted.revision > put2.revision);
      assert.ok(first.revision < v1.modRevision);
      await reader.close();
    });

    it('yields the current value as its snapshot, at a revision no older than that value', async (t) => {
      const store = await env.scope(t).store();
      const written = await store.put('k', 'now');
      const reader = new Reader<KeyWatchEvent>(store.watch('k'), env.ms);
      const first = await reader.next('snapshot');
      assert.ok(first.type === 'snapshot' && first.kv);
      assert.equal(first.kv.text(), 'now');
      assert.ok(first.revision >= written.modRevision);
      await reader.close();
    });

    it('aborting the signal ends a for-await loop normally, without throwing', async (t) => {
      const store = await env.scope(t).store();
      const controller = new AbortController();
      const seen: string[] = [];
      const loop = (async () => {
        for await (const event of store.watch('k', { signal: controller.signal })) {
          seen.push(event.type);
          if (event.type === 'snapshot') controller.abort();
        }
        return 'ended';
      })();
      assert.equal(await within(loop, env.ms, 'the loop to end'), 'ended');
      assert.deepEqual(seen, ['snapshot']);
    });

    it('an already aborted signal yields nothing', async (t) => {
      const store = await env.scope(t).store();
      const reader = new Reader<KeyWatchEvent>(store.watch('k', { signal: AbortSignal.abort() }), env.ms);
      await reader.expectEnd('a watch with an aborted signal');
    });
  });

  describe('watchTree', () => {
    it('yields the sorted listing as its snapshot, then changes under the prefix only', async (t) => {
      const store = await env.scope(t).store();
      await store.put('dir/b', 'b');
      await store.put('dir/a', 'a');
      const reader = new Reader<TreeWatchEvent>(store.watchTree('dir/'), env.ms);
      const first = await reader.next('snapshot');
      assert.ok(first.type === 'snapshot');
      assert.deepEqual(first.kvs.map((kv) => kv.key), ['dir/a', 'dir/b']);

      await store.put('elsewhere', 'x');
      const c = await store.put('dir/c', 'c');
      await store.delete('dir/a');
      const [put, deleted] = await reader.take(2, 'changes under dir/');
      assert.equal(put?.type === 'put' && put.key, 'dir/c');
      assert.equal(put?.revision, c.modRevision);
      assert.equal(deleted?.type === 'delete' && deleted.key, 'dir/a');
      await reader.close();
    });

    it('sees all of a burst of 1,000 writes read late, in strictly increasing revision order', async (t) => {
      const store = await env.scope(t).store();
      const reader = new Reader<TreeWatchEvent>(store.watchTree('burst/'), env.ms);
      const first = await reader.next('snapshot');
      assert.equal(first.type, 'snapshot');

      // Concurrent writes (10 rounds of 100, so a loaded machine still answers each within the
      // store's timeout), read only once all are done: the consumer is as slow as it gets.
      const writes = [];
      for (let round = 0; round < 10; round += 1) {
        const batch = Array.from({ length: 100 }, (_, j) => round * 100 + j);
        writes.push(...(await Promise.all(batch.map((i) => store.put(`burst/${i % 50}`, String(i))))));
      }
      assert.equal(writes.length, 1000);
      const events = (await reader.take(1000, 'burst events')) as ChangeEvent[];
      const revisions = events.map((e) => e.revision);
      for (let i = 1; i < revisions.length; i += 1) {
        assert.ok((revisions[i] ?? 0) > (revisions[i - 1] ?? 0), `revision ${i} not above the previous one`);
      }
      assert.deepEqual(new Set(revisions), new Set(writes.map((w) => w.modRevision)));
      assert.ok(events.every((e) => e.type === 'put' && e.kv.modRevision === e.revision));
      await reader.close();
    });

    it('leaves no gap: snapshot plus later changes rebuild the final state while writes are in flight', async (t) => {
      const store = await env.scope(t).store();
      const inFlight = Array.from({ length: 200 }, (_, i) => store.put(`live/${i % 7}`, String(i)));
      const reader = new Reader<TreeWatchEvent>(store.watchTree('live/'), env.ms);
      const first = await reader.next('snapshot');
      assert.ok(first.type === 'snapshot');
      const writes = await Promise.all(inFlight);
      const later = writes.filter((w) => w.modRevision > first.revision).length;
      const state = new Map(first.kvs.map((kv) => [kv.key, kv.text()]));
      for (const event of await reader.take(later, 'changes after the snapshot')) {
        assert.ok(event.type === 'put' && event.revision > first.revision);
        state.set(event.key, event.kv.text());
      }
      const final = await store.list('live/');
      assert.deepEqual([...state.entries()].sort(), final.map((kv) => [kv.key, kv.text()]));
      await reader.close();
    });

    it('reports a deleteTree as deletes sharing one revision', async (t) => {
      const store = await env.scope(t).store();
      for (const key of ['d/1', 'd/2', 'd/3']) await store.put(key, 'x');
      const reader = new Reader<TreeWatchEvent>(store.watchTree('d/'), env.ms);
      await reader.next('snapshot');
      assert.equal(await store.deleteTree('d/'), 3);
      const events = await reader.take(3, 'deletes');
      assert.ok(events.every((e) => e.type === 'delete'));
      assert.deepEqual(events.map((e) => (e.type === 'delete' ? e.key : '')).sort(), ['d/1', 'd/2', 'd/3']);
      assert.equal(new Set(events.map((e) => e.revision)).size, 1);
      await reader.close();
    });
  });

  describe('ttl', () => {
    it('a key put with ttl expires, and its watch sees the delete', async (t) => {
      const store = await env.scope(t).store();
      const reader = new Reader<KeyWatchEvent>(store.watch('short'), env.ms);
      await reader.next('snapshot');
      const kv = await store.put('short', 'v', { ttl: 1 });
      assert.notEqual(kv.lease, '0');
      const put = await reader.next('the put');
      assert.equal(put.type, 'put');
      const gone = await reader.next('the expiry');
      assert.equal(gone.type, 'delete');
      assert.equal(await store.get('short'), null);
      await reader.close();
    });
  });
}
