/**
 * Contract: single-key operations, listings, revisions, namespaces, compare-and-swap, sessions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContractEnv } from './store-contract.js';

export function defineKvContract(env: ContractEnv): void {
  describe('keys and revisions', () => {
    it('put creates a key at version 1 and get returns it unchanged', async (t) => {
      const store = await env.scope(t).store();
      const put = await store.put('a', 'hello');
      assert.equal(put.key, 'a');
      assert.equal(put.text(), 'hello');
      assert.equal(put.version, 1);
      assert.equal(put.createRevision, put.modRevision);
      assert.equal(put.lease, '0');
      const got = await store.get('a');
      assert.ok(got);
      assert.deepEqual(got.toJSON(), put.toJSON());
    });

    it('put over an existing key keeps createRevision and raises modRevision and version', async (t) => {
      const store = await env.scope(t).store();
      const first = await store.put('a', '1');
      const second = await store.put('a', new Uint8Array([0, 255, 7]));
      assert.equal(second.createRevision, first.createRevision);
      assert.ok(second.modRevision > first.modRevision);
      assert.equal(second.version, 2);
      assert.deepEqual([...((await store.get('a'))?.value ?? [])], [0, 255, 7]);
    });

    it('revisions increase across keys: every write gets a new, higher one', async (t) => {
      const store = await env.scope(t).store();
      const a = await store.put('a', '1');
      const b = await store.put('b', '1');
      const a2 = await store.put('a', '2');
      assert.ok(a.modRevision < b.modRevision && b.modRevision < a2.modRevision);
    });

    it('get and exists report absence; delete says whether the key existed', async (t) => {
      const store = await env.scope(t).store();
      assert.equal(await store.get('missing'), null);
      assert.equal(await store.exists('missing'), false);
      await store.put('k', 'v');
      assert.equal(await store.exists('k'), true);
      assert.equal(await store.delete('k'), true);
      assert.equal(await store.delete('k'), false);
      assert.equal(await store.get('k'), null);
    });

    it('a deleted and re-created key starts a new life: new createRevision, version 1', async (t) => {
      const store = await env.scope(t).store();
      const first = await store.put('k', 'v');
      await store.delete('k');
      const again = await store.put('k', 'v');
      assert.ok(again.createRevision > first.createRevision);
      assert.equal(again.version, 1);
    });

    it('values are copies: mutating a returned or given array does not change the store', async (t) => {
      const store = await env.scope(t).store();
      const given = new Uint8Array([1, 2, 3]);
      const put = await store.put('k', given);
      given[0] = 9;
      put.value[1] = 9;
      assert.deepEqual([...((await store.get('k'))?.value ?? [])], [1, 2, 3]);
    });

    it('list returns the keys under a prefix sorted by key, relative to the namespace, with limit', async (t) => {
      const store = await env.scope(t).store();
      for (const key of ['dir/b', 'dir/a', 'dir/c/d', 'dirt', 'other']) await store.put(key, key);
      const listed = await store.list('dir/');
      assert.deepEqual(listed.map((kv) => kv.key), ['dir/a', 'dir/b', 'dir/c/d']);
      assert.deepEqual(listed.map((kv) => kv.text()), ['dir/a', 'dir/b', 'dir/c/d']);
      assert.deepEqual((await store.list('dir/', { limit: 2 })).map((kv) => kv.key), ['dir/a', 'dir/b']);
      assert.deepEqual((await store.list('')).map((kv) => kv.key), ['dir/a', 'dir/b', 'dir/c/d', 'dirt', 'other']);
      assert.deepEqual(await store.list('nothing/'), []);
    });

    it('deleteTree removes exactly the keys under the prefix and counts them', async (t) => {
      const store = await env.scope(t).store();
      for (const key of ['dir/a', 'dir/b/c', 'dirt']) await store.put(key, 'x');
      assert.equal(await store.deleteTree('dir/'), 2);
      assert.deepEqual((await store.list('')).map((kv) => kv.key), ['dirt']);
      assert.equal(await store.deleteTree('dir/'), 0);
    });

    it('rejects an empty key with ERR_INVALID_NAME and ttl with lease with ERR_INVALID_CONFIG', async (t) => {
      const store = await env.scope(t).store();
      await assert.rejects(store.put('', 'v'), { code: 'ERR_INVALID_NAME' });
      await assert.rejects(store.get(''), { code: 'ERR_INVALID_NAME' });
      await assert.rejects(store.put('k', 'v', { ttl: 5, lease: '1' }), { code: 'ERR_INVALID_CONFIG' });
      await assert.rejects(store.put('k', 'v', { ttl: 0 }), { code: 'ERR_INVALID_CONFIG' });
    });
  });

  describe('namespaces', () => {
    it('two namespaces do not see, list or delete each other’s keys', async (t) => {
      const scope = env.scope(t);
      const one = await scope.store(`${scope.namespace}one/`);
      const two = await scope.store(`${scope.namespace}two/`);
      await one.put('k', 'from one');
      await two.put('k', 'from two');
      assert.equal((await one.get('k'))?.text(), 'from one');
      assert.equal((await two.get('k'))?.text(), 'from two');
      assert.equal(await two.deleteTree(''), 1);
      assert.deepEqual((await one.list('')).map((kv) => kv.text()), ['from one']);
    });

    it('a nested namespace sees the outer keys under it, with the prefix stripped', async (t) => {
      const scope = env.scope(t);
      const outer = await scope.store();
      const inner = await scope.store(`${scope.namespace}app/`);
      await outer.put('app/x', '1');
      await inner.put('y', '2');
      assert.deepEqual((await inner.list('')).map((kv) => kv.key), ['x', 'y']);
      assert.deepEqual((await outer.list('')).map((kv) => kv.key), ['app/x', 'app/y']);
    });
  });

  describe('compare-and-swap', () => {
    it('of two writers holding the same revision exactly one wins; the loser gets KeyModifiedError', async (t) => {
      const scope = env.scope(t);
      const [alice, bob] = [await scope.store(), await scope.store()];
      const start = await alice.put('counter', '0');
      const results = await Promise.allSettled([
        alice.atomicPut('counter', 'alice', start),
        bob.atomicPut('counter', 'bob', start),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.equal((lost[0] as PromiseRejectedResult).reason.code, 'ERR_KEY_MODIFIED');
      const winner = (won[0] as PromiseFulfilledResult<{ text(): string; modRevision: number }>).value;
      const now = await alice.get('counter');
      assert.equal(now?.text(), winner.text());
      assert.equal(now?.modRevision, winner.modRevision);
    });

    it('atomicPut succeeds against the current revision and returns the new one', async (t) => {
      const store = await env.scope(t).store();
      const v1 = await store.put('k', '1');
      const v2 = await store.atomicPut('k', '2', v1);
      assert.ok(v2.modRevision > v1.modRevision);
      assert.equal(v2.version, 2);
      await assert.rejects(store.atomicPut('k', '3', v1), { code: 'ERR_KEY_MODIFIED' });
      assert.equal((await store.get('k'))?.text(), '2');
    });

    it('create-only (previous null) creates once, then fails with KeyExistsError', async (t) => {
      const store = await env.scope(t).store();
      const created = await store.atomicPut('k', 'first', null);
      assert.equal(created.version, 1);
      await assert.rejects(store.atomicPut('k', 'second', null), { code: 'ERR_KEY_EXISTS' });
      assert.equal((await store.get('k'))?.text(), 'first');
    });

    it('atomicPut against a deleted key fails with KeyNotFoundError and does not create it', async (t) => {
      const store = await env.scope(t).store();
      const v1 = await store.put('k', '1');
      await store.delete('k');
      await assert.rejects(store.atomicPut('k', '2', v1), { code: 'ERR_KEY_NOT_FOUND' });
      assert.equal(await store.exists('k'), false);
    });

    it('atomicDelete deletes only at the expected revision', async (t) => {
      const store = await env.scope(t).store();
      const v1 = await store.put('k', '1');
      const v2 = await store.put('k', '2');
      await assert.rejects(store.atomicDelete('k', v1), { code: 'ERR_KEY_MODIFIED' });
      assert.equal(await store.exists('k'), true);
      await store.atomicDelete('k', v2);
      assert.equal(await store.exists('k'), false);
      await assert.rejects(store.atomicDelete('k', v2), { code: 'ERR_KEY_NOT_FOUND' });
    });
  });

  describe('sessions and leases', () => {
    it('keys put on a session lease carry it and vanish when the session closes', async (t) => {
      const store = await env.scope(t).store();
      const session = await store.session({ ttl: 10 });
      assert.match(session.lease, /^[1-9][0-9]*$/);
      const kv = await store.put('ephemeral', 'x', { lease: session.lease });
      await store.put('durable', 'y');
      assert.equal(kv.lease, session.lease);
      await session.close();
      assert.equal(session.lost.aborted, false);
      assert.deepEqual((await store.list('')).map((k) => k.key), ['durable']);
      await session.close(); // idempotent
    });

    it('put on a lease that no longer exists fails with LeaseNotFoundError (details: key, leaseId)', async (t) => {
      const store = await env.scope(t).store();
      const session = await store.session({ ttl: 10 });
      await session.close();
      await assert.rejects(store.put('k', 'v', { lease: session.lease }), { code: 'ERR_LEASE_NOT_FOUND', details: { key: 'k', leaseId: session.lease } });
      assert.equal(await store.exists('k'), false);
    });

    it('a put with ttl attaches the key to a new lease', async (t) => {
      const store = await env.scope(t).store();
      const kv = await store.put('k', 'v', { ttl: 30 });
      assert.notEqual(kv.lease, '0');
      const plain = await store.put('k', 'v');
      assert.equal(plain.lease, '0');
    });
  });
}
